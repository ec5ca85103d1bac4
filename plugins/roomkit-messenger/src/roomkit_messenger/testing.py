"""The conformance harness of ``roomkit-messenger``: the provider against the Send API fake.

``conformance_harness()`` (the descriptor's ``conformance=``) starts a
:class:`~roomkit_conformance.wire.messenger.MessengerWire` on 127.0.0.1, builds a
:class:`FacebookMessengerProvider` pointed at it (1-second timeout) and yields a
:class:`~roomkit_conformance.suites.messaging.MessagingHarness` whose wire reads the
messages the fake received and builds webhooks signed as Meta signs them. Needs
``pip install roomkit-messenger[test]``.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence

from roomkit.messaging.webhook import WebhookRequest
from roomkit.models.enums import DeliveryStatus
from roomkit_conformance.suites.messaging import MessagingHarness, SentMessage
from roomkit_conformance.wire.messenger import (
    MessengerWire,
    attachments_event,
    delivery_event,
    page_webhook,
    text_event,
)
from roomkit_conformance.wire.meta import META_SIGNATURE_HEADER, meta_dumps, sign_meta
from roomkit_conformance.wire.view import WireServerView
from roomkit_messenger.config import MessengerConfig
from roomkit_messenger.provider import FacebookMessengerProvider

__all__ = [
    "CONFORMANCE_APP_SECRET",
    "CONFORMANCE_PAGE_ID",
    "CONFORMANCE_TOKEN",
    "CONFORMANCE_VERIFY_TOKEN",
    "MessengerWireView",
    "conformance_harness",
]

CONFORMANCE_TOKEN = "EAAG-conformance-page-token"
CONFORMANCE_APP_SECRET = "conformance-messenger-app-secret"
CONFORMANCE_VERIFY_TOKEN = "conformance-verify-token"
CONFORMANCE_PAGE_ID = "1000000001"
RECIPIENT = "24680135792468013"
SENDER = "13579246801357924"
_URL = "https://hooks.example.test/messenger"


class MessengerWireView(WireServerView):
    """The :class:`~roomkit_conformance.suites.messaging.MessagingWire` of
    :class:`MessengerWire`."""

    signature_headers = frozenset({META_SIGNATURE_HEADER})
    fault_body = {"error": {"message": "scripted {status}", "type": "OAuthException", "code": 100}}

    def __init__(self, server: MessengerWire, app_secret: str = CONFORMANCE_APP_SECRET) -> None:
        super().__init__(server)
        self.app_secret = app_secret
        self.page_id = server.page_id

    async def sent(self) -> list[SentMessage]:
        found = []
        for request in self.server.requests:
            if not request.path.endswith("/messages"):
                continue
            body = request.json()
            message = body.get("message")
            if not isinstance(message, dict):
                continue  # a sender action
            to = str(body["recipient"]["id"])
            attachment = message.get("attachment") or {}
            url = (attachment.get("payload") or {}).get("url")
            if url:
                found.append(SentMessage(to, "", (url,), body))
            else:
                found.append(SentMessage(to, str(message.get("text", "")), (), body))
        return found

    def signed(self, body: bytes, content_type: str = "application/json") -> WebhookRequest:
        headers = sign_meta(body, self.app_secret)
        headers["content-type"] = content_type
        return WebhookRequest("POST", _URL, headers, body)

    def inbound(
        self, *, sender: str, text: str, message_id: str, media: Sequence[str] = ()
    ) -> WebhookRequest:
        if media:
            event = attachments_event(
                sender=sender,
                page_id=self.page_id,
                mid=message_id,
                urls=[("image", url) for url in media],
                text=text,
            )
        else:
            event = text_event(sender=sender, page_id=self.page_id, mid=message_id, text=text)
        return self.signed(meta_dumps(page_webhook(self.page_id, [event])))

    def status(self, *, message_id: str, status: DeliveryStatus) -> WebhookRequest:
        if status != DeliveryStatus.DELIVERED:
            raise ValueError(f"Messenger reports deliveries only, not {status}")
        event = delivery_event(sender=RECIPIENT, page_id=self.page_id, mids=[message_id])
        return self.signed(meta_dumps(page_webhook(self.page_id, [event])))

    def replayed(self, request: WebhookRequest) -> WebhookRequest | None:
        return None  # no timestamp in Meta's signature: replays are caught by message ids


async def conformance_harness() -> AsyncIterator[MessagingHarness]:
    """A FacebookMessengerProvider against a local Send API fake, with the fake's wire view."""
    server = MessengerWire(CONFORMANCE_TOKEN, page_id=CONFORMANCE_PAGE_ID)
    async with server:
        provider = FacebookMessengerProvider(
            MessengerConfig(
                page_access_token=CONFORMANCE_TOKEN,
                app_secret=CONFORMANCE_APP_SECRET,
                verify_token=CONFORMANCE_VERIFY_TOKEN,
                graph_url=server.url,
                timeout=1.0,
            )
        )
        try:
            yield MessagingHarness(
                provider, MessengerWireView(server), recipient=RECIPIENT, sender=SENDER
            )
        finally:
            await provider.close()
