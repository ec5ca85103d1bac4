"""The rest of the kit's RoomKit 0.6.7 surface: channels, timers, ephemeral tool calls,
realtime room helpers, injected events, channel metadata updates, capability limits, and the
small model additions."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from roomkit import (
    ChannelCapabilities,
    ChannelCategory,
    ChannelOutput,
    DeleteContent,
    DeleteType,
    EphemeralEvent,
    EphemeralEventType,
    EventSource,
    HookResult,
    HookTrigger,
    InboundMessage,
    InjectedEvent,
    MediaContent,
    RoomContext,
    RoomEvent,
    RoomKit,
    RoomStatus,
    RoomTimers,
    TextContent,
    VideoContent,
    WebSocketChannel,
)
from roomkit.channels.base import Channel
from roomkit.core.circuit_breaker import CircuitBreaker
from roomkit.core.locks import InMemoryLockManager
from roomkit.core.transcoding import transcode
from roomkit.models.enums import ChannelDirection, ChannelType
from roomkit.models.room import ChannelBinding
from roomkit.realtime.memory import InMemoryRealtime


def _message(body: str, channel_id: str = "ws", **fields: Any) -> InboundMessage:
    return InboundMessage(
        channel_id=channel_id, sender_id="u", content=TextContent(body=body), **fields
    )


async def test_list_channels_and_component_properties() -> None:
    kit = RoomKit()
    a = kit.register_channel(WebSocketChannel("a"))
    b = kit.register_channel(WebSocketChannel("b"))
    assert kit.list_channels() == [a, b]
    assert kit.hook_engine is kit.hooks
    assert kit.realtime is not None
    assert kit.telemetry is not None
    with pytest.raises(AttributeError):
        kit.realtime = InMemoryRealtime()  # type: ignore[misc]
    with pytest.raises(TypeError):
        RoomKit(None, None)  # type: ignore[misc]  # components after the store are keywords


async def test_check_room_timers_and_check_all_timers() -> None:
    kit = RoomKit()
    long_ago = datetime.now(UTC) - timedelta(hours=1)
    await kit.create_room("idle", timers=RoomTimers(inactive_after_seconds=60))
    await kit.create_room("quiet", timers=RoomTimers(closed_after_seconds=60))
    await kit.create_room("fresh", timers=RoomTimers(inactive_after_seconds=60))
    for room_id in ("idle", "quiet"):
        room = await kit.get_room(room_id)
        room.last_activity_at = long_ago
        await kit.store.update_room(room)
    assert (await kit.check_room_timers("fresh")).status == RoomStatus.ACTIVE
    assert (await kit.check_room_timers("idle")).status == RoomStatus.PAUSED
    changed = await kit.check_all_timers()
    assert [(r.id, r.status) for r in changed] == [("quiet", RoomStatus.CLOSED)]


async def test_timers_last_activity_counts_as_activity() -> None:
    kit = RoomKit()
    later = datetime.now(UTC) + timedelta(hours=1)
    room = await kit.create_room("r", timers=RoomTimers(inactive_after_seconds=60))
    room.last_activity_at = datetime.now(UTC) - timedelta(hours=2)
    room.timers = RoomTimers(inactive_after_seconds=60, last_activity_at=later)
    await kit.store.update_room(room)
    assert (await kit.check_room_timers("r")).status == RoomStatus.ACTIVE


async def test_tool_calls_typing_and_reactions_reach_subscribers() -> None:
    kit = RoomKit()
    await kit.create_room("r")
    got: list[EphemeralEvent] = []

    async def collect(event: EphemeralEvent) -> None:
        got.append(event)

    await kit.subscribe_room("r", collect)
    calls = [{"id": "t1", "name": "lookup", "arguments": {"q": 1}}]
    await kit.publish_tool_call("r", "ai", calls)
    await kit.publish_tool_call("r", "ai", calls, EphemeralEventType.TOOL_CALL_END, duration_ms=12)
    await kit.publish_typing("r", "u", True, {"name": "Ann"})
    await kit.publish_reaction("r", "u", "ev1", "+1", "remove")
    await kit.drain()
    start, end, typing, reaction = got
    assert (start.type, start.channel_id, start.data["tool_calls"]) == (
        EphemeralEventType.TOOL_CALL_START,
        "ai",
        calls,
    )
    assert end.data["duration_ms"] == 12
    assert typing.data == {"name": "Ann"}
    assert reaction.data["target_event_id"] == "ev1"
    assert reaction.data["action"] == "remove"
    with pytest.raises(ValueError):
        await kit.publish_tool_call("r", "ai", calls, EphemeralEventType.TYPING_START)


async def test_realtime_room_helpers_use_the_room_channel() -> None:
    realtime = InMemoryRealtime()
    got: list[str] = []

    async def collect(event: EphemeralEvent) -> None:
        got.append(event.room_id)

    await realtime.subscribe("room:r1", collect)
    await realtime.subscribe_to_room("r2", collect)
    await realtime.publish_to_room("r1", EphemeralEvent("r1", EphemeralEventType.TYPING_START, "u"))
    await realtime.publish("room:r2", EphemeralEvent("r2", EphemeralEventType.TYPING_STOP, "u"))
    await realtime.flush()
    assert sorted(got) == ["r1", "r2"]
    await realtime.close()


def test_ephemeral_event_positional_and_dict_forms() -> None:
    event = EphemeralEvent("r1", EphemeralEventType.REACTION, "u1", data={"emoji": "+1"})
    assert (event.room_id, event.user_id, event.created_at) == ("r1", "u1", event.timestamp)
    data = event.to_dict()
    assert data["type"] == "reaction"
    assert isinstance(data["timestamp"], str)
    assert EphemeralEvent.from_dict(data) == event
    with pytest.raises(TypeError):
        EphemeralEvent("r1", EphemeralEventType.REACTION, "u1", room_id="r2")


async def test_injected_events_reach_their_target_channels_only() -> None:
    kit = RoomKit()
    inboxes: dict[str, list[Any]] = {"ws": [], "a": [], "b": []}
    for channel_id, inbox in inboxes.items():
        kit.register_channel(WebSocketChannel(channel_id))

        async def send(connection_id: str, payload: Any, inbox: list[Any] = inbox) -> None:
            inbox.append(payload)

        await kit.connect_websocket(channel_id, f"{channel_id}-c", send)
    await kit.create_room("r")
    for channel_id in inboxes:
        await kit.attach_channel("r", channel_id)
    notice = RoomEvent(
        room_id="r",
        source=EventSource(
            channel_id="system",
            channel_type=ChannelType.SYSTEM,
            direction=ChannelDirection.OUTBOUND,
        ),
        content=TextContent(body="only for a"),
    )

    @kit.hook(HookTrigger.BEFORE_BROADCAST)
    async def inject(event: Any, ctx: Any) -> HookResult:
        if event.source.channel_id != "ws":
            return HookResult.allow()
        return HookResult.allow(
            injected_events=[InjectedEvent(event=notice, target_channel_ids=["a"])]
        )

    result = await kit.process_inbound(_message("hi"), room_id="r")
    (injected,) = result.responses
    assert injected.visibility == "a"
    assert sum("only for a" in str(p) for p in inboxes["a"]) == 1
    assert not any("only for a" in str(p) for p in inboxes["b"] + inboxes["ws"])


class Notes(Channel):
    """An intelligence channel that writes to the room's metadata."""

    category = ChannelCategory.INTELLIGENCE
    channel_type = ChannelType.AI

    async def on_event(
        self, event: RoomEvent, binding: ChannelBinding, context: RoomContext
    ) -> ChannelOutput:
        return ChannelOutput(metadata_updates={"topic": event.content.body})  # type: ignore[union-attr]


async def test_channel_metadata_updates_are_merged_into_the_room() -> None:
    kit = RoomKit()
    kit.register_channel(WebSocketChannel("ws"))
    kit.register_channel(Notes("notes"))
    await kit.create_room("r", {"keep": True})
    await kit.attach_channel("r", "ws")
    await kit.attach_channel("r", "notes", category=ChannelCategory.INTELLIGENCE)
    await kit.process_inbound(_message("billing"), room_id="r")
    assert (await kit.get_room("r")).metadata == {"keep": True, "topic": "billing"}


def test_media_limits_of_a_channel_turn_items_into_links() -> None:
    caps = ChannelCapabilities(
        media_types=["text", "media", "video"],
        supported_media_types=["image/png", "jpeg"],
        max_media_size_bytes=1000,
        max_video_duration_seconds=30,
    )
    png = MediaContent(url="u/a.png", mime_type="image/png", size_bytes=10)
    assert transcode(png, caps) == [png]
    jpeg = MediaContent(url="u/b.jpg", mime_type="image/jpeg")
    assert transcode(jpeg, caps) == [jpeg]  # a bare subtype matches
    gif = MediaContent(url="u/c.gif", mime_type="image/gif", caption="anim")
    assert transcode(gif, caps) == [TextContent(body="anim: u/c.gif")]
    huge = MediaContent(url="u/d.png", mime_type="image/png", size_bytes=5000)
    assert isinstance(transcode(huge, caps)[0], TextContent)
    long_video = VideoContent(url="u/v.mp4", duration_seconds=120)
    assert transcode(long_video, caps) == [TextContent(body="Video: u/v.mp4")]
    short_video = VideoContent(url="u/w.mp4", duration_seconds=10)
    assert transcode(short_video, caps) == [short_video]


def test_small_model_additions() -> None:
    assert DeleteContent(target_event_id="e").delete_type == DeleteType.SENDER
    event = RoomEvent(
        room_id="r",
        source=EventSource(channel_id="c", channel_type=ChannelType.SMS),
        content=TextContent(body="x"),
    )
    assert event.channel_data.thread_id is None
    assert RoomEvent.model_validate_json(event.model_dump_json()) == event


async def test_inbound_thread_ids_are_kept_in_channel_data() -> None:
    kit = RoomKit()
    kit.register_channel(WebSocketChannel("ws"))
    await kit.create_room("r")
    await kit.attach_channel("r", "ws")
    result = await kit.process_inbound(
        _message("hi", thread_id="t-9", external_id="vendor-1"), room_id="r"
    )
    assert result.event is not None
    assert (result.event.channel_data.thread_id, result.event.channel_data.external_id) == (
        "t-9",
        "vendor-1",
    )


def test_circuit_breaker_reset_closes_it() -> None:
    now = [0.0]
    breaker = CircuitBreaker(failure_threshold=1, recovery_timeout=60, clock=lambda: now[0])
    breaker.record_failure()
    assert breaker.is_open
    breaker.reset()
    assert breaker.is_closed
    assert breaker.failures == 0
    assert breaker.allow_request()


async def test_lock_manager_size_counts_rooms_in_use() -> None:
    locks = InMemoryLockManager()
    assert locks.size == 0
    entered = asyncio.Event()
    release = asyncio.Event()

    async def hold() -> None:
        async with locks.locked("r1"):
            entered.set()
            await release.wait()

    task = asyncio.create_task(hold())
    await asyncio.wait_for(entered.wait(), timeout=30)
    assert locks.size == 1
    release.set()
    await task
    assert locks.size == 0
