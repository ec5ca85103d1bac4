"""The conformance harness of ``roomkit-telegram``: the provider against the Bot API fake.

``conformance_harness()`` (the descriptor's ``conformance=``) starts a
:class:`~roomkit_conformance.wire.telegram.TelegramWire` on 127.0.0.1, builds a
:class:`TelegramBotProvider` pointed at it (1-second timeout) and yields a
:class:`~roomkit_conformance.suites.messaging.MessagingHarness` whose wire reads the
messages the fake received and builds webhook updates carrying the secret token. Needs
``pip install roomkit-telegram[test]``.

Telegram's secret token does not cover the body: a *tampered* request here is one whose
token was guessed (a forger who changed the body does not know the secret); an *unsigned*
one has no token header.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from dataclasses import replace

from roomkit.messaging.webhook import WebhookRequest
from roomkit.models.enums import DeliveryStatus
from roomkit_conformance.suites.messaging import MessagingHarness, SentMessage
from roomkit_conformance.wire.meta import meta_dumps
from roomkit_conformance.wire.telegram import (
    SECRET_HEADER,
    TelegramWire,
    message_update,
    photo_update,
)
from roomkit_conformance.wire.view import WireServerView
from roomkit_telegram.config import TelegramConfig
from roomkit_telegram.provider import TelegramBotProvider

__all__ = [
    "CONFORMANCE_SECRET",
    "CONFORMANCE_TOKEN",
    "TelegramWireView",
    "conformance_harness",
]

CONFORMANCE_TOKEN = "123456789:conformance-telegram-bot-token"
CONFORMANCE_SECRET = "conformance-telegram-secret"
RECIPIENT = "424242"
SENDER = "135791"
_URL = "https://hooks.example.test/telegram"
_MEDIA_FIELDS = ("photo", "video", "audio", "voice", "document", "animation")


class TelegramWireView(WireServerView):
    """The :class:`~roomkit_conformance.suites.messaging.MessagingWire` of
    :class:`TelegramWire` (see the module docstring for tampered requests)."""

    signature_headers = frozenset({SECRET_HEADER})
    fault_body = {"ok": False, "error_code": "{status}", "description": "scripted {status}"}

    def __init__(self, server: TelegramWire, secret: str = CONFORMANCE_SECRET) -> None:
        super().__init__(server)
        self.secret = secret
        self._update_id = 1000

    async def sent(self) -> list[SentMessage]:
        found = []
        for request in self.server.requests:
            method = request.path.rpartition("/")[2]
            if not method.startswith("send") or method == "sendChatAction":
                continue
            body = request.json()
            to = str(body.get("chat_id"))
            media = tuple(str(body[f]) for f in _MEDIA_FIELDS if f in body)
            text = str(body.get("text") or body.get("caption") or "")
            found.append(SentMessage(to, text, media, body))
        return found

    def signed(self, body: bytes, content_type: str = "application/json") -> WebhookRequest:
        headers = {"content-type": content_type, SECRET_HEADER: self.secret}
        return WebhookRequest("POST", _URL, headers, body)

    def tampered(self, request: WebhookRequest) -> WebhookRequest:
        headers = {**request.headers, SECRET_HEADER: self.secret + "-guessed"}
        return replace(request, headers=headers, body=request.body + b" ")

    def inbound(
        self, *, sender: str, text: str, message_id: str, media: Sequence[str] = ()
    ) -> WebhookRequest:
        self._update_id += 1
        if media:
            update = photo_update(
                update_id=self._update_id,
                chat_id=int(sender),
                message_id=message_id,
                file_id=media[0],
                caption=text,
            )
        else:
            update = message_update(
                update_id=self._update_id, chat_id=int(sender), message_id=message_id, text=text
            )
        return self.signed(meta_dumps(update))

    def status(self, *, message_id: str, status: DeliveryStatus) -> WebhookRequest:
        raise ValueError("Telegram sends no delivery statuses to bots")

    def replayed(self, request: WebhookRequest) -> WebhookRequest | None:
        return None  # no timestamp in Telegram's scheme: replays are caught by message ids


async def conformance_harness() -> AsyncIterator[MessagingHarness]:
    """A TelegramBotProvider against a local Bot API fake, with the fake's wire view."""
    server = TelegramWire(CONFORMANCE_TOKEN)
    async with server:
        provider = TelegramBotProvider(
            TelegramConfig(
                bot_token=CONFORMANCE_TOKEN,
                webhook_secret=CONFORMANCE_SECRET,
                api_url=server.url,
                timeout=1.0,
            )
        )
        try:
            yield MessagingHarness(
                provider, TelegramWireView(server), recipient=RECIPIENT, sender=SENDER
            )
        finally:
            await provider.close()
