"""SQLiteStore through the conformance suite, plus what only a file-backed store has."""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path

import pytest
from roomkit_sqlite import SQLiteStore
from roomkit_sqlite._schema import SCHEMA_VERSION
from roomkit_sqlite.testing import StoreFixtures

from roomkit.errors import StoreError
from roomkit.models.content import TextContent
from roomkit.models.enums import ChannelDirection, ChannelType, EventStatus
from roomkit.models.event import EventSource, RoomEvent
from roomkit.models.participant import Participant
from roomkit.models.room import ChannelBinding, Room
from roomkit_conformance.suites.store import ConversationStoreSuite


class TestSQLiteStore(StoreFixtures, ConversationStoreSuite):
    capabilities = frozenset({"cross_process", "single_read"})


def _event(room_id: str, body: str, key: str | None = None) -> RoomEvent:
    return RoomEvent(
        room_id=room_id,
        source=EventSource(channel_id="sms", channel_type=ChannelType.SMS, participant_id="u"),
        content=TextContent(body=body),
        idempotency_key=key,
    )


@pytest.mark.asyncio
async def test_everything_survives_close_and_reopen(tmp_path: Path) -> None:
    path = tmp_path / "nested" / "rooms.db"
    store = SQLiteStore(path)
    room = await store.create_room(Room(metadata={"k": "v"}))
    await store.add_binding(
        ChannelBinding(room_id=room.id, channel_id="sms", channel_type=ChannelType.SMS)
    )
    await store.add_participant(Participant(id="u", room_id=room.id, channel_id="sms"))
    for i in range(5):
        await store.add_event(_event(room.id, str(i), key=f"k{i}"))
    await store.close()

    reopened = SQLiteStore(path)
    try:
        loaded = await reopened.get_room(room.id)
        assert loaded is not None
        assert loaded.metadata == {"k": "v"}
        assert loaded.event_count == 5
        assert loaded.latest_index == 4
        events = await reopened.list_events(room.id)
        assert [e.content.body for e in events] == ["0", "1", "2", "3", "4"]  # type: ignore[union-attr]
        duplicate = await reopened.add_event(_event(room.id, "again", key="k2"))
        assert duplicate.id == events[2].id
        assert (await reopened.add_event(_event(room.id, "5"))).index == 5
        found = await reopened.find_latest_room("sms", "u")
        assert found is not None
        assert found.id == room.id
    finally:
        await reopened.close()


@pytest.mark.asyncio
async def test_file_is_in_wal_mode_with_current_schema(tmp_path: Path) -> None:
    store = SQLiteStore(tmp_path / "rooms.db")
    await store.create_room(Room())
    await store.close()
    conn = sqlite3.connect(tmp_path / "rooms.db")
    try:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    finally:
        conn.close()


@pytest.mark.asyncio
async def test_reopening_applies_schema_once(tmp_path: Path) -> None:
    for _ in range(3):
        store = SQLiteStore(tmp_path / "rooms.db")
        await store.create_room(Room())
        await store.close()
    store = SQLiteStore(tmp_path / "rooms.db")
    assert len(await store.list_rooms()) == 3
    await store.close()


@pytest.mark.asyncio
async def test_file_from_a_newer_version_is_refused(tmp_path: Path) -> None:
    conn = sqlite3.connect(tmp_path / "rooms.db")
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    conn.close()
    store = SQLiteStore(tmp_path / "rooms.db")
    with pytest.raises(StoreError, match="newer"):
        await store.get_room("x")
    await store.close()


@pytest.mark.asyncio
async def test_unopenable_path_raises_store_error(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    store = SQLiteStore(blocker / "rooms.db")
    with pytest.raises(StoreError):
        await store.get_room("x")
    await store.close()


@pytest.mark.asyncio
async def test_closed_store_refuses_calls(tmp_path: Path) -> None:
    store = SQLiteStore(tmp_path / "rooms.db")
    await store.close()
    await store.close()
    with pytest.raises(StoreError, match="closed"):
        await store.get_room("x")


def test_bad_configuration_is_refused() -> None:
    with pytest.raises(StoreError):
        SQLiteStore("")
    with pytest.raises(StoreError):
        SQLiteStore("x.db", busy_timeout=0)
    with pytest.raises(StoreError, match="NORMAL, FULL"):
        SQLiteStore("x.db", synchronous="OFF")


@pytest.mark.asyncio
@pytest.mark.parametrize(("asked", "level"), [(None, 1), ("FULL", 2), ("normal", 1)])
async def test_synchronous_is_normal_unless_full_is_asked(
    tmp_path: Path, asked: str | None, level: int
) -> None:
    store = (
        SQLiteStore(tmp_path / "rooms.db")
        if asked is None
        else SQLiteStore(tmp_path / "rooms.db", synchronous=asked)
    )
    try:
        await store.create_room(Room())
        assert store._conn is not None
        assert store._conn.execute("PRAGMA synchronous").fetchone()[0] == level
    finally:
        await store.close()


@pytest.mark.asyncio
async def test_negative_paging_is_refused(tmp_path: Path) -> None:
    store = SQLiteStore(tmp_path / "rooms.db")
    room = await store.create_room(Room())
    with pytest.raises(StoreError, match="limit"):
        await store.list_events(room.id, limit=-1)
    with pytest.raises(StoreError, match="offset"):
        await store.list_rooms(offset=-5)
    await store.close()


@pytest.mark.asyncio
async def test_two_instances_on_one_file_write_concurrently(tmp_path: Path) -> None:
    stores = [SQLiteStore(tmp_path / "rooms.db") for _ in range(3)]
    room = await stores[0].create_room(Room())
    await asyncio.gather(*(stores[i % 3].add_event(_event(room.id, str(i))) for i in range(150)))
    events = await stores[1].list_events(room.id, limit=200)
    assert [e.index for e in events] == list(range(150))
    for store in stores:
        await store.close()


@pytest.mark.asyncio
async def test_a_version_1_file_is_upgraded_in_place(tmp_path: Path) -> None:
    from roomkit_sqlite._schema import _V1

    path = tmp_path / "old.db"
    conn = sqlite3.connect(path)
    conn.executescript(_V1)
    conn.execute("PRAGMA user_version = 1")
    conn.close()
    store = SQLiteStore(path)
    try:
        room = await store.create_room(Room())
        first = await store.add_event(_event(room.id, "a"))
        await store.add_event(_event(room.id, "b"))
        await store.mark_read(room.id, "ws", first.id)
        assert await store.get_unread_count(room.id, "ws") == 1
    finally:
        await store.close()
    conn = sqlite3.connect(path)
    try:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION == 4
        plan = conn.execute(
            "EXPLAIN QUERY PLAN SELECT coalesce(max(seq), -1) + 1 FROM participants"
            " WHERE room_id = 'r'"
        ).fetchall()
        assert "participants_by_seq" in " ".join(str(row) for row in plan)
    finally:
        conn.close()


@pytest.mark.asyncio
async def test_a_version_2_file_keeps_the_order_of_rooms_by_activity(tmp_path: Path) -> None:
    """Version 2 ordered rooms by a clock bumped per stored event, deleted ones included;
    version 3 by the newest event's rowid. The upgrade re-bases every room on its newest
    event, so a room written after the upgrade is the latest one."""
    from roomkit_sqlite._schema import _V1, _V2

    path = tmp_path / "v2.db"
    conn = sqlite3.connect(path, isolation_level=None)
    conn.executescript(_V1 + _V2)
    older, newer = Room(), Room()
    for room in (older, newer):
        conn.execute(
            "INSERT INTO rooms (id, status, created_us, last_activity_us, data)"
            " VALUES (?, 'active', 0, 0, ?)",
            (room.id, room.model_dump_json()),
        )
        binding = ChannelBinding(room_id=room.id, channel_id="sms", channel_type=ChannelType.SMS)
        conn.execute(
            "INSERT INTO bindings (room_id, channel_id, seq, data) VALUES (?, 'sms', 0, ?)",
            (room.id, binding.model_dump_json()),
        )
    # three events of a deleted room took clock values 1-3 (and rowids 1-3, reused since):
    # `newer`'s only event got rowid 1 and clock value 4
    event = _event(newer.id, "x").model_copy(update={"index": 0})
    conn.execute(
        "INSERT INTO events (rowid, id, room_id, idx, data) VALUES (1, ?, ?, 0, ?)",
        (event.id, newer.id, event.model_dump_json()),
    )
    conn.execute("UPDATE rooms SET next_index = 1, activity = 4 WHERE id = ?", (newer.id,))
    conn.execute("UPDATE activity_clock SET value = 4")
    conn.execute("PRAGMA user_version = 2")
    conn.close()

    store = SQLiteStore(path)
    try:
        latest = await store.find_latest_room("sms")
        assert latest is not None
        assert latest.id == newer.id
        await store.add_event(_event(older.id, "now"))
        latest = await store.find_latest_room("sms")
        assert latest is not None
        assert latest.id == older.id
    finally:
        await store.close()


@pytest.mark.asyncio
async def test_a_version_3_file_keeps_its_events_and_their_keys(tmp_path: Path) -> None:
    """Version 4 rebuilds the events table (keys unique through a partial index): every
    event reads back as stored, with its rowid (the rooms' activity), and a key stored
    before the upgrade still finds its event and refuses a second one."""
    from roomkit_sqlite._schema import _V1, _V2, _V3

    path = tmp_path / "v3.db"
    conn = sqlite3.connect(path, isolation_level=None)
    conn.executescript(_V1 + _V2 + _V3)
    conn.execute("PRAGMA user_version = 3")
    conn.close()
    store = SQLiteStore(path)
    room = await store.create_room(Room())
    other = await store.create_room(Room())
    await store.close()
    # the events written as version 3 did (the plugin then was this one with schema 3)
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA user_version = 3")
    written: list[tuple[str, RoomEvent]] = []
    for i, (room_id, key) in enumerate(
        [(room.id, "k1"), (room.id, None), (other.id, "k1"), (room.id, None)]
    ):
        index = sum(1 for r, _ in written if r == room_id)
        event = _event(room_id, f"m{i}", key).model_copy(update={"index": index})
        conn.execute(
            "INSERT INTO events (rowid, id, room_id, idx, idempotency_key, data)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            (10 + i, event.id, room_id, index, key, event.model_dump_json()),
        )
        conn.execute(
            "UPDATE rooms SET next_index = next_index + 1, activity = ? WHERE id = ?",
            (10 + i, room_id),
        )
        written.append((room_id, event))
    conn.close()

    store = SQLiteStore(path)
    try:
        for room_id in (room.id, other.id):
            stored = await store.list_events(room_id)
            assert [e.model_dump() for e in stored] == [
                e.model_dump() for r, e in written if r == room_id
            ]
        keyed = await store.get_event_by_idempotency_key(room.id, "k1")
        assert keyed is not None
        assert keyed.id == written[0][1].id
        again = await store.add_event(_event(room.id, "again", "k1"))
        assert again.id == written[0][1].id
        assert await store.count_events(room.id) == 3
    finally:
        await store.close()
    conn = sqlite3.connect(path)
    try:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == 4
        rowids = conn.execute("SELECT rowid FROM events ORDER BY rowid").fetchall()
        assert [r[0] for r in rowids] == [10, 11, 12, 13]
        with pytest.raises(sqlite3.IntegrityError):
            conn.execute(
                "INSERT INTO events (id, room_id, idx, idempotency_key, data)"
                " VALUES ('dup', ?, 9, 'k1', '{}')",
                (room.id,),
            )
    finally:
        conn.close()


def test_events_without_a_key_are_not_in_the_key_index(tmp_path: Path) -> None:
    """The key index is partial: what makes storing an event without one a page cheaper."""
    from roomkit_sqlite._schema import apply_schema

    conn = sqlite3.connect(tmp_path / "k.db", isolation_level=None)
    try:
        apply_schema(conn)
        conn.execute(
            "INSERT INTO rooms (id, status, created_us, last_activity_us, data)"
            " VALUES ('r', 'active', 0, 0, '{}')"
        )
        for i, key in enumerate([None, "a", None, "b", None]):
            conn.execute(
                "INSERT INTO events (id, room_id, idx, idempotency_key, data)"
                " VALUES (?, 'r', ?, ?, '{}')",
                (f"e{i}", i, key),
            )
        (entries,) = conn.execute(
            "SELECT count(*) FROM events INDEXED BY events_by_key"
            " WHERE room_id = 'r' AND idempotency_key IS NOT NULL"
        ).fetchone()
        assert entries == 2
        plan = conn.execute(
            "EXPLAIN QUERY PLAN SELECT data FROM events WHERE room_id = ? AND idempotency_key = ?",
            ("r", "a"),
        ).fetchall()
        assert "events_by_key" in " ".join(str(row) for row in plan)
    finally:
        conn.close()


def _hold_write_lock(path: Path) -> sqlite3.Connection:
    """Another process's connection holding the file's write lock (until commit)."""
    other = sqlite3.connect(path, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    return other


@pytest.mark.asyncio
async def test_a_locked_file_makes_writes_wait_on_the_thread_not_the_loop(tmp_path: Path) -> None:
    path = tmp_path / "rooms.db"
    store = SQLiteStore(path, busy_timeout=10)
    room = await store.create_room(Room())
    await store.add_event(_event(room.id, "before"))
    other = _hold_write_lock(path)
    write = asyncio.ensure_future(store.add_event(_event(room.id, "waiting")))
    read = asyncio.ensure_future(store.get_recent_events(room.id))  # queued behind the write
    ticks = 0
    for _ in range(20):  # the loop keeps running while the write waits for the lock
        await asyncio.sleep(0.01)
        ticks += 1
    assert ticks == 20
    assert not write.done()
    other.execute("COMMIT")
    other.close()
    stored = await write
    assert stored.index == 1
    assert [e.content.body for e in await read] == ["before", "waiting"]  # type: ignore[union-attr]
    third = await store.add_event(_event(room.id, "inline again"))
    assert third.index == 2
    await store.close()


@pytest.mark.asyncio
async def test_a_lock_held_past_busy_timeout_fails_and_stores_nothing(tmp_path: Path) -> None:
    path = tmp_path / "rooms.db"
    store = SQLiteStore(path, busy_timeout=0.2)
    room = await store.create_room(Room())
    other = _hold_write_lock(path)
    with pytest.raises(StoreError, match="locked"):
        await store.add_event(_event(room.id, "refused"))
    other.execute("ROLLBACK")
    other.close()
    assert await store.list_events(room.id) == []
    assert (await store.add_event(_event(room.id, "after"))).index == 0
    await store.close()


@pytest.mark.asyncio
async def test_each_snapshot_is_a_new_context_sharing_the_kept_models(tmp_path: Path) -> None:
    """The contract (``ConversationStore``): returned objects may be shared, a change goes
    through ``update_*``. Each snapshot has its own lists (``snapshot_is_context``), so a
    caller emptying them changes no later read; an event changed through ``update_event`` is
    seen by the next one."""
    store = SQLiteStore(tmp_path / "rooms.db")
    try:
        assert SQLiteStore.snapshot_is_context
        room = await store.create_room(Room())
        await store.add_binding(
            ChannelBinding(room_id=room.id, channel_id="sms", channel_type=ChannelType.SMS)
        )
        await store.add_participant(Participant(id="u1", room_id=room.id, channel_id="sms"))
        first = await store.add_event(_event(room.id, "one"))
        snapshot = await store.get_room_snapshot(room.id)
        assert snapshot is not None
        members = [p.id for p in snapshot.participants]
        assert members[0] == "u1"
        snapshot.recent_events.clear()
        snapshot.bindings.clear()
        snapshot.participants.clear()
        snapshot.metadata["mine"] = True
        again = await store.get_room_snapshot(room.id)
        assert again is not None
        assert again is not snapshot
        assert [e.id for e in again.recent_events] == [first.id]
        assert [b.channel_id for b in again.bindings] == ["sms"]
        assert [p.id for p in again.participants] == members
        assert again.metadata == {}
        await store.update_event(first.model_copy(update={"metadata": {"edited": True}}))
        edited = await store.get_room_snapshot(room.id)
        assert edited is not None
        assert [e.metadata for e in edited.recent_events] == [{"edited": True}]
    finally:
        await store.close()


def _write_events(path: str, room_id: str, worker: int, count: int) -> None:
    async def run() -> None:
        store = SQLiteStore(path)
        for i in range(count):
            await store.add_event(_event(room_id, f"w{worker}-{i}", key=f"w{worker}-{i}"))
        await store.close()

    asyncio.run(run())


@pytest.mark.asyncio
async def test_processes_writing_one_file_keep_indexes_gap_free(tmp_path: Path) -> None:
    import multiprocessing

    path = str(tmp_path / "rooms.db")
    store = SQLiteStore(path)
    room = await store.create_room(Room())
    spawn = multiprocessing.get_context("spawn")
    workers = [spawn.Process(target=_write_events, args=(path, room.id, w, 60)) for w in range(3)]
    for worker in workers:
        worker.start()
    for worker in workers:
        await asyncio.get_running_loop().run_in_executor(None, worker.join, 120)
        assert worker.exitcode == 0
    events = await store.list_events(room.id, limit=500)
    assert [e.index for e in events] == list(range(180))
    assert len({e.idempotency_key for e in events}) == 180
    await store.close()


def _dump(snapshot: object) -> dict[str, object]:
    from roomkit.models.context import RoomContext

    assert isinstance(snapshot, RoomContext)
    return snapshot.model_dump()


@pytest.mark.asyncio
async def test_a_cached_snapshot_equals_a_fresh_read_after_every_write(tmp_path: Path) -> None:
    """The snapshot this store keeps between messages (see ``_snapshots``) against what a
    new connection reads from the file, after each kind of write that changes a snapshot."""
    path = tmp_path / "rooms.db"
    store = SQLiteStore(path)
    room = await store.create_room(Room())
    binding = ChannelBinding(room_id=room.id, channel_id="sms", channel_type=ChannelType.SMS)

    async def same(recent: int = 3) -> None:
        cached = await store.get_room_snapshot(room.id, recent=recent)
        fresh_store = SQLiteStore(path)
        try:
            fresh = await fresh_store.get_room_snapshot(room.id, recent=recent)
        finally:
            await fresh_store.close()
        assert _dump(cached) == _dump(fresh)

    def inbound(sender: str, body: str, key: str | None = None) -> RoomEvent:
        source = EventSource(
            channel_id="sms",
            channel_type=ChannelType.SMS,
            participant_id=sender,
            direction=ChannelDirection.INBOUND,
        )
        return RoomEvent(
            room_id=room.id, source=source, content=TextContent(body=body), idempotency_key=key
        )

    try:
        await same()
        await store.add_binding(binding)
        await same()
        first = await store.add_event(inbound("u1", "a", key="k"))  # u1 joins with it
        await same()
        assert store._snapshots.known(room.id) is not None  # kept across the write
        for i in range(4):
            await store.add_event(inbound("u1" if i % 2 else "u2", f"m{i}"))
            await same()
        await store.add_event(inbound("u3", "again", key="k"))  # a duplicate: nothing stored
        await same()
        await same(recent=10)  # more than the snapshot holds: read again
        await same(recent=1)
        await store.update_event(first.model_copy(update={"metadata": {"edited": True}}))
        await same(recent=10)
        await store.update_binding(binding.model_copy(update={"muted": True}))
        await same()
        await store.add_participant(Participant(id="u9", room_id=room.id, channel_id="sms"))
        await same()
        await store.update_room(room.model_copy(update={"metadata": {"topic": "x"}}))
        await same()
        await store.remove_binding(room.id, "sms")
        await same()
        await store.delete_room(room.id)
        assert await store.get_room_snapshot(room.id) is None
    finally:
        await store.close()


@pytest.mark.asyncio
async def test_changing_what_add_event_returned_changes_no_cached_snapshot(
    tmp_path: Path,
) -> None:
    store = SQLiteStore(tmp_path / "rooms.db")
    try:
        room = await store.create_room(Room())
        await store.get_room_snapshot(room.id)  # cached from here on
        stored = await store.add_event(_event(room.id, "one"))
        stored.metadata["local"] = True
        stored.delivery_results["x"] = None  # type: ignore[assignment]
        stored.status = EventStatus.FAILED
        snapshot = await store.get_room_snapshot(room.id)
        assert snapshot is not None
        (cached,) = snapshot.recent_events
        assert cached.metadata == {}
        assert cached.delivery_results == {}
        assert cached.status != EventStatus.FAILED
    finally:
        await store.close()


@pytest.mark.asyncio
async def test_a_write_through_another_connection_is_seen_by_the_next_snapshot(
    tmp_path: Path,
) -> None:
    """Any commit by another connection (here plain sqlite3, as another program would)
    makes the cached snapshots be read again."""
    path = tmp_path / "rooms.db"
    store = SQLiteStore(path)
    try:
        room = await store.create_room(Room())
        stored = await store.add_event(_event(room.id, "one"))
        await store.get_room_snapshot(room.id)
        edited = stored.model_copy(update={"metadata": {"by": "other"}})
        other = sqlite3.connect(path)
        with other:
            other.execute(
                "UPDATE events SET data = ? WHERE id = ?", (edited.model_dump_json(), stored.id)
            )
        other.close()
        snapshot = await store.get_room_snapshot(room.id)
        assert snapshot is not None
        assert [e.metadata for e in snapshot.recent_events] == [{"by": "other"}]
    finally:
        await store.close()


@pytest.mark.asyncio
async def test_an_error_keeping_the_snapshot_does_not_fail_a_committed_event(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from roomkit_sqlite._snapshots import SnapshotCache

    def broken(*_: object) -> None:
        raise RuntimeError("bug while keeping the snapshot")

    store = SQLiteStore(tmp_path / "rooms.db")
    try:
        room = await store.create_room(Room())
        await store.get_room_snapshot(room.id)
        monkeypatch.setattr(SnapshotCache, "stored", broken)
        stored = await store.add_event(_event(room.id, "one"))
        assert stored.index == 0
        snapshot = await store.get_room_snapshot(room.id)
        assert snapshot is not None
        assert [e.id for e in snapshot.recent_events] == [stored.id]
    finally:
        await store.close()


@pytest.mark.asyncio
async def test_message_snapshots_read_members_by_id_and_equal_a_fresh_read(
    tmp_path: Path,
) -> None:
    """``get_message_snapshot`` keeps a snapshot holding only the participants looked up by
    id; what it returns, and a ``get_room_snapshot`` after it, equal a new connection's read."""
    path = tmp_path / "rooms.db"
    store = SQLiteStore(path)
    try:
        room = await store.create_room(Room())
        for pid in ("a", "b", "c"):
            await store.add_participant(Participant(id=pid, room_id=room.id, channel_id="sms"))
        first = await store.get_message_snapshot(room.id, "b")
        assert first is not None
        assert [p.id for p in first.participants] == ["b"]
        second = await store.get_message_snapshot(room.id, "c")  # kept; "c" read by id
        assert second is not None
        assert [p.id for p in second.participants] == ["c"]
        assert (await store.get_message_snapshot(room.id, "nobody")).participants == []  # type: ignore[union-attr]
        await store.add_event(_event(room.id, "hi"))  # its sender joins
        fresh_store = SQLiteStore(path)
        try:
            for who in ("a", "u", "nobody", None):
                cached = await store.get_message_snapshot(room.id, who)
                fresh = await fresh_store.get_message_snapshot(room.id, who)
                assert _dump(cached) == _dump(fresh)
            assert _dump(await store.get_room_snapshot(room.id)) == _dump(
                await fresh_store.get_room_snapshot(room.id)
            )
        finally:
            await fresh_store.close()
    finally:
        await store.close()


@pytest.mark.asyncio
async def test_a_refused_event_keeps_its_index(tmp_path: Path) -> None:
    from roomkit.errors import RoomNotFoundError

    store = SQLiteStore(tmp_path / "rooms.db")
    try:
        room = await store.create_room(Room())
        stored = await store.add_event(_event(room.id, "one"))
        assert stored.index == 0
        again = _event(room.id, "two")
        again.id = stored.id  # the same id: the insert fails after the counter was bumped
        with pytest.raises(StoreError):
            await store.add_event(again)
        assert again.index == -1
        missing = _event("no-such-room", "x")
        with pytest.raises(RoomNotFoundError):
            await store.add_event(missing)
        assert missing.index == -1
        assert (await store.add_event(_event(room.id, "three"))).index == 1
    finally:
        await store.close()


@pytest.mark.asyncio
async def test_the_stored_text_is_the_events_json_and_reads_back_equal(tmp_path: Path) -> None:
    """``add_event`` writes what ``model_dump_json`` gives (through the serializer directly),
    and a fresh store reads back an equal event."""
    path = tmp_path / "text.db"
    store = SQLiteStore(path)
    room = await store.create_room(Room())
    event = _event(room.id, 'héllo ☃ "quoted" \\ \n tab\t', "key-ü").model_copy(
        update={"metadata": {"n": 1, "f": 0.5, "nested": {"list": [True, None, "x"]}}}
    )
    stored = await store.add_event(event)
    await store.close()
    conn = sqlite3.connect(path)
    try:
        (text,) = conn.execute("SELECT data FROM events WHERE id = ?", (stored.id,)).fetchone()
    finally:
        conn.close()
    assert text == stored.model_dump_json()
    again = SQLiteStore(path)
    try:
        read = await again.get_event(stored.id)
        assert read is not None
        assert read.model_dump() == stored.model_dump()
    finally:
        await again.close()
