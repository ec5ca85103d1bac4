"""Streaming one reply's text to the channels of a room while it is generated.

:class:`StreamFanout` hands the text pieces of one reply to the ``deliver_stream`` of every
channel of the room that supports streaming delivery, each through its own bounded queue and
task: a slow channel holds back generation (backpressure) for at most ``stall_timeout``
seconds per piece before it is dropped from the stream, and a channel that fails is dropped
at once. The channels the whole text reached are returned by :meth:`StreamFanout.finish`; the
stored reply carries their ids (:data:`~roomkit.models.keys.STREAMED_KEY`) so the broadcast
does not send it to them a second time, while every other channel gets it as usual.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Callable, Iterable
from typing import Final

from roomkit.channels.base import Channel
from roomkit.channels.engine import RoomEngine
from roomkit.errors import ChannelNotRegisteredError, RoomKitError
from roomkit.models._construct import construct
from roomkit.models.content import SystemContent, TextContent
from roomkit.models.context import RoomContext
from roomkit.models.enums import ChannelDirection, ChannelType, EventStatus, EventType
from roomkit.models.event import EventSource, RoomEvent
from roomkit.models.keys import INTERNAL_KEY
from roomkit.models.room import ChannelBinding

__all__ = [
    "StreamFanout",
    "StreamInterruptedError",
    "reply_fanout",
    "streaming_targets",
    "thinking_event",
]

logger = logging.getLogger("roomkit.channels.streaming")

_END: Final = object()


class StreamInterruptedError(RoomKitError):
    """Raised inside a channel's ``deliver_stream`` when the reply failed part-way."""


def streaming_targets(
    bindings: Iterable[ChannelBinding],
    channel_of: Callable[[str], Channel | None],
    source_channel_id: str,
) -> list[tuple[Channel, ChannelBinding]]:
    """The channels of ``bindings`` a reply of ``source_channel_id`` is streamed to: readable,
    unmuted, seeing everything, and whose channel supports streaming delivery."""
    targets: list[tuple[Channel, ChannelBinding]] = []
    for binding in bindings:
        if binding.channel_id == source_channel_id or not binding.can_read or binding.muted:
            continue
        if binding.visibility != "all":
            continue
        channel = channel_of(binding.channel_id)
        if channel is not None and channel.supports_streaming_delivery:
            targets.append((channel, binding))
    return targets


def reply_fanout(
    engine: RoomEngine | None, channel: Channel, message_id: str, context: RoomContext
) -> StreamFanout | None:
    """The streaming of ``channel``'s reply ``message_id`` to the channels of the room that
    support streaming delivery; ``None`` without an engine or such a channel."""
    if engine is None:
        return None

    def channel_of(channel_id: str) -> Channel | None:
        try:
            return engine.get_channel(channel_id)
        except ChannelNotRegisteredError:
            return None

    targets = streaming_targets(context.bindings, channel_of, channel.channel_id)
    if not targets:
        return None
    source = EventSource(
        channel_id=channel.channel_id,
        channel_type=channel.channel_type,
        direction=ChannelDirection.OUTBOUND,
        participant_id=channel.channel_id,
        provider=channel.provider_name,
    )
    placeholder = construct(
        RoomEvent,
        {
            "id": message_id,
            "room_id": context.room.id,
            "source": source,
            "content": TextContent(body=""),
        },
    )
    return StreamFanout(targets, placeholder, context)


def thinking_event(channel: Channel, trigger: RoomEvent, thinking: str) -> RoomEvent:
    """The ``ON_AI_THINKING`` payload: the model's reasoning while answering ``trigger``
    (``SystemContent`` code ``"ai_thinking"``, never shown to people or models)."""
    return RoomEvent(
        room_id=trigger.room_id,
        type=EventType.SYSTEM,
        source=EventSource(
            channel_id=channel.channel_id,
            channel_type=ChannelType.AI,
            direction=ChannelDirection.OUTBOUND,
            participant_id=channel.channel_id,
        ),
        content=SystemContent(
            body=thinking,
            code="ai_thinking",
            data={"channel_id": channel.channel_id, "event_id": trigger.id},
        ),
        status=EventStatus.DELIVERED,
        visibility="none",
        parent_event_id=trigger.id,
        metadata={INTERNAL_KEY: True},
    )


class _Target:
    __slots__ = ("binding", "channel", "queue", "task")

    def __init__(self, channel: Channel, binding: ChannelBinding, size: int) -> None:
        self.channel = channel
        self.binding = binding
        self.queue: asyncio.Queue[object] = asyncio.Queue(maxsize=size)
        self.task: asyncio.Task[object] | None = None


class StreamFanout:
    """Feeds the text of one reply (``event``, its content still empty) to ``targets``."""

    def __init__(
        self,
        targets: Iterable[tuple[Channel, ChannelBinding]],
        event: RoomEvent,
        context: RoomContext,
        *,
        max_buffer: int = 256,
        stall_timeout: float = 30.0,
    ) -> None:
        self._targets = [_Target(c, b, max_buffer) for c, b in targets]
        self._event = event
        self._context = context
        self._stall_timeout = stall_timeout
        self._started = False

    def __bool__(self) -> bool:
        return bool(self._targets)

    @property
    def event_id(self) -> str:
        """The id of the reply being streamed (the stored event keeps it)."""
        return self._event.id

    def start(self) -> None:
        """Start one ``deliver_stream`` task per target."""
        if self._started:
            return
        self._started = True
        for target in self._targets:
            target.task = asyncio.create_task(
                target.channel.deliver_stream(
                    _drain(target.queue), self._event, target.binding, self._context
                ),
                name=f"roomkit-stream-{target.binding.channel_id}",
            )

    async def push(self, delta: str) -> None:
        """Hand one text piece to every target still streaming."""
        if not delta:
            return
        self.start()
        for target in self._targets:
            if target.task is None or target.task.done():
                continue
            try:
                await asyncio.wait_for(target.queue.put(delta), self._stall_timeout)
            except TimeoutError:
                logger.warning(
                    "channel %s stalled for %.0fs while streaming; dropped from the stream",
                    target.binding.channel_id,
                    self._stall_timeout,
                )
                target.task.cancel()

    async def finish(self) -> list[str]:
        """End the stream; returns the ids of the channels the whole text reached (none when
        no text was pushed: the stream never started)."""
        return await self._close(_END)

    async def fail(self, error: BaseException) -> None:
        """End the stream with ``error``: every target's ``deliver_stream`` sees a
        :class:`StreamInterruptedError` (its channel tells its clients)."""
        await self._close(StreamInterruptedError(f"the reply failed: {type(error).__name__}"))

    async def _close(self, marker: object) -> list[str]:
        if not self._started:
            return []  # nothing was streamed: the channels get the reply (if any) whole
        for target in self._targets:
            if target.task is not None and not target.task.done():
                try:
                    await asyncio.wait_for(target.queue.put(marker), self._stall_timeout)
                except TimeoutError:
                    target.task.cancel()
        done: list[str] = []
        for target in self._targets:
            assert target.task is not None
            try:
                await target.task
            except asyncio.CancelledError:
                current = asyncio.current_task()
                if current is not None and current.cancelling():
                    raise  # we are cancelled ourselves, not the stalled target
                continue
            except Exception as exc:
                if not isinstance(exc, StreamInterruptedError):
                    logger.warning(
                        "streaming to channel %s failed: %r", target.binding.channel_id, exc
                    )
                continue
            if marker is _END:
                done.append(target.binding.channel_id)
        return done


async def _drain(queue: asyncio.Queue[object]) -> AsyncIterator[str]:
    while True:
        item = await queue.get()
        if item is _END:
            return
        if isinstance(item, BaseException):
            raise item
        assert isinstance(item, str)
        yield item
