"""The conformance harness of ``roomkit-sendgrid``: the provider against the SendGrid wire
fake.

``conformance_harness()`` (the descriptor's ``conformance=``) starts a
:class:`~roomkit_conformance.wire.sendgrid.SendGridWire` on 127.0.0.1 with two webhook
signing keys (Event Webhook, Inbound Parse), builds a :class:`SendGridProvider` pointed at it
(1-second timeout) and yields a :class:`~roomkit_conformance.suites.messaging.
MessagingHarness` whose wire reads the mails the fake received and builds webhooks signed as
SendGrid signs them. Needs ``pip install roomkit-sendgrid[test]``.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import AsyncIterator, Sequence

from roomkit.messaging.webhook import WebhookRequest
from roomkit.models.enums import DeliveryStatus
from roomkit_conformance.suites.messaging import MessagingHarness, SentMessage
from roomkit_conformance.wire.sendgrid import (
    SendGridWire,
    WebhookSigner,
    event,
    inbound_parse_form,
)
from roomkit_conformance.wire.view import WireServerView
from roomkit_sendgrid.config import SendGridConfig
from roomkit_sendgrid.provider import SendGridProvider

__all__ = ["SendGridWireView", "conformance_harness"]

CONFORMANCE_KEY = "SG.conformance-key"
INBOX = "help@shop.example"
_URL = "https://hooks.example.test/sendgrid"
_LINK = re.compile(r"https?://\S+")
_EVENTS = {
    DeliveryStatus.DELIVERED: "delivered",
    DeliveryStatus.READ: "open",
    DeliveryStatus.FAILED: "bounce",
    DeliveryStatus.SENT: "processed",
}


class SendGridWireView(WireServerView):
    """The :class:`~roomkit_conformance.suites.messaging.MessagingWire` of the fake."""

    signature_headers = frozenset(
        {"x-twilio-email-event-webhook-signature", "x-twilio-email-event-webhook-timestamp"}
    )
    fault_body = {"errors": [{"message": "scripted {status}", "field": None, "help": None}]}

    def __init__(self, server: SendGridWire, events: WebhookSigner, inbound: WebhookSigner):
        super().__init__(server)
        self.events = events
        self.inbound_signer = inbound

    async def sent(self) -> list[SentMessage]:
        found = []
        for request in self.server.requests:
            if request.path != "/v3/mail/send":
                continue
            mail = request.json()
            to = mail["personalizations"][0]["to"][0]["email"]
            text = "".join(c["value"] for c in mail["content"] if c["type"] == "text/plain")
            found.append(SentMessage(to, text, tuple(_LINK.findall(text)), mail))
        return found

    def signed(
        self, body: bytes, content_type: str = "application/json", timestamp: int | None = None
    ) -> WebhookRequest:
        form = content_type.startswith("multipart/form-data")
        signer = self.inbound_signer if form else self.events
        headers = signer.headers(body, timestamp)
        headers["content-type"] = content_type
        return WebhookRequest("POST", _URL, headers, body)

    def inbound(
        self, *, sender: str, text: str, message_id: str, media: Sequence[str] = ()
    ) -> WebhookRequest:
        body, content_type = inbound_parse_form(
            sender=f"Ada <{sender}>",
            to=INBOX,
            subject="Question",
            text=text,
            message_id=message_id,
        )
        return self.signed(body, content_type)

    def status(self, *, message_id: str, status: DeliveryStatus) -> WebhookRequest:
        body = json.dumps([event(_EVENTS[status], x_message_id=message_id)]).encode()
        return self.signed(body)

    def replayed(self, request: WebhookRequest) -> WebhookRequest | None:
        content_type = request.header("content-type") or "application/json"
        return self.signed(request.body, content_type, timestamp=int(time.time()) - 3600)


async def conformance_harness() -> AsyncIterator[MessagingHarness]:
    """A SendGridProvider against a local SendGrid fake, with the fake's wire view."""
    server = SendGridWire(CONFORMANCE_KEY)
    events, inbound = WebhookSigner(), WebhookSigner()
    async with server:
        provider = SendGridProvider(
            SendGridConfig(
                api_key=CONFORMANCE_KEY,
                from_email=INBOX,
                from_name="Shop",
                base_url=server.url + "/v3/mail/send",
                event_webhook_public_key=events.public_key,
                inbound_parse_public_key=inbound.public_key,
                timeout=1.0,
            )
        )
        try:
            yield MessagingHarness(
                provider,
                SendGridWireView(server, events, inbound),
                recipient="ada@example.com",
                sender="ada@example.com",
            )
        finally:
            await provider.close()
