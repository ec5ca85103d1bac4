"""The newest events a store keeps per room (``_recent``): snapshots stay exact when other
processes (other stores on the schema) write, update, delete and re-create the room, or rows
change by hand."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import asyncpg
import pytest
import pytest_asyncio
from roomkit_postgres import PostgresStore
from roomkit_postgres._recent import RecentTexts

from roomkit.models.content import TextContent
from roomkit.models.enums import ChannelType, EventStatus
from roomkit.models.event import EventSource, RoomEvent
from roomkit.models.room import Room


def _event(room_id: str, body: str) -> RoomEvent:
    return RoomEvent(
        room_id=room_id,
        source=EventSource(channel_id="sms", channel_type=ChannelType.SMS, participant_id="u"),
        content=TextContent(body=body),
    )


def _bodies(events: list[RoomEvent]) -> list[str]:
    return [e.content.body if isinstance(e.content, TextContent) else "" for e in events]


@pytest_asyncio.fixture
async def two(pg_dsn: str, pg_schema: str) -> AsyncIterator[tuple[PostgresStore, PostgresStore]]:
    first = PostgresStore(pg_dsn, schema=pg_schema)
    second = PostgresStore(pg_dsn, schema=pg_schema)
    yield first, second
    await first.close()
    await second.close()


async def _window(store: PostgresStore, room_id: str, recent: int = 3) -> list[str]:
    snapshot = await store.get_room_snapshot(room_id, recent=recent)
    assert snapshot is not None
    indexes = [e.index for e in snapshot.recent_events]
    count = snapshot.room.event_count
    assert indexes == list(range(count - len(indexes), count))
    return _bodies(snapshot.recent_events)


@pytest.mark.asyncio
async def test_events_written_by_another_store_arrive(
    two: tuple[PostgresStore, PostgresStore],
) -> None:
    reader, writer = two
    room = await reader.create_room(Room())
    assert await _window(reader, room.id) == []
    await writer.add_event(_event(room.id, "a"))
    assert await _window(reader, room.id) == ["a"]
    for body in ("b", "c", "d"):
        await writer.add_event(_event(room.id, body))
    assert await _window(reader, room.id) == ["b", "c", "d"]
    assert await _window(reader, room.id) == ["b", "c", "d"]  # nothing new
    for body in "efghij":  # more new events than the window holds
        await reader.add_event(_event(room.id, body))
    assert await _window(reader, room.id) == ["h", "i", "j"]
    assert await _window(reader, room.id, recent=6) == list("efghij")  # wider than kept
    assert await _window(reader, room.id, recent=2) == ["i", "j"]
    assert await _window(reader, room.id, recent=0) == []


@pytest.mark.asyncio
async def test_an_event_updated_by_another_store_is_read_again(
    two: tuple[PostgresStore, PostgresStore],
) -> None:
    reader, writer = two
    room = await reader.create_room(Room())
    stored = [await writer.add_event(_event(room.id, body)) for body in "abc"]
    snapshot = await reader.get_room_snapshot(room.id)
    assert snapshot is not None
    assert [e.status for e in snapshot.recent_events] == [EventStatus.PENDING] * 3
    stored[1].status = EventStatus.FAILED
    await writer.update_event(stored[1])
    snapshot = await reader.get_room_snapshot(room.id)
    assert snapshot is not None
    assert [e.status for e in snapshot.recent_events] == [
        EventStatus.PENDING,
        EventStatus.FAILED,
        EventStatus.PENDING,
    ]


@pytest.mark.asyncio
async def test_a_room_deleted_and_created_again_elsewhere_is_not_mixed_up(
    two: tuple[PostgresStore, PostgresStore],
) -> None:
    reader, writer = two
    room = await reader.create_room(Room())
    for body in "abc":
        await writer.add_event(_event(room.id, body))
    assert await _window(reader, room.id) == ["a", "b", "c"]
    assert await writer.delete_room(room.id)
    assert await reader.get_room_snapshot(room.id) is None
    await writer.create_room(Room(id=room.id))
    for body in "xyz":
        await writer.add_event(_event(room.id, body))
    assert await _window(reader, room.id) == ["x", "y", "z"]


@pytest.mark.asyncio
async def test_rows_changed_by_hand_are_read_again(
    two: tuple[PostgresStore, PostgresStore], pg_schema: str, admin: asyncpg.Connection
) -> None:
    reader, writer = two
    room = await reader.create_room(Room())
    for body in "abcd":
        await writer.add_event(_event(room.id, body))
    assert await _window(reader, room.id) == ["b", "c", "d"]
    # a new event whose row was removed by hand: fewer rows than next_index promises
    await writer.add_event(_event(room.id, "e"))
    await admin.execute(f'DELETE FROM "{pg_schema}".events WHERE room_id = $1 AND idx = 4', room.id)
    snapshot = await reader.get_room_snapshot(room.id, recent=3)
    assert snapshot is not None
    assert _bodies(snapshot.recent_events) == ["b", "c", "d"]  # what the table holds


def test_recent_texts_merges_what_follows_and_refuses_what_does_not() -> None:
    kept = RecentTexts(rooms=2)
    assert kept.usable("r", 3) is None
    assert kept.merge("r", None, 1, 0, 2, ["a", "b"], 3) == ["a", "b"]
    tail = kept.usable("r", 3)
    assert tail is not None
    assert tail.complete  # all of the room: usable for any window
    assert tail.last == 1
    assert kept.merge("r", tail, 1, 0, 4, ["c", "d"], 3) == ["b", "c", "d"]
    tail = kept.usable("r", 3)
    assert tail is not None
    assert not tail.complete
    assert kept.usable("r", 4) is None  # wider than kept and older events exist
    assert kept.merge("r", tail, 1, 0, 6, ["e"], 3) is None  # one of two new rows missing
    assert kept.merge("r", tail, 1, 1, 5, ["x", "y", "z"], 3) == ["x", "y", "z"]  # edited
    kept.merge("s", None, 2, 0, 0, [], 3)
    kept.merge("t", None, 3, 0, 0, [], 3)
    assert len(kept) == 2  # bounded: the least recently read room went
    assert kept.usable("r", 3) is None


@pytest.mark.asyncio
async def test_update_event_takes_the_room_row_before_the_event_row(
    two: tuple[PostgresStore, PostgresStore], pg_dsn: str, pg_schema: str
) -> None:
    """The order add_event and delete_room (room, then its events) take them in: a
    delete_room running meanwhile cannot deadlock with update_event."""
    store, _ = two
    room = await store.create_room(Room())
    event = await store.add_event(_event(room.id, "a"))
    holder = await asyncpg.connect(pg_dsn, timeout=5)
    checker = await asyncpg.connect(pg_dsn, timeout=5)
    try:
        tx = holder.transaction()
        await tx.start()
        await holder.execute(f'SELECT 1 FROM "{pg_schema}".rooms WHERE id = $1 FOR UPDATE', room.id)
        event.status = EventStatus.FAILED
        update = asyncio.create_task(store.update_event(event))
        await asyncio.sleep(0.3)  # the update is waiting for the room row
        assert not update.done()
        async with checker.transaction():  # while it waits, the event row is not locked
            row = await checker.fetchval(
                f'SELECT id FROM "{pg_schema}".events WHERE id = $1 FOR UPDATE NOWAIT', event.id
            )
        assert row == event.id
        await tx.rollback()
        await asyncio.wait_for(update, 10)
    finally:
        await holder.close()
        await checker.close()
    snapshot = await store.get_room_snapshot(room.id)
    assert snapshot is not None
    assert [e.status for e in snapshot.recent_events] == [EventStatus.FAILED]


@pytest.mark.asyncio
async def test_a_context_list_changed_by_its_caller_leaves_the_kept_events_alone(
    two: tuple[PostgresStore, PostgresStore],
) -> None:
    store, _ = two
    room = await store.create_room(Room())
    for body in "ab":
        await store.add_event(_event(room.id, body))
    snapshot = await store.get_room_snapshot(room.id)
    assert snapshot is not None
    snapshot.recent_events.clear()
    assert await _window(store, room.id) == ["a", "b"]
