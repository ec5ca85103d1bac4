"""The wire view of the kernel's messaging mocks, so they run the messaging suite.

A mock has no network: its "vendor" is the mock itself (``sent``, scripted failures, and the
signed JSON webhooks of :mod:`roomkit.providers.mock`). :class:`MockWire` presents that as a
:class:`~roomkit_conformance.suites.messaging.MessagingWire`; the conformance factories of the
built-in plugin (``roomkit_conformance.builtins``) wrap each mock in a harness with it.
"""

from __future__ import annotations

import json
import time
from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from roomkit.messaging.signing import SIGNATURE_HEADER, HmacSigner
from roomkit.messaging.webhook import WebhookRequest
from roomkit.models.content import MediaContent, TextContent
from roomkit.models.enums import DeliveryStatus
from roomkit.providers.mock import MockProviderBase
from roomkit_conformance.suites.messaging import MessagingHarness, SentMessage

__all__ = ["MOCK_WEBHOOK_SECRET", "MockWire", "mock_harness"]

#: The webhook secret the conformance mocks are built with.
MOCK_WEBHOOK_SECRET = "conformance-mock-secret"


class MockWire:
    """A :class:`MessagingWire` over a mock provider."""

    def __init__(self, provider: MockProviderBase, secret: str = MOCK_WEBHOOK_SECRET) -> None:
        self.provider = provider
        self._signer = HmacSigner(secret)

    async def reset(self) -> None:
        self.provider.reset()

    async def sent(self) -> list[SentMessage]:
        found = []
        for entry in self.provider.sent:
            content = entry["event"].content
            text = content.body if isinstance(content, TextContent) else ""
            media: tuple[str, ...] = ()
            if isinstance(content, MediaContent):
                text, media = content.caption or "", (content.url,)
            found.append(SentMessage(to=entry["to"], text=text, media_urls=media, raw=entry))
        return found

    async def fail(self, status: int, *, times: int = 1, retry_after: float | None = None) -> None:
        self.provider.fail_with_status(status, retry_after=retry_after, times=times)

    async def hang(self, seconds: float, *, times: int = 1) -> None:
        # A mock has no socket to time out on: it reports the timeout a real client would.
        self.provider.time_out_next(times=times)

    def inbound(
        self, *, sender: str, text: str, message_id: str, media: Sequence[str] = ()
    ) -> WebhookRequest:
        return self.provider.inbound_request(
            sender=sender,
            text=text,
            message_id=message_id,
            media=[{"url": url, "mime_type": "image/png"} for url in media],
        )

    def status(self, *, message_id: str, status: DeliveryStatus) -> WebhookRequest:
        word = {DeliveryStatus.FAILED: "undelivered"}.get(status, status.value)
        return self.provider.status_request(message_id=message_id, status=word)

    def signed(self, body: bytes, content_type: str) -> WebhookRequest:
        headers = {k.lower(): v for k, v in self._signer.headers(body).items()}
        headers["content-type"] = content_type
        return WebhookRequest(
            method="POST", url="http://127.0.0.1/mock", headers=headers, body=body
        )

    def unsigned(self, request: WebhookRequest) -> WebhookRequest:
        headers = {k: v for k, v in request.headers.items() if k != SIGNATURE_HEADER.lower()}
        return replace(request, headers=headers)

    def tampered(self, request: WebhookRequest) -> WebhookRequest:
        return replace(request, body=request.body + b" ")

    def replayed(self, request: WebhookRequest) -> WebhookRequest | None:
        data: Any = json.loads(request.body)
        return self.provider.signed_request(data, timestamp=int(time.time()) - 3600)


def mock_harness(provider: MockProviderBase, recipient: str = "+15550199") -> MessagingHarness:
    """A harness around a mock built with :data:`MOCK_WEBHOOK_SECRET`."""
    return MessagingHarness(provider, MockWire(provider), recipient=recipient)
