"""The channel conformance suite.

Subclass :class:`ChannelSuite` and provide an async ``component`` fixture yielding either a
ready :class:`~roomkit.channels.base.Channel` or, to enable the delivery tests, a
:class:`ChannelHarness` that also exposes what the transport received::

    class TestSMSChannel(ChannelSuite):
        @pytest.fixture
        async def component(self, sms_server):
            channel = SMSChannel("sms", provider=TwilioSMSProvider(base_url=sms_server.url))
            yield ChannelHarness(
                channel,
                sent=lambda: sms_server.messages,
                fail_transport=sms_server.fail_with_500,
            )
            await channel.close()

Covered: identity and capability declaration (what the engine transcodes against), inbound
conversion to room events, malformed inbound input, delivery through the transport, order and
concurrency, typed errors when the transport fails (which the engine records as a failed
delivery status), content the channel cannot carry, cancellation mid-delivery, and an
idempotent ``close()``. Intelligence channels are checked through ``on_event`` instead.
"""

from __future__ import annotations

import asyncio
import contextlib
import inspect
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import pytest

from roomkit.channels.base import Channel
from roomkit.errors import RoomKitError
from roomkit.models.content import LocationContent, MediaContent, TextContent
from roomkit.models.context import RoomContext
from roomkit.models.enums import (
    ChannelCategory,
    ChannelDirection,
    ChannelMediaType,
    ChannelType,
    EventType,
)
from roomkit.models.event import EventSource, InboundMessage, RoomEvent
from roomkit.models.hooks import ChannelOutput
from roomkit.models.room import ChannelBinding, ChannelCapabilities, Room
from roomkit_conformance.base import SuiteBase

__all__ = ["ChannelHarness", "ChannelSuite"]


@dataclass
class ChannelHarness:
    """A channel together with a view of its transport.

    * ``sent`` returns everything the transport received so far, oldest first (raw payloads,
      provider requests ... anything whose ``repr`` contains the delivered text).
    * ``fail_transport`` (optional, sync or async) makes every later delivery fail at the
      transport: a provider error, or a dropped connection.
    """

    channel: Channel
    sent: Callable[[], Sequence[Any]]
    fail_transport: Callable[[], Any] | None = None


def _room_context(channel: Channel) -> tuple[RoomContext, ChannelBinding]:
    room = Room()
    binding = ChannelBinding(
        room_id=room.id,
        channel_id=channel.channel_id,
        channel_type=channel.channel_type,
        category=channel.category,
        capabilities=channel.capabilities(),
    )
    return RoomContext(room=room, bindings=[binding]), binding


def _outbound(context: RoomContext, text: str) -> RoomEvent:
    return RoomEvent(
        room_id=context.room.id,
        type=EventType.MESSAGE,
        source=EventSource(
            channel_id="conformance-peer",
            channel_type=ChannelType.WEBSOCKET,
            direction=ChannelDirection.INBOUND,
            participant_id="peer",
        ),
        content=TextContent(body=text),
    )


async def _maybe_await(value: Any) -> None:
    if inspect.isawaitable(value):
        await value


class ChannelSuite(SuiteBase):
    """Conformance tests every :class:`Channel` plugin must pass."""

    #: Seconds a single delivery may take in these tests.
    delivery_timeout: float = 10.0

    @pytest.fixture
    def channel(self, component: Any) -> Channel:
        """The channel under test (unwrapped from a :class:`ChannelHarness`)."""
        return component.channel if isinstance(component, ChannelHarness) else component

    @pytest.fixture
    def harness(self, component: Any) -> ChannelHarness:
        """The transport view; tests that need it skip when the fixture yields a bare channel."""
        if not isinstance(component, ChannelHarness):
            pytest.skip("component fixture yields a bare Channel: no view of the transport")
        return component

    @pytest.fixture
    def transport_only(self, channel: Channel) -> None:
        """Skip for intelligence channels (they respond instead of delivering)."""
        if channel.category != ChannelCategory.TRANSPORT:
            pytest.skip("intelligence channel: delivery tests do not apply")

    async def _deliver(
        self, channel: Channel, event: RoomEvent, binding: ChannelBinding, context: RoomContext
    ) -> ChannelOutput:
        async with asyncio.timeout(self.delivery_timeout):
            return await channel.deliver(event, binding, context)

    # -- identity and capabilities ------------------------------------------------------

    def test_identity_fields(self, channel: Channel) -> None:
        assert isinstance(channel, Channel)
        assert isinstance(channel.channel_id, str)
        assert channel.channel_id
        assert isinstance(channel.channel_type, ChannelType)
        assert isinstance(channel.category, ChannelCategory)
        assert isinstance(channel.direction, ChannelDirection)

    def test_capabilities_are_declared_consistently(self, channel: Channel) -> None:
        caps = channel.capabilities()
        assert isinstance(caps, ChannelCapabilities)
        assert caps.media_types, "a channel must carry at least one media type"
        assert len(set(caps.media_types)) == len(caps.media_types), "duplicate media types"
        assert all(isinstance(m, ChannelMediaType) for m in caps.media_types)
        assert caps.max_length is None or caps.max_length > 0
        if caps.max_buttons is not None:
            assert caps.supports_buttons, "max_buttons is set but supports_buttons is false"
            assert caps.max_buttons > 0
        if caps.supports_buttons or caps.supports_cards or caps.supports_quick_replies:
            assert ChannelMediaType.RICH in caps.media_types, "rich features need RICH media"
        assert channel.capabilities() == caps, "capabilities must be stable between calls"

    def test_info_is_json_and_names_the_channel(self, channel: Channel) -> None:
        info = channel.info()
        assert info["channel_id"] == channel.channel_id
        json.dumps(info)

    # -- inbound ------------------------------------------------------------------------

    @pytest.mark.asyncio
    async def test_inbound_text_becomes_a_room_event(self, channel: Channel) -> None:
        context, _ = _room_context(channel)
        message = InboundMessage(
            channel_id=channel.channel_id,
            sender_id="user-42",
            content=TextContent(body="hello from conformance"),
            external_id="ext-1",
            idempotency_key="idem-1",
            metadata={"trace": "t-1"},
        )
        event = await channel.handle_inbound(message, context)
        assert isinstance(event, RoomEvent)
        assert event.room_id == context.room.id
        assert event.type == EventType.MESSAGE
        assert event.source.channel_id == channel.channel_id
        assert event.source.channel_type == channel.channel_type
        assert event.source.direction == ChannelDirection.INBOUND
        assert event.source.participant_id == "user-42"
        assert event.source.external_id == "ext-1"
        assert event.idempotency_key == "idem-1"
        assert isinstance(event.content, TextContent)
        assert event.content.body == "hello from conformance"
        assert event.metadata.get("trace") == "t-1"
        assert event.chain_depth == 0
        assert event.index == -1, "the store assigns indexes, not the channel"

    @pytest.mark.asyncio
    @pytest.mark.parametrize(
        "content",
        [
            MediaContent(url="https://example.invalid/cat.png", mime_type="image/png"),
            LocationContent(latitude=45.5, longitude=-73.6, label="office"),
            TextContent(body="ünïcødé ✓ 😀 " + "x" * 2000),
        ],
        ids=["media", "location", "long-unicode-text"],
    )
    async def test_inbound_content_is_preserved(self, channel: Channel, content: Any) -> None:
        context, _ = _room_context(channel)
        message = InboundMessage(channel_id=channel.channel_id, sender_id="u", content=content)
        event = await channel.handle_inbound(message, context)
        assert event.content.model_dump() == content.model_dump()

    @pytest.mark.asyncio
    async def test_inbound_events_are_independent(self, channel: Channel) -> None:
        context, _ = _room_context(channel)
        message = InboundMessage(
            channel_id=channel.channel_id,
            sender_id="u",
            content=TextContent(body="same"),
            metadata={"k": "v"},
        )
        first = await channel.handle_inbound(message, context)
        second = await channel.handle_inbound(message, context)
        assert first.id != second.id, "every inbound message becomes a new event"
        first.metadata["k"] = "changed"
        assert message.metadata["k"] == "v", "the event must not share the message's metadata"
        assert second.metadata["k"] == "v"

    @pytest.mark.asyncio
    async def test_malformed_inbound_is_rejected_with_a_typed_error(self, channel: Channel) -> None:
        context, _ = _room_context(channel)
        garbage: Any = {"type": "no-such-content", "body": 3}
        malformed = InboundMessage.model_construct(
            channel_id=channel.channel_id,
            sender_id="u",
            content=garbage,
            event_type=EventType.MESSAGE,
            metadata={},
        )
        with pytest.raises((RoomKitError, ValueError)):
            await channel.handle_inbound(malformed, context)

    # -- delivery -----------------------------------------------------------------------

    @pytest.mark.asyncio
    @pytest.mark.usefixtures("transport_only")
    async def test_deliver_returns_an_output(self, channel: Channel) -> None:
        context, binding = _room_context(channel)
        output = await self._deliver(
            channel, _outbound(context, "plain delivery"), binding, context
        )
        assert isinstance(output, ChannelOutput)
        assert not output.responded, "a transport channel delivers; it does not respond"

    @pytest.mark.asyncio
    @pytest.mark.usefixtures("transport_only")
    async def test_delivery_reaches_the_transport(
        self, channel: Channel, harness: ChannelHarness
    ) -> None:
        context, binding = _room_context(channel)
        before = len(harness.sent())
        await self._deliver(channel, _outbound(context, "MARKER-deliver-7c1"), binding, context)
        sent = list(harness.sent())
        assert len(sent) == before + 1, "one event, one transport message"
        assert "MARKER-deliver-7c1" in repr(sent[-1])

    @pytest.mark.asyncio
    @pytest.mark.usefixtures("transport_only")
    async def test_sequential_deliveries_keep_their_order(
        self, channel: Channel, harness: ChannelHarness
    ) -> None:
        context, binding = _room_context(channel)
        before = len(harness.sent())
        for n in range(5):
            await self._deliver(channel, _outbound(context, f"ORDER-{n}-end"), binding, context)
        sent = [repr(item) for item in list(harness.sent())[before:]]
        assert len(sent) == 5
        for n, item in enumerate(sent):
            assert f"ORDER-{n}-end" in item

    @pytest.mark.asyncio
    @pytest.mark.usefixtures("transport_only")
    async def test_concurrent_deliveries_all_arrive(
        self, channel: Channel, harness: ChannelHarness
    ) -> None:
        context, binding = _room_context(channel)
        before = len(harness.sent())
        events = [_outbound(context, f"CONCURRENT-{n}-end") for n in range(20)]
        await asyncio.gather(*(self._deliver(channel, e, binding, context) for e in events))
        sent = " ".join(repr(item) for item in list(harness.sent())[before:])
        missing = [n for n in range(20) if f"CONCURRENT-{n}-end" not in sent]
        assert not missing, f"deliveries lost: {missing}"

    @pytest.mark.asyncio
    @pytest.mark.usefixtures("transport_only")
    async def test_transport_failure_raises_a_typed_error(
        self, channel: Channel, harness: ChannelHarness
    ) -> None:
        if harness.fail_transport is None:
            pytest.skip("harness cannot make the transport fail")
        context, binding = _room_context(channel)
        await _maybe_await(harness.fail_transport())
        with pytest.raises(RoomKitError):
            await self._deliver(channel, _outbound(context, "doomed"), binding, context)

    @pytest.mark.asyncio
    @pytest.mark.usefixtures("transport_only")
    async def test_content_it_cannot_carry_is_delivered_or_refused_cleanly(
        self, channel: Channel
    ) -> None:
        context, binding = _room_context(channel)
        event = _outbound(context, "x").model_copy(
            update={"content": LocationContent(latitude=1.0, longitude=2.0, label="here")}
        )
        try:
            output = await self._deliver(channel, event, binding, context)
        except RoomKitError:
            return
        assert isinstance(output, ChannelOutput)

    @pytest.mark.asyncio
    @pytest.mark.usefixtures("transport_only")
    async def test_cancelled_delivery_leaves_the_channel_usable(
        self, channel: Channel, component: Any
    ) -> None:
        context, binding = _room_context(channel)
        task = asyncio.create_task(
            channel.deliver(_outbound(context, "cancel-me"), binding, context)
        )
        await asyncio.sleep(0)
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
        before = len(component.sent()) if isinstance(component, ChannelHarness) else 0
        output = await self._deliver(channel, _outbound(context, "AFTER-CANCEL"), binding, context)
        assert isinstance(output, ChannelOutput)
        if isinstance(component, ChannelHarness):
            sent = list(component.sent())[before:]
            assert any("AFTER-CANCEL" in repr(item) for item in sent)

    # -- intelligence channels ----------------------------------------------------------

    @pytest.mark.asyncio
    async def test_intelligence_output_belongs_to_the_room(self, channel: Channel) -> None:
        if channel.category != ChannelCategory.INTELLIGENCE:
            pytest.skip("transport channel")
        context, binding = _room_context(channel)
        output = await channel.on_event(_outbound(context, "hello agent"), binding, context)
        assert isinstance(output, ChannelOutput)
        for event in output.response_events:
            assert event.room_id == context.room.id
            assert event.source.channel_id == channel.channel_id

    # -- lifecycle ----------------------------------------------------------------------

    @pytest.mark.asyncio
    async def test_close_is_idempotent(self, channel: Channel) -> None:
        await channel.close()
        await channel.close()
