"""The conformance harness of ``roomkit-webhook``: the provider against a local receiver.

``conformance_harness()`` (the descriptor's ``conformance=``) starts a
:class:`~roomkit_conformance.wire.webhook.WebhookReceiverWire` on 127.0.0.1, builds a
:class:`WebhookHTTPProvider` posting to it (1-second timeout), and yields a
:class:`~roomkit_conformance.suites.messaging.MessagingHarness`. Needs
``pip install roomkit-webhook[test]``.
"""

from __future__ import annotations

import json
import time
from collections.abc import AsyncIterator, Sequence
from typing import Any

from roomkit.messaging.signing import SIGNATURE_HEADER
from roomkit.messaging.webhook import WebhookRequest
from roomkit.models.enums import DeliveryStatus
from roomkit_conformance.suites.messaging import MessagingHarness, SentMessage
from roomkit_conformance.wire.view import WireServerView
from roomkit_conformance.wire.webhook import WebhookReceiverWire, signed_webhook_headers
from roomkit_webhook.config import HTTPProviderConfig
from roomkit_webhook.provider import WebhookHTTPProvider

__all__ = ["CONFORMANCE_SECRET", "WebhookWireView", "conformance_harness"]

#: The shared secret of the conformance harness.
CONFORMANCE_SECRET = "conformance-webhook-secret"
_URL = "https://hooks.example.test/roomkit"


class WebhookWireView(WireServerView):
    """The :class:`~roomkit_conformance.suites.messaging.MessagingWire` of the receiver."""

    signature_headers = frozenset({SIGNATURE_HEADER.lower()})

    def __init__(self, server: WebhookReceiverWire, secret: str = CONFORMANCE_SECRET) -> None:
        super().__init__(server)
        self.receiver = server
        self.secret = secret

    async def sent(self) -> list[SentMessage]:
        found = []
        for request in self.server.requests:
            if request.path != self.receiver.path:
                continue
            body = request.json()
            content: dict[str, Any] = body["content"]
            text = content.get("body") or content.get("caption") or ""
            media = (content["url"],) if content.get("type") == "media" else ()
            found.append(SentMessage(body["recipient_id"], text, media, body))
        return found

    def signed(
        self, body: bytes, content_type: str = "application/json", timestamp: int | None = None
    ) -> WebhookRequest:
        headers = signed_webhook_headers(body, self.secret, timestamp=timestamp)
        headers["content-type"] = content_type
        return WebhookRequest("POST", _URL, headers, body)

    def inbound(
        self, *, sender: str, text: str, message_id: str, media: Sequence[str] = ()
    ) -> WebhookRequest:
        data: dict[str, Any] = {"sender_id": sender, "body": text, "external_id": message_id}
        if media:
            data["media"] = [{"url": url, "mime_type": "image/png"} for url in media]
        return self.signed(json.dumps(data).encode())

    def status(self, *, message_id: str, status: DeliveryStatus) -> WebhookRequest:
        data = {"type": "status", "message_id": message_id, "status": status.value}
        return self.signed(json.dumps(data).encode())

    def replayed(self, request: WebhookRequest) -> WebhookRequest | None:
        return self.signed(request.body, timestamp=int(time.time()) - 3600)


async def conformance_harness() -> AsyncIterator[MessagingHarness]:
    """A provider posting to a local receiver, with the receiver's wire view."""
    server = WebhookReceiverWire(CONFORMANCE_SECRET)
    async with server:
        provider = WebhookHTTPProvider(
            HTTPProviderConfig(
                webhook_url=server.endpoint,
                secret=CONFORMANCE_SECRET,
                timeout=1.0,
                allow_private_network=True,
            )
        )
        try:
            yield MessagingHarness(
                provider, WebhookWireView(server), recipient="user-42", sender="partner-7"
            )
        finally:
            await provider.close()
