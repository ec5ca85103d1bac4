"""The conformance harness of ``roomkit-elasticemail``: the provider against the Elastic
Email wire fake.

``conformance_harness()`` (the descriptor's ``conformance=``) starts an
:class:`~roomkit_conformance.wire.elasticemail.ElasticEmailWire` on 127.0.0.1, builds an
:class:`ElasticEmailProvider` pointed at it (1-second timeout) and yields a
:class:`~roomkit_conformance.suites.messaging.MessagingHarness`. Elastic Email's
notifications are not signed (a URL token authenticates them), so the suite's signature
checks do not apply; the plugin's own tests cover the notification route. Needs
``pip install roomkit-elasticemail[test]``.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Sequence
from dataclasses import replace
from urllib.parse import parse_qsl

from roomkit.messaging.webhook import WebhookRequest
from roomkit.models.enums import DeliveryStatus
from roomkit_conformance.suites.messaging import MessagingHarness, SentMessage
from roomkit_conformance.wire.elasticemail import (
    ElasticEmailWire,
    notification,
    notification_query,
)
from roomkit_conformance.wire.view import WireServerView
from roomkit_elasticemail.config import ElasticEmailConfig
from roomkit_elasticemail.notifications import TOKEN_PARAMETER
from roomkit_elasticemail.provider import ElasticEmailProvider

__all__ = ["CONFORMANCE_TOKEN", "ElasticEmailWireView", "conformance_harness"]

CONFORMANCE_KEY = "conformance-elastic-api-key"
CONFORMANCE_TOKEN = "conformance-notification-token"
_URL = "https://hooks.example.test/mail"
_LINK = re.compile(r"https?://\S+")
_WORDS = {
    DeliveryStatus.DELIVERED: ("Sent", None),
    DeliveryStatus.READ: ("Opened", None),
    DeliveryStatus.FAILED: ("Error", "NoMailbox"),
}


def _plain(message: dict[str, object]) -> str:
    content = message.get("Content")
    body = content.get("Body", []) if isinstance(content, dict) else []
    texts = [p["Content"] for p in body if p.get("ContentType") == "PlainText"]
    return "".join(texts)


class ElasticEmailWireView(WireServerView):
    """The :class:`~roomkit_conformance.suites.messaging.MessagingWire` of the fake."""

    fault_body = {"Error": "scripted {status}"}

    def __init__(self, server: ElasticEmailWire, token: str = CONFORMANCE_TOKEN) -> None:
        super().__init__(server)
        self.token = token

    async def sent(self) -> list[SentMessage]:
        found = []
        for request in self.server.requests:
            if not request.path.startswith("/v4/emails"):
                continue
            message = request.json()
            recipients = message["Recipients"]
            to = recipients["To"][0] if isinstance(recipients, dict) else recipients[0]["Email"]
            text = _plain(message)
            found.append(SentMessage(to, text, tuple(_LINK.findall(text)), message))
        return found

    def _get(self, query: str) -> WebhookRequest:
        return WebhookRequest("GET", f"{_URL}?{query}", {}, b"", query=dict(parse_qsl(query)))

    def signed(self, body: bytes, content_type: str = "application/json") -> WebhookRequest:
        return WebhookRequest(
            "POST",
            f"{_URL}?{TOKEN_PARAMETER}={self.token}",
            {"content-type": content_type},
            body,
            query={TOKEN_PARAMETER: self.token},
        )

    def inbound(
        self, *, sender: str, text: str, message_id: str, media: Sequence[str] = ()
    ) -> WebhookRequest:
        raise NotImplementedError("roomkit-elasticemail receives no inbound email")

    def status(self, *, message_id: str, status: DeliveryStatus) -> WebhookRequest:
        word, category = _WORDS[status]
        fields = notification(transaction=message_id, status=word, category=category)
        return self._get(notification_query(fields, self.token))

    def unsigned(self, request: WebhookRequest) -> WebhookRequest:
        query = {k: v for k, v in request.query.items() if k != TOKEN_PARAMETER}
        return replace(request, query=query, url=request.url.split("?", 1)[0])

    def tampered(self, request: WebhookRequest) -> WebhookRequest:
        # Nothing is signed: a changed notification that keeps the token passes.
        return replace(request, query={**request.query, "status": "Error"})

    def replayed(self, request: WebhookRequest) -> WebhookRequest | None:
        return None  # no timestamp: replays are caught by the server's dedupe


async def conformance_harness() -> AsyncIterator[MessagingHarness]:
    """An ElasticEmailProvider against a local Elastic Email fake, with its wire view."""
    server = ElasticEmailWire(CONFORMANCE_KEY)
    async with server:
        provider = ElasticEmailProvider(
            ElasticEmailConfig(
                api_key=CONFORMANCE_KEY,
                from_email="help@shop.example",
                from_name="Shop",
                base_url=server.url + "/v4",
                webhook_token=CONFORMANCE_TOKEN,
                timeout=1.0,
            )
        )
        try:
            yield MessagingHarness(
                provider,
                ElasticEmailWireView(server),
                recipient="ada@example.com",
                sender="bob@example.com",
            )
        finally:
            await provider.close()
