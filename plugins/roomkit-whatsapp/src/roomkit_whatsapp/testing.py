"""The conformance harness of ``roomkit-whatsapp``: the provider against the Cloud API fake.

``conformance_harness()`` (the descriptor's ``conformance=``) starts a
:class:`~roomkit_conformance.wire.whatsapp.WhatsAppCloudWire` on 127.0.0.1, builds a
:class:`WhatsAppCloudProvider` pointed at it (1-second timeout) and yields a
:class:`~roomkit_conformance.suites.messaging.MessagingHarness` whose wire reads the
messages the fake received and builds webhooks signed as Meta signs them. Needs
``pip install roomkit-whatsapp[test]``.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence

from roomkit.messaging.webhook import WebhookRequest
from roomkit.models.enums import DeliveryStatus
from roomkit_conformance.suites.messaging import MessagingHarness, SentMessage
from roomkit_conformance.wire.meta import META_SIGNATURE_HEADER, meta_dumps, sign_meta
from roomkit_conformance.wire.view import WireServerView
from roomkit_conformance.wire.whatsapp import (
    WhatsAppCloudWire,
    media_message,
    messages_value,
    status_entry,
    statuses_value,
    text_message,
    waba_webhook,
)
from roomkit_whatsapp.config import WhatsAppCloudConfig
from roomkit_whatsapp.provider import WhatsAppCloudProvider

__all__ = [
    "CONFORMANCE_APP_SECRET",
    "CONFORMANCE_PHONE_NUMBER_ID",
    "CONFORMANCE_TOKEN",
    "WhatsAppWireView",
    "conformance_harness",
]

CONFORMANCE_TOKEN = "EAAG-conformance-whatsapp-token"
CONFORMANCE_APP_SECRET = "conformance-whatsapp-app-secret"
CONFORMANCE_PHONE_NUMBER_ID = "106540352242922"
_URL = "https://hooks.example.test/whatsapp"
_WORDS = {
    DeliveryStatus.SENT: "sent",
    DeliveryStatus.DELIVERED: "delivered",
    DeliveryStatus.READ: "read",
    DeliveryStatus.FAILED: "failed",
}


class WhatsAppWireView(WireServerView):
    """The :class:`~roomkit_conformance.suites.messaging.MessagingWire` of
    :class:`WhatsAppCloudWire`."""

    signature_headers = frozenset({META_SIGNATURE_HEADER})
    fault_body = {"error": {"message": "scripted {status}", "type": "OAuthException", "code": 100}}

    def __init__(self, server: WhatsAppCloudWire, app_secret: str = CONFORMANCE_APP_SECRET) -> None:
        super().__init__(server)
        self.app_secret = app_secret
        self.phone_number_id = server.phone_number_id

    async def sent(self) -> list[SentMessage]:
        found = []
        for request in self.server.requests:
            if not request.path.endswith("/messages"):
                continue
            body = request.json()
            if "to" not in body:
                continue  # a read receipt
            to = "+" + str(body["to"]).lstrip("+")
            kind = body.get("type", "text")
            part = body.get(kind) or {}
            if kind == "text":
                found.append(SentMessage(to, str(part.get("body", "")), (), body))
            elif "link" in part:
                found.append(SentMessage(to, str(part.get("caption", "")), (part["link"],), body))
            else:
                text = str((part.get("body") or {}).get("text", ""))
                found.append(SentMessage(to, text, (), body))
        return found

    def signed(self, body: bytes, content_type: str = "application/json") -> WebhookRequest:
        headers = sign_meta(body, self.app_secret)
        headers["content-type"] = content_type
        return WebhookRequest("POST", _URL, headers, body)

    def inbound(
        self, *, sender: str, text: str, message_id: str, media: Sequence[str] = ()
    ) -> WebhookRequest:
        if media:
            message = media_message(
                sender=sender, message_id=message_id, url=media[0], caption=text or None
            )
        else:
            message = text_message(sender=sender, message_id=message_id, text=text)
        value = messages_value(self.phone_number_id, [message])
        return self.signed(meta_dumps(waba_webhook(value)))

    def status(self, *, message_id: str, status: DeliveryStatus) -> WebhookRequest:
        entry = status_entry(
            message_id=message_id,
            status=_WORDS[status],
            recipient="+15550199",
            error_code=131026 if status == DeliveryStatus.FAILED else None,
        )
        return self.signed(meta_dumps(waba_webhook(statuses_value(self.phone_number_id, [entry]))))

    def replayed(self, request: WebhookRequest) -> WebhookRequest | None:
        return None  # no timestamp in Meta's signature: replays are caught by wamid ids


async def conformance_harness() -> AsyncIterator[MessagingHarness]:
    """A WhatsAppCloudProvider against a local Cloud API fake, with the fake's wire view."""
    server = WhatsAppCloudWire(CONFORMANCE_TOKEN, phone_number_id=CONFORMANCE_PHONE_NUMBER_ID)
    async with server:
        provider = WhatsAppCloudProvider(
            WhatsAppCloudConfig(
                access_token=CONFORMANCE_TOKEN,
                phone_number_id=CONFORMANCE_PHONE_NUMBER_ID,
                app_secret=CONFORMANCE_APP_SECRET,
                graph_url=server.url,
                timeout=1.0,
            )
        )
        try:
            yield MessagingHarness(provider, WhatsAppWireView(server))
        finally:
            await provider.close()
