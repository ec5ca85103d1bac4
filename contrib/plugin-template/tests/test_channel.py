"""The example channel passes the channel conformance suite, plus its own behaviour."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
import pytest_asyncio
from roomkit_example import ExampleChannel
from roomkit_example.testing import conformance_channel

from roomkit.errors import DeliveryError
from roomkit.models.content import TextContent
from roomkit.models.context import RoomContext
from roomkit.models.enums import ChannelType
from roomkit.models.event import EventSource, RoomEvent
from roomkit.models.room import ChannelBinding, Room
from roomkit_conformance.suites.channel import ChannelHarness, ChannelSuite

CHANNEL_ID = "example"


class TestExampleChannel(ChannelSuite):
    @pytest_asyncio.fixture
    async def component(self) -> AsyncIterator[ChannelHarness]:
        async for harness in conformance_channel():
            yield harness


def _event(room: Room, text: str) -> RoomEvent:
    return RoomEvent(
        room_id=room.id,
        source=EventSource(channel_id="other", channel_type=ChannelType.WEBSOCKET),
        content=TextContent(body=text),
    )


@pytest.mark.asyncio
async def test_text_is_cut_to_max_length_and_the_outbox_is_bounded() -> None:
    channel = ExampleChannel(CHANNEL_ID, max_length=3, outbox_size=2)
    room = Room()
    binding = ChannelBinding(
        room_id=room.id, channel_id=CHANNEL_ID, channel_type=ChannelType.WEBHOOK, participant_id="a"
    )
    context = RoomContext(room=room, bindings=[binding])
    for text in ("hello", "abc", "xyz"):
        await channel.deliver(_event(room, text), binding, context)
    assert list(channel.outbox) == [("a", "abc"), ("a", "xyz")]


@pytest.mark.asyncio
async def test_closed_channel_refuses_delivery() -> None:
    channel = ExampleChannel(CHANNEL_ID)
    room = Room()
    binding = ChannelBinding(room_id=room.id, channel_id=CHANNEL_ID, channel_type=ChannelType.SMS)
    await channel.close()
    with pytest.raises(DeliveryError):
        await channel.deliver(_event(room, "x"), binding, RoomContext(room=room))


def test_invalid_options() -> None:
    with pytest.raises(ValueError, match="positive"):
        ExampleChannel(CHANNEL_ID, max_length=0)
