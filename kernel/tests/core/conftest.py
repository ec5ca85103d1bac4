"""Fixtures for the engine tests: a kit with recording channels."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest

from roomkit import (
    ChannelBinding,
    ChannelCapabilities,
    ChannelCategory,
    ChannelOutput,
    ChannelType,
    EventSource,
    RoomContext,
    RoomEvent,
    RoomKit,
    TextContent,
    TransportChannel,
)
from roomkit.channels.base import Channel
from roomkit.models.enums import ChannelDirection


class Recorder(TransportChannel):
    """A transport that records what it is asked to send; ``fail`` makes sends raise."""

    def __init__(
        self,
        channel_id: str,
        *,
        capabilities: ChannelCapabilities | None = None,
        channel_type: ChannelType = ChannelType.SMS,
    ) -> None:
        super().__init__(channel_id, channel_type=channel_type, capabilities=capabilities)
        self.sent: list[RoomEvent] = []
        self.fail: BaseException | None = None
        self.fail_times = 0  # fail this many times, then succeed
        self.calls = 0

    async def send(
        self, event: RoomEvent, binding: ChannelBinding, context: RoomContext
    ) -> str | None:
        self.calls += 1
        if self.fail is not None and (self.fail_times == 0 or self.calls <= self.fail_times):
            raise self.fail
        self.sent.append(event)
        return f"msg-{len(self.sent)}"

    @property
    def bodies(self) -> list[str]:
        return [getattr(e.content, "body", "") for e in self.sent]


class Echo(Channel):
    """An intelligence channel answering every event with ``reply`` (or an echo)."""

    category = ChannelCategory.INTELLIGENCE
    channel_type = ChannelType.AI

    def __init__(self, channel_id: str, reply: str | None = None) -> None:
        super().__init__(channel_id)
        self.reply = reply
        self.seen: list[RoomEvent] = []

    async def on_event(
        self, event: RoomEvent, binding: ChannelBinding, context: RoomContext
    ) -> ChannelOutput:
        self.seen.append(event)
        body = self.reply or f"echo: {getattr(event.content, 'body', '')}"
        response = RoomEvent(
            room_id=event.room_id,
            source=EventSource(
                channel_id=self.channel_id,
                channel_type=self.channel_type,
                direction=ChannelDirection.OUTBOUND,
            ),
            content=TextContent(body=body),
        )
        return ChannelOutput(responded=True, response_events=[response])


@pytest.fixture
async def kit() -> AsyncIterator[RoomKit]:
    k = RoomKit()
    yield k
    await k.close()


@pytest.fixture
def recorder_factory() -> Any:
    return Recorder


@pytest.fixture
def echo_factory() -> Any:
    return Echo


@pytest.fixture
async def room_kit(kit: RoomKit) -> tuple[RoomKit, Recorder, Recorder]:
    """A kit with room ``r1`` and two recording transports ``a`` and ``b`` attached."""
    a, b = Recorder("a"), Recorder("b")
    kit.register_channel(a)
    kit.register_channel(b)
    await kit.create_room(room_id="r1")
    await kit.attach_channel("r1", "a")
    await kit.attach_channel("r1", "b")
    return kit, a, b
