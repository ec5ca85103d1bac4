"""``SinchSMSProvider``: SMS and MMS through Sinch's REST batches API, with its signed
callbacks (inbound messages and delivery reports) received through ``webhook_endpoints()``."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import httpx

from roomkit.messaging.meta import WebhookMeta
from roomkit.messaging.webhook import WebhookEndpoint
from roomkit.models.content import MediaContent
from roomkit.models.delivery import ProviderResult
from roomkit.models.event import RoomEvent
from roomkit.providers.sms.base import SMSProvider
from roomkit.providers.vendor_http import call_vendor, redactor_for
from roomkit_sinch.config import SinchConfig
from roomkit_sinch.webhooks import (
    SinchSignatureVerifier,
    SinchWebhookParser,
    extract_sinch_meta,
    parse_sinch_webhook,
)

__all__ = ["SinchConfig", "SinchSMSProvider", "parse_sinch_webhook"]


class SinchSMSProvider(SMSProvider):
    """Sends each message as a one-recipient batch (``POST /xms/v1/{plan}/batches``):
    text as ``mt_text``, media as ``mt_media`` (MMS, its caption as the message text). The
    batch id is the provider message id, which Sinch's delivery reports name.

    ``webhook_endpoints()`` (with ``config.webhook_secret``) verifies Sinch's HMAC callback
    signature, then reads inbound SMS / MMS and delivery reports.
    """

    def __init__(self, config: SinchConfig) -> None:
        self._config = config
        token = config.api_token.get_secret_value()
        self._redactor = redactor_for([token, *config.webhook_secrets()])
        self._client = httpx.AsyncClient(
            timeout=config.timeout,
            headers={"Authorization": f"Bearer {token}"},
            follow_redirects=False,
        )

    @property
    def name(self) -> str:
        return "sinch"

    @property
    def from_number(self) -> str | None:
        return self._config.from_number

    @property
    def config(self) -> SinchConfig:
        """The configuration this provider was built with."""
        return self._config

    def _batch(self, event: RoomEvent, to: str, sender: str) -> dict[str, Any]:
        content = event.content
        batch: dict[str, Any] = {"from": sender, "to": [to]}
        if isinstance(content, MediaContent):
            body: dict[str, Any] = {"url": content.url}
            if content.caption:
                body["message"] = content.caption
            batch.update(type="mt_media", body=body)
        else:
            batch["body"] = str(getattr(content, "body", "") or "")
        batch["delivery_report"] = self._config.delivery_report
        if self._config.callback_url:
            batch["callback_url"] = self._config.callback_url
        return batch

    async def send(self, event: RoomEvent, to: str, from_: str | None = None) -> ProviderResult:
        batch = self._batch(event, to, from_ or self._config.from_number)
        if batch.get("type") != "mt_media" and not batch["body"]:
            return ProviderResult.failed("sinch: nothing to send (empty text)")
        outcome = await call_vendor(
            self.name,
            self._client.post(self._config.api_url, json=batch),
            timeout=self._config.timeout,
            redactor=self._redactor,
        )
        if isinstance(outcome, ProviderResult):
            return outcome
        try:
            batch_id = outcome.json()["id"]
        except (ValueError, KeyError, TypeError):
            return ProviderResult.failed("sinch: the batch answer has no id", retryable=False)
        return ProviderResult.sent(str(batch_id))

    def webhook_endpoints(self) -> Mapping[str, WebhookEndpoint]:
        """The callback route (none without ``webhook_secret``)."""
        secrets = self._config.webhook_secrets()
        if not secrets:
            return {}
        verifier = SinchSignatureVerifier(
            secrets, tolerance_seconds=self._config.webhook_tolerance_seconds
        )
        return {"": WebhookEndpoint(verifier, SinchWebhookParser(), name="sinch")}

    @staticmethod
    def extract_meta(payload: Mapping[str, Any]) -> WebhookMeta:
        """The vendor-neutral view of a Sinch callback (``extract_sms_meta("sinch", ...)``)."""
        return extract_sinch_meta(payload)

    async def close(self) -> None:
        await self._client.aclose()
