"""The messaging-provider conformance suite (kinds ``sms_provider``, ``rcs_provider``,
``email_provider`` and ``messaging_provider``).

Subclass :class:`MessagingProviderSuite` and provide a ``component`` fixture yielding a
:class:`MessagingHarness`: the provider under test (pointed at its vendor's wire fake, with
**retries off** and a request timeout of ``timeout_seconds``), and a :class:`MessagingWire`
that reads what the vendor received, scripts the vendor's faults, and builds webhook requests
signed exactly as the vendor signs them::

    class TestAcmeSMS(MessagingProviderSuite):
        capabilities = {"media", "webhooks", "inbound_media", "delivery_receipts"}

        @pytest.fixture
        async def component(self):
            async with AcmeWire() as server:                 # a WireServer subclass
                provider = AcmeSMSProvider(AcmeConfig(base_url=server.url, api_key="k",
                                                      webhook_secret=SECRET, timeout=1.0))
                yield MessagingHarness(provider, AcmeWireView(server), recipient="+15550199")
                await provider.close()

Capabilities: ``media`` (sends media), ``webhooks`` (receives webhooks), ``inbound_media``,
``delivery_receipts`` (status callbacks), ``read_receipts`` (a "read" status).

Checked: sending text, long and non-Latin text, media; unique message ids and concurrent
sends; vendor 4xx -> permanent, 408/425/429/5xx -> retryable (``Retry-After`` carried),
timeouts -> retryable within a bounded time, never an exception; inbound parsing of text and
media; signatures accepted, tampered, missing and replayed, verified before parsing;
malformed bodies; idempotent vendor retries (one stored event); status mapping and the
event's delivery record updated through a real kit.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar, Protocol, runtime_checkable

import pytest
import pytest_asyncio

from roomkit.channels.messaging import MessagingChannel
from roomkit.core.webhooks import process_webhook_item
from roomkit.errors import PermanentProviderError, TransientProviderError, WebhookError
from roomkit.messaging.index import InMemoryMessageIndex
from roomkit.messaging.webhook import (
    WebhookEndpoint,
    WebhookRequest,
    dedupe_key,
)
from roomkit.models.content import CompositeContent, MediaContent, TextContent
from roomkit.models.delivery import DeliveryStatusUpdate, ProviderResult
from roomkit.models.enums import ChannelDirection, ChannelType, DeliveryStatus, EventStatus
from roomkit.models.event import EventSource, InboundMessage, RoomEvent
from roomkit.models.room import ChannelCapabilities
from roomkit.providers.messaging import MessagingProvider
from roomkit_conformance.base import SuiteBase, requires

__all__ = [
    "MessagingHarness",
    "MessagingProviderSuite",
    "MessagingWire",
    "SentMessage",
    "sample_event",
]

PNG_URL = "https://media.example.invalid/cat.png"


@dataclass(frozen=True)
class SentMessage:
    """One message as the vendor received it."""

    to: str
    text: str = ""
    media_urls: tuple[str, ...] = ()
    raw: Any = None


@runtime_checkable
class MessagingWire(Protocol):
    """The vendor side of a provider under test."""

    async def reset(self) -> None:
        """Forget what was received and every scripted fault."""

    async def sent(self) -> list[SentMessage]:
        """The messages the vendor received so far, oldest first."""

    async def fail(self, status: int, *, times: int = 1, retry_after: float | None = None) -> None:
        """Answer the next ``times`` sends with HTTP ``status`` (``Retry-After`` when given)."""

    async def hang(self, seconds: float, *, times: int = 1) -> None:
        """Hold the next answers for ``seconds`` (longer than the provider's timeout)."""

    def inbound(
        self, *, sender: str, text: str, message_id: str, media: Sequence[str] = ()
    ) -> WebhookRequest:
        """A webhook carrying a message from ``sender``, signed as the vendor signs it."""

    def status(self, *, message_id: str, status: DeliveryStatus) -> WebhookRequest:
        """The vendor's signed status callback meaning ``status`` for ``message_id``."""

    def signed(self, body: bytes, content_type: str) -> WebhookRequest:
        """Any body, signed as the vendor signs (for malformed-body checks)."""

    def unsigned(self, request: WebhookRequest) -> WebhookRequest:
        """``request`` without its signature."""

    def tampered(self, request: WebhookRequest) -> WebhookRequest:
        """``request`` with its body changed after signing."""

    def replayed(self, request: WebhookRequest) -> WebhookRequest | None:
        """``request`` as it looks when played again an hour later, or ``None`` when the
        vendor's scheme has no timestamp (replays are then caught by dedupe only)."""


@dataclass
class MessagingHarness:
    """A provider under test and its vendor's wire fake.

    ``recipient`` is an address the vendor accepts; ``sender`` one inbound messages come
    from; ``timeout_seconds`` the request timeout the provider was built with.
    """

    provider: MessagingProvider
    wire: MessagingWire
    recipient: str = "+15550199"
    sender: str = "+15550100"
    timeout_seconds: float = 1.0
    extra: dict[str, Any] = field(default_factory=dict)


_KIND_TYPES = {
    "SMSProvider": ChannelType.SMS,
    "RCSProvider": ChannelType.RCS,
    "EmailProvider": ChannelType.EMAIL,
    "HTTPProvider": ChannelType.WEBHOOK,
    "MessengerProvider": ChannelType.MESSENGER,
    "WhatsAppPersonalProvider": ChannelType.WHATSAPP_PERSONAL,
    "WhatsAppProvider": ChannelType.WHATSAPP,
    "TelegramProvider": ChannelType.TELEGRAM,
    "TeamsProvider": ChannelType.TEAMS,
}


def _channel_type(provider: MessagingProvider) -> ChannelType:
    for cls in type(provider).__mro__:
        found = _KIND_TYPES.get(cls.__name__)
        if found is not None:
            return found
    return ChannelType.WEBHOOK


def sample_event(
    content: Any, *, metadata: dict[str, Any] | None = None, room_id: str = "conformance-room"
) -> RoomEvent:
    """A room event carrying ``content`` (as a peer channel wrote it), to hand to
    ``provider.send`` in tests."""
    return RoomEvent(
        room_id=room_id,
        source=EventSource(
            channel_id="conformance-peer",
            channel_type=ChannelType.WEBSOCKET,
            direction=ChannelDirection.INBOUND,
        ),
        content=content,
        metadata=metadata or {},
    )


async def _send(harness: MessagingHarness, content: Any) -> ProviderResult:
    send = getattr(harness.provider, "send", None)
    assert send is not None, "a messaging provider has send()"
    result = await send(sample_event(content), harness.recipient)
    assert isinstance(result, ProviderResult), f"send returned {type(result).__name__}"
    return result


def _endpoint(harness: MessagingHarness) -> WebhookEndpoint:
    endpoints = harness.provider.webhook_endpoints()
    assert endpoints, "a provider claiming 'webhooks' returns webhook_endpoints()"
    return next(iter(endpoints.values()))


class MessagingProviderSuite(SuiteBase):
    """Conformance tests every messaging provider must pass (see the module docstring)."""

    #: How much longer than ``timeout_seconds`` a timed-out send may take (seconds).
    timeout_slack: ClassVar[float] = 5.0
    #: A long text every kind carries in one message (SMS channels split above 1,600).
    long_text_length: ClassVar[int] = 1500

    @pytest.fixture
    def harness(self, component: Any) -> MessagingHarness:
        """The harness (the ``component`` fixture's value)."""
        assert isinstance(component, MessagingHarness), "component must be a MessagingHarness"
        return component

    @pytest_asyncio.fixture
    async def wire(self, harness: MessagingHarness) -> MessagingWire:
        """The harness's wire, reset before the test."""
        await harness.wire.reset()
        return harness.wire

    # -- sending -------------------------------------------------------------------------------
    def test_is_a_messaging_provider(self, harness: MessagingHarness) -> None:
        assert isinstance(harness.provider, MessagingProvider)
        assert isinstance(harness.provider.name, str)
        assert harness.provider.name
        assert isinstance(harness.wire, MessagingWire)

    @pytest.mark.asyncio
    async def test_send_text_reaches_the_vendor(
        self, harness: MessagingHarness, wire: MessagingWire
    ) -> None:
        result = await _send(harness, TextContent(body="MARKER-send-51a hello"))
        assert result.success, result.error
        assert result.provider_message_id, "a sent message has the vendor's id"
        (sent,) = await wire.sent()
        assert sent.to == harness.recipient
        assert "MARKER-send-51a hello" in sent.text

    @pytest.mark.asyncio
    async def test_long_and_non_latin_text_arrives_whole(
        self, harness: MessagingHarness, wire: MessagingWire
    ) -> None:
        text = ("Grüße ✓ 日本 😀 " * 200)[: self.long_text_length]
        result = await _send(harness, TextContent(body=text))
        assert result.success, result.error
        received = "".join(s.text for s in await wire.sent())
        assert received == text

    @requires("media")
    @pytest.mark.asyncio
    async def test_send_media_with_caption(
        self, harness: MessagingHarness, wire: MessagingWire
    ) -> None:
        media = MediaContent(url=PNG_URL, mime_type="image/png", caption="MARKER-caption")
        result = await _send(harness, media)
        assert result.success, result.error
        sent = await wire.sent()
        assert any(PNG_URL in s.media_urls for s in sent), sent
        assert any("MARKER-caption" in s.text for s in sent), sent

    @pytest.mark.asyncio
    async def test_message_ids_are_unique_and_concurrent_sends_all_arrive(
        self, harness: MessagingHarness, wire: MessagingWire
    ) -> None:
        results = await asyncio.gather(
            *(_send(harness, TextContent(body=f"CONCURRENT-{n}-end")) for n in range(10))
        )
        assert all(r.success for r in results), [r.error for r in results if not r.success]
        ids = [r.provider_message_id for r in results]
        assert len(set(ids)) == 10, ids
        texts = " ".join(s.text for s in await wire.sent())
        assert all(f"CONCURRENT-{n}-end" in texts for n in range(10))

    # -- vendor failures -------------------------------------------------------------------
    @pytest.mark.asyncio
    @pytest.mark.parametrize(
        ("status", "retryable"),
        [(400, False), (401, False), (404, False), (408, True), (429, True), (500, True),
         (503, True)],
    )  # fmt: skip
    async def test_vendor_errors_are_classified(
        self, harness: MessagingHarness, wire: MessagingWire, status: int, retryable: bool
    ) -> None:
        await wire.fail(status, times=1)
        result = await _send(harness, TextContent(body="doomed"))
        assert not result.success, f"HTTP {status} must be a failed result"
        assert result.retryable is retryable, f"HTTP {status}: retryable={result.retryable}"
        assert result.status_code == status
        assert result.error
        expected = TransientProviderError if retryable else PermanentProviderError
        with pytest.raises(expected):
            result.raise_for_failure(harness.provider.name)
        after = await _send(harness, TextContent(body="recovered"))
        assert after.success, "one failure must not break the provider"

    @pytest.mark.asyncio
    async def test_rate_limit_carries_retry_after(
        self, harness: MessagingHarness, wire: MessagingWire
    ) -> None:
        await wire.fail(429, retry_after=7)
        result = await _send(harness, TextContent(body="throttled"))
        assert (result.success, result.retryable) == (False, True)
        assert result.retry_after == 7, "the vendor's Retry-After must reach the result"

    @pytest.mark.asyncio
    async def test_a_timeout_is_a_retryable_failure_in_bounded_time(
        self, harness: MessagingHarness, wire: MessagingWire
    ) -> None:
        await wire.hang(harness.timeout_seconds * 5 + 5)
        started = time.monotonic()
        result = await _send(harness, TextContent(body="slow"))
        elapsed = time.monotonic() - started
        assert not result.success
        assert result.retryable, "a timeout may pass later: retryable"
        assert elapsed < harness.timeout_seconds + self.timeout_slack, f"took {elapsed:.1f}s"

    # -- inbound ----------------------------------------------------------------------------
    @requires("webhooks")
    @pytest.mark.asyncio
    async def test_a_signed_inbound_message_is_verified_and_parsed(
        self, harness: MessagingHarness, wire: MessagingWire
    ) -> None:
        endpoint = _endpoint(harness)
        request = wire.inbound(sender=harness.sender, text="MARKER-in-77", message_id="in-77")
        endpoint.verifier.verify(request)
        items = list(endpoint.parser.parse(request, "conformance-channel"))
        messages = [i for i in items if isinstance(i, InboundMessage)]
        assert len(messages) == 1, items
        message = messages[0]
        assert message.channel_id == "conformance-channel"
        assert message.sender_id == harness.sender
        assert "MARKER-in-77" in _text_of(message.content)
        assert message.external_id == "in-77"
        assert dedupe_key(message) is not None, "inbound messages carry the vendor id"

    @requires("webhooks", "inbound_media")
    @pytest.mark.asyncio
    async def test_inbound_media_is_parsed(
        self, harness: MessagingHarness, wire: MessagingWire
    ) -> None:
        endpoint = _endpoint(harness)
        request = wire.inbound(
            sender=harness.sender, text="pic", message_id="in-m", media=[PNG_URL]
        )
        endpoint.verifier.verify(request)
        (message,) = [
            i for i in endpoint.parser.parse(request, "c") if isinstance(i, InboundMessage)
        ]
        content = message.content
        parts = content.parts if isinstance(content, CompositeContent) else [content]
        assert any(isinstance(p, MediaContent) and p.url == PNG_URL for p in parts), content

    @requires("webhooks")
    def test_tampered_and_unsigned_requests_are_refused(self, harness: MessagingHarness) -> None:
        endpoint = _endpoint(harness)
        wire = harness.wire
        request = wire.inbound(sender=harness.sender, text="pay 10", message_id="in-t")
        with pytest.raises(WebhookError) as tampered:
            endpoint.verifier.verify(wire.tampered(request))
        assert tampered.value.status_code in (401, 403)
        assert getattr(tampered.value, "reason", "invalid") == "invalid"
        with pytest.raises(WebhookError) as unsigned:
            endpoint.verifier.verify(wire.unsigned(request))
        assert unsigned.value.status_code in (401, 403)
        assert getattr(unsigned.value, "reason", "missing") == "missing"

    @requires("webhooks")
    def test_signatures_are_checked_before_the_body_is_read(
        self, harness: MessagingHarness
    ) -> None:
        endpoint = _endpoint(harness)
        garbage = harness.wire.signed(b"\x00{not a payload", "application/json")
        endpoint.verifier.verify(garbage)  # a correctly signed body passes verification
        with pytest.raises(WebhookError) as malformed:
            endpoint.parser.parse(garbage, "c")
        assert malformed.value.status_code == 400
        with pytest.raises(WebhookError) as forged:
            endpoint.verifier.verify(harness.wire.tampered(garbage))
        assert forged.value.status_code in (401, 403), "forged garbage is a signature error"

    @requires("webhooks")
    def test_a_replayed_request_is_refused_or_deduplicated(self, harness: MessagingHarness) -> None:
        endpoint = _endpoint(harness)
        request = harness.wire.inbound(sender=harness.sender, text="again", message_id="in-r")
        replay = harness.wire.replayed(request)
        if replay is not None:
            with pytest.raises(WebhookError) as info:
                endpoint.verifier.verify(replay)
            assert getattr(info.value, "reason", "expired") == "expired"
            return
        first = endpoint.parser.parse(request, "c")
        again = endpoint.parser.parse(request, "c")
        assert [dedupe_key(i) for i in first] == [dedupe_key(i) for i in again]
        assert all(dedupe_key(i) for i in first), "without timestamps, ids must dedupe replays"

    @requires("webhooks")
    @pytest.mark.asyncio
    async def test_vendor_retries_are_stored_once(self, harness: MessagingHarness) -> None:
        from roomkit import RoomKit

        endpoint = _endpoint(harness)
        request = harness.wire.inbound(sender=harness.sender, text="only once", message_id="in-d")
        kit = RoomKit()
        kit.register_channel(_channel(harness, "conformance-channel"))
        try:
            outcomes = []
            for _ in range(3):  # the vendor retries the same webhook
                endpoint.verifier.verify(request)
                for item in endpoint.parser.parse(request, "conformance-channel"):
                    outcomes.append(await process_webhook_item(kit, "conformance-channel", item))
            rooms = await kit.list_rooms()
            assert len(rooms) == 1
            stored = [
                e
                for e in await kit.get_timeline(rooms[0].id)
                if e.source.channel_id == "conformance-channel"
            ]
            assert len(stored) == 1, "a retried webhook is stored once"
        finally:
            await kit.close()

    # -- delivery receipts ------------------------------------------------------------------
    @requires("webhooks", "delivery_receipts")
    @pytest.mark.asyncio
    @pytest.mark.parametrize("status", [DeliveryStatus.DELIVERED, DeliveryStatus.FAILED])
    async def test_status_callbacks_map_to_kernel_statuses(
        self, harness: MessagingHarness, status: DeliveryStatus
    ) -> None:
        await self._check_status(harness, status)

    @requires("webhooks", "delivery_receipts", "read_receipts")
    @pytest.mark.asyncio
    async def test_read_status(self, harness: MessagingHarness) -> None:
        await self._check_status(harness, DeliveryStatus.READ)

    async def _check_status(self, harness: MessagingHarness, status: DeliveryStatus) -> None:
        endpoint = _endpoint(harness)
        request = harness.wire.status(message_id="out-1", status=status)
        endpoint.verifier.verify(request)
        updates = [
            i for i in endpoint.parser.parse(request, "c") if isinstance(i, DeliveryStatusUpdate)
        ]
        assert len(updates) == 1, updates
        assert updates[0].message_id == "out-1"
        assert updates[0].delivery_status == status

    @requires("webhooks", "delivery_receipts")
    @pytest.mark.asyncio
    async def test_a_receipt_updates_the_sent_events_delivery_record(
        self, harness: MessagingHarness, wire: MessagingWire
    ) -> None:
        from roomkit import RoomKit

        kit = RoomKit()
        channel = _channel(harness, "conformance-channel")
        kit.register_channel(channel)
        try:
            room = await kit.create_room()
            await kit.attach_channel(room.id, channel.channel_id, participant_id=harness.recipient)
            sent = await kit.send_event(room.id, TextContent(body="receipt me"))
            assert sent.event is not None
            assert sent.event.status == EventStatus.DELIVERED
            index = channel.message_index
            assert isinstance(index, InMemoryMessageIndex)
            (message_id,) = [k[len("sent:") :] for k in index.keys("sent:")]
            endpoint = _endpoint(harness)
            request = wire.status(message_id=message_id, status=DeliveryStatus.DELIVERED)
            endpoint.verifier.verify(request)
            for item in endpoint.parser.parse(request, channel.channel_id):
                await process_webhook_item(kit, channel.channel_id, item)
            stored = await kit.get_event(sent.event.id)
            assert stored is not None
            record = stored.delivery_results.get(channel.channel_id)
            assert record is not None, "the receipt did not reach the event"
            assert record.status == DeliveryStatus.DELIVERED
        finally:
            await kit.close()


def _text_of(content: Any) -> str:
    if isinstance(content, TextContent):
        return content.body
    if isinstance(content, MediaContent):
        return content.caption or ""
    if isinstance(content, CompositeContent):
        return " ".join(_text_of(p) for p in content.parts)
    return str(getattr(content, "body", ""))


def _channel(harness: MessagingHarness, channel_id: str) -> MessagingChannel:
    caps = ChannelCapabilities()
    return MessagingChannel(
        channel_id,
        channel_type=_channel_type(harness.provider),
        capabilities=caps,
        provider=harness.provider,
    )
