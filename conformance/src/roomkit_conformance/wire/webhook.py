"""A generic webhook receiver speaking RoomKit's signed-webhook scheme, both ways.

:class:`WebhookReceiverWire` is the "other system" of ``roomkit-webhook``: it takes the
provider's JSON posts at :attr:`WebhookReceiverWire.path`, checks their
``X-RoomKit-Signature`` the way a receiver should (answering 401 to an unsigned or wrongly
signed post) and answers ``200 {"received": true}``. :func:`signed_webhook_headers` signs a
webhook the way that system signs the ones it sends back (messages, delivery statuses).

Only the standard library and the kernel are imported.
"""

from __future__ import annotations

import time

from roomkit.errors import WebhookSignatureError
from roomkit.messaging.signing import HmacSigner, HmacVerifier
from roomkit.messaging.webhook import WebhookRequest
from roomkit_conformance.wire.http import RecordedRequest, WireResponse, WireServer

__all__ = ["WebhookReceiverWire", "signed_webhook_headers"]


def signed_webhook_headers(
    body: bytes, secrets: str | list[str], *, timestamp: int | None = None
) -> dict[str, str]:
    """``Content-Type`` and ``X-RoomKit-Signature`` headers (lower-case keys) for ``body``."""
    signer = HmacSigner(secrets)
    headers = {k.lower(): v for k, v in signer.headers(body, timestamp).items()}
    headers["content-type"] = "application/json"
    return headers


class WebhookReceiverWire(WireServer):
    """Receives signed posts at ``path`` (``/hooks/roomkit`` by default)."""

    def __init__(self, secret: str | None, *, path: str = "/hooks/roomkit", port: int = 0) -> None:
        super().__init__(port=port)
        self.path = path
        self._verifier = HmacVerifier(secret) if secret else None

    @property
    def endpoint(self) -> str:
        """The full URL to configure as the provider's ``webhook_url``."""
        return self.url + self.path

    def handle(self, request: RecordedRequest) -> WireResponse:
        if request.method != "POST" or request.path != self.path:
            return WireResponse.json({"error": "not found"}, status=404)
        if self._verifier is not None:
            try:
                self._verifier.verify(
                    WebhookRequest(
                        "POST",
                        self.endpoint,
                        request.headers,
                        request.body,
                        received_at=time.time(),
                    )
                )
            except WebhookSignatureError as exc:
                return WireResponse.json({"error": exc.reason}, status=401)
        try:
            request.json()
        except ValueError:
            return WireResponse.json({"error": "body is not JSON"}, status=400)
        return WireResponse.json({"received": True})
