"""SlidingWindowMemory: the last N transcript events, store read only when needed."""

from __future__ import annotations

import pytest

from roomkit import (
    ChannelType,
    EventSource,
    EventType,
    InMemoryStore,
    Room,
    RoomContext,
    RoomEvent,
    SlidingWindowMemory,
    SystemContent,
    TextContent,
)
from roomkit.errors import ConfigurationError
from roomkit.memory import INTERNAL_KEY


def msg(room_id: str, body: str, **kwargs: object) -> RoomEvent:
    return RoomEvent(
        room_id=room_id,
        source=EventSource(channel_id="ws", channel_type=ChannelType.WEBSOCKET),
        content=TextContent(body=body),
        **kwargs,  # type: ignore[arg-type]
    )


async def filled_store(n: int) -> tuple[InMemoryStore, Room, list[RoomEvent]]:
    store = InMemoryStore()
    room = await store.create_room(Room(id="r1"))
    events = [await store.add_event(msg("r1", f"m{i}")) for i in range(n)]
    room = await store.get_room("r1")
    assert room is not None
    return store, room, events


async def test_window_keeps_the_last_events_ending_with_current() -> None:
    _store, room, events = await filled_store(10)
    context = RoomContext(room=room, recent_events=events[-8:])
    result = await SlidingWindowMemory(max_events=3).retrieve("r1", events[-1], context)
    assert [e.content.body for e in result.events] == ["m7", "m8", "m9"]  # type: ignore[union-attr]


async def test_reads_the_store_only_when_the_tail_is_too_short() -> None:
    store, room, events = await filled_store(30)
    room.event_count = 30
    short = RoomContext(room=room, recent_events=events[-5:])
    memory = SlidingWindowMemory(max_events=20)
    result = await memory.retrieve("r1", events[-1], short, store=store)
    assert len(result.events) == 20
    assert result.events[0].content.body == "m10"  # type: ignore[union-attr]
    without_store = await memory.retrieve("r1", events[-1], short)
    assert len(without_store.events) == 5


async def test_system_blocked_and_internal_events_stay_out() -> None:
    room = Room(id="r1")
    noise = [
        RoomEvent(
            room_id="r1",
            type=EventType.SYSTEM,
            source=EventSource(channel_id="sys", channel_type=ChannelType.SYSTEM),
            content=SystemContent(body="handoff", code="handoff"),
        ),
        msg("r1", "internal", metadata={INTERNAL_KEY: True}),
        msg("r1", "blocked", status="blocked"),
        msg("r1", "kept"),
    ]
    current = msg("r1", "now")
    context = RoomContext(room=room, recent_events=[*noise, current])
    result = await SlidingWindowMemory().retrieve("r1", current, context)
    assert [e.content.body for e in result.events] == ["kept", "now"]  # type: ignore[union-attr]


async def test_current_event_is_added_once_even_if_missing_from_tail() -> None:
    room = Room(id="r1")
    older = msg("r1", "older")
    current = msg("r1", "now")
    result = await SlidingWindowMemory().retrieve(
        "r1", current, RoomContext(room=room, recent_events=[older, current])
    )
    assert [e.id for e in result.events] == [older.id, current.id]
    result = await SlidingWindowMemory().retrieve(
        "r1", current, RoomContext(room=room, recent_events=[older])
    )
    assert [e.id for e in result.events] == [older.id, current.id]


async def test_answering_an_older_event_keeps_only_what_came_before_it() -> None:
    _store, room, events = await filled_store(8)
    current = events[4]  # stored (index 4); the tail holds later events, not this one
    unstored = msg("r1", "unstored")  # index -1: kept
    tail = [events[2], events[3], unstored, events[5], events[6]]
    result = await SlidingWindowMemory().retrieve(
        "r1", current, RoomContext(room=room, recent_events=tail)
    )
    bodies = [e.content.body for e in result.events]  # type: ignore[union-attr]
    assert bodies == ["m2", "m3", "unstored", "m4"]


async def test_an_internal_flag_that_is_false_keeps_the_event() -> None:
    room = Room(id="r1")
    flagged_off = msg("r1", "shown", metadata={INTERNAL_KEY: False})
    current = msg("r1", "now")
    result = await SlidingWindowMemory().retrieve(
        "r1", current, RoomContext(room=room, recent_events=[flagged_off])
    )
    assert [e.content.body for e in result.events] == ["shown", "now"]  # type: ignore[union-attr]


def test_max_events_must_be_positive() -> None:
    with pytest.raises(ConfigurationError):
        SlidingWindowMemory(max_events=0)
