"""Conformance fixtures: the Telnyx providers over the Telnyx wire fake (real socket, httpx),
webhooks signed with the fake's ed25519 test key.

``sms_harness()`` / ``rcs_harness()`` are async context managers giving a
:class:`~roomkit_conformance.suites.messaging.MessagingHarness`; :class:`TelnyxWireView` is
the fake seen as a ``MessagingWire``. Requires ``roomkit-conformance`` (the ``test`` extra).
"""

from __future__ import annotations

import json
import time
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Any

from roomkit.messaging.webhook import WebhookRequest
from roomkit.models.enums import DeliveryStatus
from roomkit.providers.messaging import MessagingProvider
from roomkit_conformance.suites.messaging import MessagingHarness, SentMessage
from roomkit_conformance.wire.telnyx import TelnyxWire
from roomkit_telnyx.config import TelnyxConfig, TelnyxRCSConfig
from roomkit_telnyx.rcs import TelnyxRCSProvider
from roomkit_telnyx.sms import TelnyxSMSProvider

__all__ = ["HOOK_URL", "TelnyxWireView", "rcs_harness", "sms_harness"]

HOOK_URL = "https://hooks.example.com/webhooks/telnyx"
_WORDS = {
    DeliveryStatus.DELIVERED: "delivered",
    DeliveryStatus.FAILED: "delivery_failed",
    DeliveryStatus.READ: "read",
    DeliveryStatus.SENT: "sent",
}


def _sent_text_and_media(body: dict[str, Any]) -> tuple[str, tuple[str, ...]]:
    if "agent_message" not in body:
        return str(body.get("text") or ""), tuple(body.get("media_urls") or ())
    message = body["agent_message"].get("content_message") or {}
    card = (message.get("rich_card") or {}).get("standalone_card", {}).get("card_content", {})
    media = card.get("media", {}).get("content_info", {}).get("file_url")
    info = (message.get("content_info") or {}).get("file_url")
    urls = tuple(u for u in (media, info) if u)
    return str(message.get("text") or card.get("description") or ""), urls


class TelnyxWireView:
    """A ``MessagingWire`` over :class:`TelnyxWire`; ``rcs_agent`` makes inbound messages
    RCS messages to that agent."""

    def __init__(self, server: TelnyxWire, *, rcs_agent: str | None = None) -> None:
        self.server = server
        self.rcs_agent = rcs_agent

    async def reset(self) -> None:
        self.server.reset()

    async def sent(self) -> list[SentMessage]:
        found = []
        for request in self.server.requests:
            if request.method == "POST" and request.path.startswith("/v2/messages"):
                body = request.json()
                text, media = _sent_text_and_media(body)
                found.append(SentMessage(str(body.get("to")), text, media, body))
        return found

    async def fail(self, status: int, *, times: int = 1, retry_after: float | None = None) -> None:
        self.server.fail(status, times=times, retry_after=retry_after)

    async def hang(self, seconds: float, *, times: int = 1) -> None:
        self.server.hang(seconds, times=times)

    def signed(
        self, body: bytes, content_type: str = "application/json", timestamp: int | None = None
    ) -> WebhookRequest:
        headers = {"content-type": content_type, **self.server.sign(body, timestamp)}
        return WebhookRequest("POST", HOOK_URL, headers, body)

    def inbound(
        self, *, sender: str, text: str, message_id: str, media: Sequence[str] = ()
    ) -> WebhookRequest:
        event = self.server.inbound_event(
            sender=sender,
            to="+15550001111",
            text=text,
            message_id=message_id,
            media=[(url, "image/png") for url in media],
            rcs_agent=self.rcs_agent,
        )
        return self.signed(json.dumps(event).encode())

    def status(self, *, message_id: str, status: DeliveryStatus) -> WebhookRequest:
        event = self.server.status_event(
            message_id=message_id,
            status=_WORDS[status],
            error_code="40008" if status == DeliveryStatus.FAILED else None,
        )
        return self.signed(json.dumps(event).encode())

    def unsigned(self, request: WebhookRequest) -> WebhookRequest:
        headers = {k: v for k, v in request.headers.items() if not k.startswith("telnyx-")}
        return WebhookRequest(request.method, request.url, headers, request.body)

    def tampered(self, request: WebhookRequest) -> WebhookRequest:
        return WebhookRequest(request.method, request.url, request.headers, request.body + b" ")

    def replayed(self, request: WebhookRequest) -> WebhookRequest | None:
        return self.signed(request.body, timestamp=int(time.time()) - 3600)


@asynccontextmanager
async def _harness(
    build: Callable[[TelnyxWire], MessagingProvider], rcs_agent: str | None = None
) -> AsyncIterator[MessagingHarness]:
    async with TelnyxWire() as server:
        assert isinstance(server, TelnyxWire)
        provider = build(server)
        try:
            view = TelnyxWireView(server, rcs_agent=rcs_agent)
            yield MessagingHarness(provider, view, recipient="+15550199", timeout_seconds=1.0)
        finally:
            await provider.close()


def _sms(server: TelnyxWire) -> MessagingProvider:
    config = TelnyxConfig(
        api_key=server.api_key,
        from_number="+15550001111",
        timeout=1.0,
        api_base_url=server.url,
        public_key=server.public_key,
    )
    return TelnyxSMSProvider(config)


def _rcs(server: TelnyxWire) -> MessagingProvider:
    config = TelnyxRCSConfig(
        api_key=server.api_key,
        agent_id="roomkit_agent",
        messaging_profile_id="40017f8a-0000-4000-8000-000000000001",
        fallback_from="+15550001111",
        timeout=1.0,
        api_base_url=server.url,
    )
    return TelnyxRCSProvider(config, public_key=server.public_key)


def sms_harness() -> AbstractAsyncContextManager[MessagingHarness]:
    """``TelnyxSMSProvider`` over a fresh :class:`TelnyxWire` (1-second timeout)."""
    return _harness(_sms)


def rcs_harness() -> AbstractAsyncContextManager[MessagingHarness]:
    """``TelnyxRCSProvider`` over a fresh :class:`TelnyxWire`."""
    return _harness(_rcs, "roomkit_agent")
