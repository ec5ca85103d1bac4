"""The conformance harness of ``roomkit-sinch``: the provider against the Sinch wire fake.

``conformance_harness()`` (the descriptor's ``conformance=``) starts a
:class:`~roomkit_conformance.wire.sinch.SinchWire` on 127.0.0.1, builds a
:class:`SinchSMSProvider` pointed at it (1-second timeout) and yields a
:class:`~roomkit_conformance.suites.messaging.MessagingHarness` whose wire reads the batches
the fake received and builds callbacks signed as Sinch signs them. Needs
``pip install roomkit-sinch[test]``.
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Sequence

from roomkit.messaging.webhook import WebhookRequest
from roomkit.models.enums import DeliveryStatus
from roomkit_conformance.suites.messaging import MessagingHarness, SentMessage
from roomkit_conformance.wire.sinch import (
    SIGNATURE_HEADERS,
    SinchWire,
    dumps,
    mo_media,
    mo_text,
    recipient_delivery_report,
    sign_callback,
)
from roomkit_conformance.wire.view import WireServerView
from roomkit_sinch.config import SinchConfig
from roomkit_sinch.provider import SinchSMSProvider

__all__ = ["CONFORMANCE_SECRET", "SinchWireView", "conformance_harness"]

CONFORMANCE_PLAN = "conformance-plan"
CONFORMANCE_TOKEN = "conformance-sinch-token"
CONFORMANCE_SECRET = "conformance-sinch-callback-secret"
FROM_NUMBER = "+15550001111"
_URL = "https://hooks.example.test/sinch"
_WORDS = {
    DeliveryStatus.DELIVERED: ("Delivered", 0),
    DeliveryStatus.FAILED: ("Failed", 402),
    DeliveryStatus.SENT: ("Dispatched", 0),
}


class SinchWireView(WireServerView):
    """The :class:`~roomkit_conformance.suites.messaging.MessagingWire` of :class:`SinchWire`."""

    signature_headers = frozenset(SIGNATURE_HEADERS)
    fault_body = {"code": "scripted", "text": "scripted {status}"}

    def __init__(self, server: SinchWire, secret: str = CONFORMANCE_SECRET) -> None:
        super().__init__(server)
        self.secret = secret

    async def sent(self) -> list[SentMessage]:
        found = []
        for request in self.server.requests:
            if not request.path.endswith("/batches"):
                continue
            batch = request.json()
            body = batch["body"]
            if isinstance(body, dict):
                found.append(
                    SentMessage(batch["to"][0], body.get("message", ""), (body["url"],), batch)
                )
            else:
                found.append(SentMessage(batch["to"][0], body, (), batch))
        return found

    def signed(
        self, body: bytes, content_type: str = "application/json", timestamp: int | None = None
    ) -> WebhookRequest:
        headers = sign_callback(body, self.secret, timestamp=timestamp)
        headers["content-type"] = content_type
        return WebhookRequest("POST", _URL, headers, body)

    def inbound(
        self, *, sender: str, text: str, message_id: str, media: Sequence[str] = ()
    ) -> WebhookRequest:
        if media:
            data = mo_media(
                message_id=message_id,
                sender=sender,
                to=FROM_NUMBER,
                message=text,
                media=[(url, "image/png") for url in media],
            )
        else:
            data = mo_text(message_id=message_id, sender=sender, to=FROM_NUMBER, body=text)
        return self.signed(dumps(data))

    def status(self, *, message_id: str, status: DeliveryStatus) -> WebhookRequest:
        word, code = _WORDS[status]
        data = recipient_delivery_report(
            batch_id=message_id, recipient="+15550199", status=word, code=code
        )
        return self.signed(dumps(data))

    def replayed(self, request: WebhookRequest) -> WebhookRequest | None:
        return self.signed(request.body, timestamp=int(time.time()) - 3600)


async def conformance_harness() -> AsyncIterator[MessagingHarness]:
    """A SinchSMSProvider against a local Sinch fake, with the fake's wire view."""
    server = SinchWire(CONFORMANCE_PLAN, CONFORMANCE_TOKEN)
    async with server:
        provider = SinchSMSProvider(
            SinchConfig(
                service_plan_id=CONFORMANCE_PLAN,
                api_token=CONFORMANCE_TOKEN,
                from_number=FROM_NUMBER,
                webhook_secret=CONFORMANCE_SECRET,
                base_url=server.url,
                timeout=1.0,
            )
        )
        try:
            yield MessagingHarness(provider, SinchWireView(server))
        finally:
            await provider.close()
