"""``SQLiteStore``: a persistent :class:`~roomkit.store.base.ConversationStore` in one file.

Every write is one ``BEGIN IMMEDIATE`` transaction (how calls run on the connection:
:mod:`roomkit_sqlite._connection`). That makes index assignment atomic: the per-room
``next_index`` counter is read and bumped in the same transaction that inserts the event, and
``BEGIN IMMEDIATE`` also serialises writers in *other* processes that open the same file. The
file runs in WAL mode so readers in other processes never block the writer.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any, TypeVar

from roomkit.errors import RoomNotFoundError, StoreError
from roomkit.models.context import RoomContext
from roomkit.models.enums import ChannelDirection, RoomStatus
from roomkit.models.event import RoomEvent
from roomkit.models.participant import Participant
from roomkit.models.room import ChannelBinding, Room
from roomkit.store.base import ConversationStore
from roomkit.store.contracts import MetadataPage
from roomkit.store.decoded import DecodedModels
from roomkit.store.validation import (
    INT64_MAX,
    check_index,
    check_page,
    check_recent,
    check_storable,
    readable_key,
)
from roomkit_sqlite._connection import DEFAULT_PATH, SQLiteConnection, logger
from roomkit_sqlite._read_state import ReadStateMixin
from roomkit_sqlite._records import RecordsMixin, micros
from roomkit_sqlite._snapshots import RoomSnapshot, SnapshotCache

__all__ = ["DEFAULT_PATH", "SQLiteStore"]

T = TypeVar("T")

#: What ``add_event``'s transaction returns: the stored event (the first one for a duplicate
#: key), the (channel, sender) pair it recorded and the participant that joined with it.
_Added = tuple[RoomEvent, tuple[str, str] | None, Participant | None]


def _room_from(row: sqlite3.Row, decoded: DecodedModels[Room] | None = None) -> Room:
    room = Room.model_validate_json(row["data"]) if decoded is None else decoded.get(row["data"])
    room.event_count = row["next_index"]
    room.latest_index = row["next_index"] - 1
    return room


class SQLiteStore(RecordsMixin, ReadStateMixin, SQLiteConnection, ConversationStore):
    """A conversation store in a SQLite file; a drop-in for ``InMemoryStore``.

    ``path`` is the database file (created with its schema when missing); ``":memory:"`` keeps
    the data in memory for tests. ``busy_timeout`` is how long a write waits for another
    process holding the file's write lock before failing with :class:`StoreError`.
    ``synchronous``: ``"NORMAL"`` (default: a write survives a crash of the process, the last
    ones may be lost on a power loss) or ``"FULL"`` (an ``fsync`` per write: survives that too).
    """

    #: Every snapshot is a new context with new lists (the models in them are shared, as the
    #: contract allows: see :mod:`roomkit_sqlite._snapshots`), so the engine keeps it.
    snapshot_is_context = True

    def __init__(
        self,
        path: str | Path = DEFAULT_PATH,
        *,
        busy_timeout: float = 5.0,
        synchronous: str = "NORMAL",
    ) -> None:
        super().__init__(path, busy_timeout=busy_timeout, synchronous=synchronous)
        # what every message reads again: decoded once per distinct stored text
        self._decoded_rooms = DecodedModels(Room, 1024)
        self._decoded_bindings = DecodedModels(ChannelBinding, 1024)
        self._decoded_members = DecodedModels(Participant, 1024)
        self._decoded_events = DecodedModels(RoomEvent)
        # the rooms' snapshots, kept while no other connection writes (see _snapshots)
        self._snapshots = SnapshotCache()

    @staticmethod
    def _require_room(conn: sqlite3.Connection, room_id: str) -> sqlite3.Row:
        row = conn.execute("SELECT * FROM rooms WHERE id = ?", (room_id,)).fetchone()
        if row is None:
            raise RoomNotFoundError(f"room {room_id!r} does not exist")
        return row  # type: ignore[no-any-return]

    # -- rooms -------------------------------------------------------------------------------
    async def create_room(self, room: Room) -> Room:
        check_storable(room)

        def op(conn: sqlite3.Connection) -> Room:
            if conn.execute("SELECT 1 FROM rooms WHERE id = ?", (room.id,)).fetchone():
                raise StoreError(f"a room with id {room.id!r} already exists")
            conn.execute(
                "INSERT INTO rooms (id, status, organization_id, created_us, last_activity_us,"
                " data) VALUES (?, ?, ?, ?, ?, ?)",
                (
                    room.id,
                    room.status.value,
                    room.organization_id,
                    micros(room.created_at),
                    micros(room.last_activity_at),
                    room.model_dump_json(),
                ),
            )
            return room

        return await self._run(op, write=True)

    async def get_room(self, room_id: str) -> Room | None:
        if not readable_key(room_id):
            return None

        def op(conn: sqlite3.Connection) -> Room | None:
            row = conn.execute("SELECT * FROM rooms WHERE id = ?", (room_id,)).fetchone()
            return None if row is None else _room_from(row)

        return await self._run(op)

    async def update_room(self, room: Room) -> Room:
        check_storable(room)

        def op(conn: sqlite3.Connection) -> Room:
            self._snapshots.drop(room.id)
            stored = self._require_room(conn, room.id)
            room.event_count = stored["next_index"]
            room.latest_index = stored["next_index"] - 1
            activity = micros(room.last_activity_at)
            conn.execute(
                "UPDATE rooms SET status = ?, organization_id = ?, data = ?,"
                " last_activity_us = max(last_activity_us, ?) WHERE id = ?",
                (
                    room.status.value,
                    room.organization_id,
                    room.model_dump_json(),
                    activity,
                    room.id,
                ),
            )
            return room

        return await self._run(op, write=True)

    async def delete_room(self, room_id: str) -> bool:
        if not readable_key(room_id):
            return False

        def op(conn: sqlite3.Connection) -> bool:
            self._snapshots.drop(room_id)
            return conn.execute("DELETE FROM rooms WHERE id = ?", (room_id,)).rowcount > 0

        return await self._run(op, write=True)

    async def find_rooms(
        self,
        organization_id: str | None = None,
        status: RoomStatus | str | None = None,
        metadata_filter: dict[str, Any] | None = None,
        *,
        limit: int = 100,
        offset: int = 0,
    ) -> list[Room]:
        offset, limit = check_page(offset, limit)
        clauses, params = ["1 = 1"], []
        if status is not None:
            clauses.append("status = ?")
            params.append(RoomStatus(status).value)
        if organization_id is not None:
            if not readable_key(organization_id):
                return []
            clauses.append("organization_id = ?")
            params.append(organization_id)
        where = " AND ".join(clauses)
        if not metadata_filter:
            sql = f"SELECT * FROM rooms WHERE {where} ORDER BY created_us, rowid LIMIT ? OFFSET ?"

            def page(conn: sqlite3.Connection) -> list[Room]:
                rows = conn.execute(sql, (*params, limit, offset)).fetchall()
                return [_room_from(r) for r in rows]

            return await self._run(page)
        # metadata is compared in Python (one rule for every store: metadata_matches)
        sql = f"SELECT * FROM rooms WHERE {where} ORDER BY created_us, rowid"

        def filtered(conn: sqlite3.Connection) -> list[Room]:
            page = MetadataPage(metadata_filter, offset, limit)
            for row in conn.execute(sql, params):
                if not page.offer(_room_from(row)):
                    break
            return page.rooms

        return await self._run(filtered)

    async def find_latest_room(
        self,
        channel_id: str,
        participant_id: str | None = None,
        *,
        status: RoomStatus | None = RoomStatus.ACTIVE,
    ) -> Room | None:
        if not readable_key(channel_id) or not (
            participant_id is None or readable_key(participant_id)
        ):
            return None
        status_sql, params = "", []
        if status is not None:
            status_sql = " AND r.status = ?"
            params.append(RoomStatus(status).value)
        if participant_id is None:
            sql = (
                "SELECT r.* FROM bindings b JOIN rooms r ON r.id = b.room_id"
                f" WHERE b.channel_id = ?{status_sql}"
                " ORDER BY r.activity DESC, r.rowid DESC LIMIT 1"
            )
            args: tuple[Any, ...] = (channel_id, *params)
        else:
            sql = (
                "SELECT r.* FROM senders s JOIN rooms r ON r.id = s.room_id"
                f" WHERE s.channel_id = ? AND s.participant_id = ?{status_sql}"
                " AND EXISTS (SELECT 1 FROM bindings b"
                " WHERE b.room_id = s.room_id AND b.channel_id = s.channel_id)"
                " ORDER BY r.activity DESC, r.rowid DESC LIMIT 1"
            )
            args = (channel_id, participant_id, *params)

        def op(conn: sqlite3.Connection) -> Room | None:
            row = conn.execute(sql, args).fetchone()
            return None if row is None else _room_from(row)

        return await self._run(op)

    # -- snapshots ---------------------------------------------------------------------------
    async def get_room_snapshot(self, room_id: str, *, recent: int = 20) -> RoomContext | None:
        """The room, its bindings, participants and last ``recent`` events.

        From the room's cached snapshot when no other connection wrote the file since it was
        read (one ``PRAGMA data_version``, see :mod:`roomkit_sqlite._snapshots`); else read
        from the file (four statements) and kept for the next call.
        """
        limit = recent if type(recent) is int and 0 <= recent <= INT64_MAX else check_recent(recent)
        if not readable_key(room_id):
            return None
        cache = self._snapshots

        def op(conn: sqlite3.Connection) -> RoomContext | None:
            hot = self._hot(conn)
            version = cache.check(hot)
            cached = cache.get(room_id, limit)
            if cached is not None:
                return cached.context(limit)
            snapshot = self._read_snapshot(conn, room_id, limit)
            if snapshot is None:
                return None
            if cache.check(hot) == version:  # nobody committed while it was read
                cache.put(room_id, snapshot)
            return snapshot.context(limit)

        return await self._run(op)

    async def get_message_snapshot(
        self, room_id: str, participant_id: str | None, *, recent: int = 20
    ) -> RoomContext | None:
        """The room, its bindings, the participant ``participant_id`` and the last ``recent``
        events: what the engine reads for every message.

        From the room's cached snapshot like :meth:`get_room_snapshot`; a participant it does
        not hold is read by id (and kept). Read from the file, it is four statements, none
        of which reads every participant: a snapshot kept from here holds the participants
        looked up so far, not the room's whole membership.
        """
        limit = recent if type(recent) is int and 0 <= recent <= INT64_MAX else check_recent(recent)
        if not readable_key(room_id):
            return None
        sender_id = participant_id if readable_key(participant_id) else None
        cache = self._snapshots

        def op(conn: sqlite3.Connection) -> RoomContext | None:
            hot = self._hot(conn)
            version = cache.check(hot)
            cached = cache.get(room_id, limit, complete=False)
            if cached is None:
                snapshot = self._read_snapshot(conn, room_id, limit, sender_id, complete=False)
                if snapshot is None:
                    return None
                if cache.check(hot) == version:  # nobody committed while it was read
                    cache.put(room_id, snapshot)
                sender = snapshot.members.get(sender_id) if sender_id is not None else None
                return snapshot.message_context(limit, sender)
            if sender_id is None:
                return cached.message_context(limit, None)
            sender = cached.members.get(sender_id)
            if sender is None and not cached.complete:
                sender = self._read_member(conn, room_id, sender_id)
                if sender is not None and cache.check(hot) == version:
                    cached.members[sender_id] = sender
            return cached.message_context(limit, sender)

        return await self._run(op)

    def _read_member(
        self, conn: sqlite3.Connection, room_id: str, participant_id: str
    ) -> Participant | None:
        row = conn.execute(
            "SELECT data FROM participants WHERE room_id = ? AND id = ?", (room_id, participant_id)
        ).fetchone()
        return None if row is None else self._decoded_members.get(row[0])

    def _read_snapshot(
        self,
        conn: sqlite3.Connection,
        room_id: str,
        limit: int,
        sender_id: str | None = None,
        *,
        complete: bool = True,
    ) -> RoomSnapshot | None:
        """The room's snapshot from the file: with every participant (``complete``), or for a
        message snapshot with the participant ``sender_id`` alone (if a member)."""
        row = conn.execute("SELECT * FROM rooms WHERE id = ?", (room_id,)).fetchone()
        if row is None:
            return None

        def rows(sql: str, *params: Any) -> list[str]:
            return [r[0] for r in conn.execute(sql, (room_id, *params)).fetchall()]

        bindings = rows("SELECT data FROM bindings WHERE room_id = ? ORDER BY seq")
        members: dict[str, Participant]
        if complete:
            participants = self._decoded_members.many(
                rows("SELECT data FROM participants WHERE room_id = ? ORDER BY seq")
            )
            members = {p.id: p for p in participants}
        else:
            sender = None if sender_id is None else self._read_member(conn, room_id, sender_id)
            members = {} if sender is None else {sender.id: sender}
        newest_first = (
            rows("SELECT data FROM events WHERE room_id = ? ORDER BY idx DESC LIMIT ?", limit)
            if limit
            else []
        )
        newest_first.reverse()
        return RoomSnapshot(
            _room_from(row, self._decoded_rooms),
            self._decoded_bindings.many(bindings),
            members,
            self._decoded_events.many(newest_first),
            limit,
            complete=complete,
        )

    # -- events ------------------------------------------------------------------------------
    async def add_event(self, event: RoomEvent) -> RoomEvent:
        """Store ``event`` with the room's next index (set on ``event``, which is returned);
        for an idempotency key stored before, the event stored then (``event`` unchanged)."""
        check_storable(event)
        room_id = event.room_id
        key = event.idempotency_key
        cache = self._snapshots
        fields = event.__dict__
        index = fields["index"]  # put back if the write fails
        # what model_dump_json does, without its keyword handling (the same text)
        dump = type(event).__pydantic_serializer__.to_json

        def op(conn: sqlite3.Connection) -> _Added:
            hot = self._hot(conn)
            if key is not None:
                found = hot.execute(
                    "SELECT data FROM events WHERE room_id = ? AND idempotency_key = ?",
                    (room_id, key),
                ).fetchone()
                if found is not None:
                    return RoomEvent.model_validate_json(found[0]), None, None
            cache.check(hot)  # in the write transaction: the snapshot is the file's now
            known = cache.known(room_id)
            # bump the room's counter and take the index in one statement (no row: no room;
            # the transaction is rolled back); the room's activity is the new event's rowid
            bumped = hot.execute(
                "UPDATE rooms SET next_index = next_index + 1,"
                " activity = (SELECT coalesce(max(rowid), 0) + 1 FROM events),"
                " last_activity_us = max(last_activity_us, ?) WHERE id = ?"
                " RETURNING next_index - 1",
                (micros(event.created_at), room_id),
            ).fetchone()
            if bumped is None:
                raise RoomNotFoundError(f"room {room_id!r} does not exist")
            fields["index"] = bumped[0]  # the text stored carries it
            hot.execute(
                "INSERT INTO events (id, room_id, idx, idempotency_key, data)"
                " VALUES (?, ?, ?, ?, ?)",
                (event.id, room_id, bumped[0], key, dump(event).decode()),
            )
            source = event.source
            sender = source.participant_id
            if sender is None:
                return event, None, None
            pair = (source.channel_id, sender)
            if known is None or pair not in known.senders:
                _note_sender(conn, source.channel_id, sender, room_id)
            joined = None
            if source.direction == ChannelDirection.INBOUND and (
                known is None or sender not in known.members
            ):
                joined = _join(conn, event, sender)
            return event, pair, joined

        def after(added: _Added) -> None:
            stored, sender, joined = added
            if stored is not event:
                return
            event.__pydantic_fields_set__.add("index")
            try:
                cache.stored(event, sender, joined)
            except Exception:  # the event is committed: never report it as failed
                logger.exception("SQLiteStore: kept snapshots dropped after an error")
                cache.clear()

        try:
            stored, _, _ = await self._run(op, write=True, after=after)
        except BaseException:
            fields["index"] = index  # nothing was stored
            raise
        return stored

    async def get_event(self, event_id: str) -> RoomEvent | None:
        if not readable_key(event_id):
            return None
        return await self._one("SELECT data FROM events WHERE id = ?", (event_id,), RoomEvent)

    async def update_event(self, event: RoomEvent) -> RoomEvent:
        check_storable(event)

        def op(conn: sqlite3.Connection) -> RoomEvent:
            row = conn.execute(
                "SELECT idx, room_id FROM events WHERE id = ?", (event.id,)
            ).fetchone()
            self._snapshots.drop(event.room_id)
            if row is not None:
                self._snapshots.drop(row[1])
            if row is None:
                self._require_room(conn, event.room_id)
                raise StoreError(f"event {event.id!r} does not exist; add it with add_event")
            stored = event.model_copy(update={"index": row["idx"]})
            conn.execute(
                "UPDATE events SET data = ? WHERE id = ?", (stored.model_dump_json(), event.id)
            )
            return stored

        return await self._run(op, write=True)

    async def get_event_by_idempotency_key(self, room_id: str, key: str) -> RoomEvent | None:
        if not readable_key(room_id) or not readable_key(key):
            return None
        return await self._one(
            "SELECT data FROM events WHERE room_id = ? AND idempotency_key = ?",
            (room_id, key),
            RoomEvent,
        )

    async def list_events(
        self,
        room_id: str,
        offset: int = 0,
        limit: int = 50,
        visibility_filter: str | None = None,
        *,
        after_index: int | None = None,
        before_index: int | None = None,
    ) -> list[RoomEvent]:
        offset, limit = check_page(offset, limit)
        after = check_index(after_index, "after_index")
        before = check_index(before_index, "before_index")
        if not readable_key(room_id):
            return []
        sql, params = "SELECT data FROM events WHERE room_id = ?", [room_id]
        if after is not None:
            sql += " AND idx > ?"
            params.append(after)  # type: ignore[arg-type]
        if before is not None:
            sql += " AND idx < ?"
            params.append(before)  # type: ignore[arg-type]
        if visibility_filter is not None:
            if not readable_key(visibility_filter):
                return []
            sql += " AND json_extract(data, '$.visibility') = ?"
            params.append(visibility_filter)
        sql += " ORDER BY idx LIMIT ? OFFSET ?"
        return await self._many(sql, (*params, limit, offset), RoomEvent)

    async def get_recent_events(self, room_id: str, limit: int = 20) -> list[RoomEvent]:
        _, limit = check_page(0, limit)
        if not readable_key(room_id):
            return []
        decoded = self._decoded_events

        def op(conn: sqlite3.Connection) -> list[RoomEvent]:
            rows = conn.execute(
                "SELECT data FROM events WHERE room_id = ? ORDER BY idx DESC LIMIT ?",
                (room_id, limit),
            ).fetchall()
            return [decoded.get(r[0]) for r in reversed(rows)]

        return await self._run(op)

    async def count_events(self, room_id: str) -> int:
        if not readable_key(room_id):
            return 0

        def op(conn: sqlite3.Connection) -> int:
            row = conn.execute("SELECT next_index FROM rooms WHERE id = ?", (room_id,)).fetchone()
            return 0 if row is None else int(row[0])

        return await self._run(op)

    # -- bindings ----------------------------------------------------------------------------
    async def add_binding(self, binding: ChannelBinding) -> ChannelBinding:
        check_storable(binding)

        def op(conn: sqlite3.Connection) -> ChannelBinding:
            self._snapshots.drop(binding.room_id)
            self._require_room(conn, binding.room_id)
            old = conn.execute(
                "SELECT seq FROM bindings WHERE room_id = ? AND channel_id = ?",
                (binding.room_id, binding.channel_id),
            ).fetchone()
            seq = old["seq"] if old else _next_seq(conn, "bindings", binding.room_id)
            conn.execute(
                "INSERT OR REPLACE INTO bindings (room_id, channel_id, participant_id, seq, data)"
                " VALUES (?, ?, ?, ?, ?)",
                (
                    binding.room_id,
                    binding.channel_id,
                    binding.participant_id,
                    seq,
                    binding.model_dump_json(),
                ),
            )
            return binding

        return await self._run(op, write=True)

    async def get_binding(self, room_id: str, channel_id: str) -> ChannelBinding | None:
        if not readable_key(room_id) or not readable_key(channel_id):
            return None
        return await self._one(
            "SELECT data FROM bindings WHERE room_id = ? AND channel_id = ?",
            (room_id, channel_id),
            ChannelBinding,
        )

    async def update_binding(self, binding: ChannelBinding) -> ChannelBinding:
        check_storable(binding)

        def op(conn: sqlite3.Connection) -> ChannelBinding:
            self._snapshots.drop(binding.room_id)
            self._require_room(conn, binding.room_id)
            cur = conn.execute(
                "UPDATE bindings SET data = ?, participant_id = ? WHERE room_id = ?"
                " AND channel_id = ?",
                (
                    binding.model_dump_json(),
                    binding.participant_id,
                    binding.room_id,
                    binding.channel_id,
                ),
            )
            if cur.rowcount == 0:
                raise StoreError(
                    f"channel {binding.channel_id!r} is not bound to room {binding.room_id!r}"
                )
            return binding

        return await self._run(op, write=True)

    async def remove_binding(self, room_id: str, channel_id: str) -> bool:
        if not readable_key(room_id) or not readable_key(channel_id):
            return False

        def op(conn: sqlite3.Connection) -> bool:
            self._snapshots.drop(room_id)
            cur = conn.execute(
                "DELETE FROM bindings WHERE room_id = ? AND channel_id = ?", (room_id, channel_id)
            )
            return cur.rowcount > 0

        return await self._run(op, write=True)

    async def list_bindings(self, room_id: str) -> list[ChannelBinding]:
        if not readable_key(room_id):
            return []
        return await self._many(
            "SELECT data FROM bindings WHERE room_id = ? ORDER BY seq", (room_id,), ChannelBinding
        )

    # -- participants ------------------------------------------------------------------------
    async def add_participant(self, participant: Participant) -> Participant:
        return await self._put_participant(participant)

    async def _put_participant(self, participant: Participant) -> Participant:
        check_storable(participant)

        def op(conn: sqlite3.Connection) -> Participant:
            self._snapshots.drop(participant.room_id)
            self._require_room(conn, participant.room_id)
            old = conn.execute(
                "SELECT seq FROM participants WHERE room_id = ? AND id = ?",
                (participant.room_id, participant.id),
            ).fetchone()
            seq = old["seq"] if old else _next_seq(conn, "participants", participant.room_id)
            conn.execute(
                "INSERT INTO participants (room_id, id, seq, data) VALUES (?, ?, ?, ?)"
                " ON CONFLICT (room_id, id) DO UPDATE SET data = excluded.data",
                (participant.room_id, participant.id, seq, participant.model_dump_json()),
            )
            _note_sender(conn, participant.channel_id, participant.id, participant.room_id)
            return participant

        return await self._run(op, write=True)

    async def get_participant(self, room_id: str, participant_id: str) -> Participant | None:
        if not readable_key(room_id) or not readable_key(participant_id):
            return None
        return await self._one(
            "SELECT data FROM participants WHERE room_id = ? AND id = ?",
            (room_id, participant_id),
            Participant,
        )

    async def update_participant(self, participant: Participant) -> Participant:
        return await self._put_participant(participant)

    async def list_participants(self, room_id: str) -> list[Participant]:
        if not readable_key(room_id):
            return []
        return await self._many(
            "SELECT data FROM participants WHERE room_id = ? ORDER BY seq", (room_id,), Participant
        )


def _note_sender(
    conn: sqlite3.Connection, channel_id: str, participant_id: str, room_id: str
) -> None:
    conn.execute(
        "INSERT OR IGNORE INTO senders (channel_id, participant_id, room_id) VALUES (?, ?, ?)",
        (channel_id, participant_id, room_id),
    )


def _next_seq(conn: sqlite3.Connection, table: str, room_id: str) -> int:
    row = conn.execute(
        f"SELECT coalesce(max(seq), -1) + 1 FROM {table} WHERE room_id = ?", (room_id,)
    ).fetchone()
    return int(row[0])


def _join(conn: sqlite3.Connection, event: RoomEvent, sender: str) -> Participant | None:
    """The sender of an inbound event joins the room in the event's transaction; returns the
    new participant (``None``: a member already)."""
    if conn.execute(
        "SELECT 1 FROM participants WHERE room_id = ? AND id = ?", (event.room_id, sender)
    ).fetchone():
        return None
    member = Participant(
        id=sender,
        room_id=event.room_id,
        channel_id=event.source.channel_id,
        joined_at=event.created_at,
    )
    conn.execute(
        "INSERT INTO participants (room_id, id, seq, data) VALUES (?, ?, ?, ?)",
        (
            event.room_id,
            sender,
            _next_seq(conn, "participants", event.room_id),
            member.model_dump_json(),
        ),
    )
    return member
