"""What both Telnyx providers share: the API client, the signed webhook route, closing."""

from __future__ import annotations

from collections.abc import Mapping

from roomkit.errors import ConfigurationError, WebhookError
from roomkit.messaging.webhook import WebhookEndpoint, WebhookRequest
from roomkit_telnyx.api import TelnyxAPI
from roomkit_telnyx.config import _TelnyxAccount
from roomkit_telnyx.webhooks import TelnyxSignatureVerifier, TelnyxWebhookParser

__all__ = ["TelnyxCore"]


class TelnyxCore:
    """The API client and webhook endpoint of one provider."""

    def __init__(
        self, config: _TelnyxAccount, *, provider: str, channel: str, public_key: str | None
    ) -> None:
        self.config = config
        self.provider = provider
        self.api = TelnyxAPI(config, provider=provider)
        self._channel = channel
        self._public_key = public_key or config.public_key
        self._endpoint: WebhookEndpoint | None = None
        if self._public_key:
            self._endpoint = self._build_endpoint(self._public_key)

    def _build_endpoint(self, public_key: str) -> WebhookEndpoint:
        verifier = TelnyxSignatureVerifier(
            public_key, tolerance_seconds=self.config.webhook_tolerance_seconds
        )
        return WebhookEndpoint(
            verifier, TelnyxWebhookParser(self.provider, channel=self._channel), name=self.provider
        )

    def endpoint(self) -> WebhookEndpoint:
        """The webhook endpoint; ConfigurationError without a public key (webhooks are never
        accepted unverified)."""
        if self._endpoint is None:
            raise ConfigurationError(
                f"{self.provider}: receiving webhooks needs the account's ed25519 public_key "
                "(TelnyxConfig(public_key=...) or the provider's public_key argument)"
            )
        return self._endpoint

    def endpoints(self) -> Mapping[str, WebhookEndpoint]:
        """One route for incoming messages and delivery events."""
        return {"": self.endpoint()}

    def verify(self, payload: bytes, signature: str, timestamp: str | None) -> bool:
        """RoomKit 0.6.7's boolean check of a signed body (replay window included)."""
        headers = {"telnyx-signature-ed25519": signature, "telnyx-timestamp": timestamp or ""}
        try:
            self.endpoint().verifier.verify(WebhookRequest("POST", "", headers, payload))
        except WebhookError:
            return False
        return True

    async def close(self) -> None:
        """Close the HTTP connections."""
        await self.api.close()
