"""The channel suite passes a correct channel and catches broken ones."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from roomkit.channels.base import Channel
from roomkit.errors import DeliveryError
from roomkit.models.context import RoomContext
from roomkit.models.enums import ChannelType
from roomkit.models.event import RoomEvent
from roomkit.models.hooks import ChannelOutput
from roomkit.models.room import ChannelBinding
from roomkit_conformance.runner import Target, run_target
from roomkit_conformance.suites import SUITES
from roomkit_conformance.suites.channel import ChannelHarness, ChannelSuite


class RecordingChannel(Channel):
    """A small, correct transport channel."""

    channel_type = ChannelType.WEBSOCKET

    def __init__(self, channel_id: str) -> None:
        super().__init__(channel_id)
        self.sent: list[dict[str, object]] = []
        self.broken = False

    async def deliver(
        self, event: RoomEvent, binding: ChannelBinding, context: RoomContext
    ) -> ChannelOutput:
        if self.broken:
            raise DeliveryError("transport down")
        await asyncio.sleep(0)
        self.sent.append(event.content.model_dump())
        return ChannelOutput.empty()


class TestRecordingChannel(ChannelSuite):
    @pytest.fixture
    async def component(self) -> AsyncIterator[ChannelHarness]:
        channel = RecordingChannel("rec")

        def fail() -> None:
            channel.broken = True

        yield ChannelHarness(channel, sent=lambda: channel.sent, fail_transport=fail)
        await channel.close()


class TestBareChannel(ChannelSuite):
    """Without a harness the delivery checks skip and the rest still runs."""

    @pytest.fixture
    def component(self) -> Channel:
        return RecordingChannel("bare")


BROKEN = """
import asyncio
from roomkit.channels.base import Channel
from roomkit.models.enums import ChannelMediaType, ChannelType
from roomkit.models.event import RoomEvent
from roomkit.models.hooks import ChannelOutput
from roomkit.models.room import ChannelCapabilities
from roomkit_conformance.suites.channel import ChannelHarness

class Broken(Channel):
    channel_type = ChannelType.SMS
    def __init__(self):
        super().__init__("broken")
        self.sent = []
        self.down = False
        self.calls = 0
    def capabilities(self):
        self.calls += 1
        return ChannelCapabilities(media_types=[ChannelMediaType.TEXT], max_buttons=self.calls)
    async def handle_inbound(self, message, context):
        return RoomEvent.model_construct(room_id=context.room.id, source=None,
                                         content=message.content, metadata=message.metadata,
                                         id="fixed", index=0)
    async def deliver(self, event, binding, context):
        if self.down:
            raise ConnectionResetError("raw socket error")
        if len(self.sent) % 2:
            await asyncio.sleep(0.01)
        self.sent.append(str(event.content))
        return ChannelOutput(responded=True)

def make():
    channel = Broken()
    def fail():
        channel.down = True
    return ChannelHarness(channel, sent=lambda: channel.sent, fail_transport=fail)
"""


def test_broken_channel_fails_the_suite(tmp_path: Path) -> None:
    (tmp_path / "broken_channel.py").write_text(BROKEN)
    target = Target("test", "channel", "broken", "broken_channel:make", SUITES["channel"])
    result = run_target(target, workdir=tmp_path / "work", extra_pythonpath=[str(tmp_path)])
    assert result.status == "failed"
    failed = " ".join(result.failures)
    for name in (
        "test_capabilities_are_declared_consistently",
        "test_inbound_text_becomes_a_room_event",
        "test_inbound_events_are_independent",
        "test_malformed_inbound_is_rejected_with_a_typed_error",
        "test_deliver_returns_an_output",
        "test_transport_failure_raises_a_typed_error",
    ):
        assert name in failed, f"{name} should have failed"
