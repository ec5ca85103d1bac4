"""``PostgresStore``: a :class:`~roomkit.store.base.ConversationStore` shared by many processes.

Index assignment is atomic across processes: ``add_event`` bumps the room's ``next_index``
counter with ``UPDATE ... RETURNING`` inside the transaction that inserts the event. The
update takes the room row's lock, so writers of one room queue on it while other rooms proceed,
and a rolled-back insert never leaves a gap. Idempotency keys are a unique
``(room_id, idempotency_key)`` constraint; a duplicate returns the row stored first.

Models are stored whole as ``json`` text, exactly as ``model_dump_json`` wrote it (``jsonb`` would
turn ``1e16`` into an integer and reorder keys), read back with ``model_validate_json``; other
columns exist to be indexed: events by ``(room_id, idx)``, the latest room for a channel and sender
(``senders`` + ``rooms(status, activity)``), identities by ``(channel_type, address)``.

A lost connection (backend terminated, failover) is retried once on a fresh connection; the
retry is safe because the event id is the primary key: an insert that committed before the
connection died is found and returned instead of being stored twice.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import asyncpg  # type: ignore[import-untyped]
from pydantic import BaseModel

from roomkit.errors import RoomLockLostError, RoomNotFoundError, StoreError
from roomkit.models.context import RoomContext
from roomkit.models.enums import ChannelDirection, RoomStatus
from roomkit.models.event import RoomEvent
from roomkit.models.participant import Participant
from roomkit.models.room import ChannelBinding, Room
from roomkit.store.base import ConversationStore
from roomkit.store.contracts import MetadataPage
from roomkit.store.decoded import DecodedModels
from roomkit.store.fencing import write_fence
from roomkit.store.validation import (
    check_index,
    check_page,
    check_recent,
    check_storable,
    readable_key,
)
from roomkit_postgres._connection import create_pool, run_with_retry
from roomkit_postgres._joining import JoiningTexts
from roomkit_postgres._leases import Leases
from roomkit_postgres._membership import MembershipMixin
from roomkit_postgres._read_state import ReadStateMixin
from roomkit_postgres._recent import RecentTexts
from roomkit_postgres._records import RecordsMixin
from roomkit_postgres.config import PostgresStoreConfig
from roomkit_postgres.migrations import apply_migrations, quote_schema

__all__ = ["PostgresStore"]

T = TypeVar("T")
M = TypeVar("M", bound=BaseModel)

_ROOM_COLUMNS = "data::text AS data, next_index, last_activity_at"


# One statement, one round trip, one commit: bump the room's counter (taking the room row's
# lock, which queues this room's writers in every process), insert the event with that index
# (spliced into the JSON text of the event dumped without it), note its sender for
# find_latest_room and, for an inbound event, add the sender as a participant ($8). $9 is the
# fencing token of the room lock the writer holds (None: unfenced): the room row keeps the
# greatest token written with, and a smaller one matches no row, so nothing is written. A
# repeated idempotency key or event id fails the unique check *after* the counter wait,
# which rolls the whole statement back: no gap.
_INSERT_EVENT = """
WITH bump AS (
    UPDATE rooms SET next_index = next_index + 1,
        activity = nextval('roomkit_activity_clock'),
        last_activity_at = greatest(last_activity_at, $2),
        fence = greatest(fence, coalesce($9::bigint, fence))
    WHERE id = $1 AND ($9::bigint IS NULL OR fence <= $9::bigint)
    RETURNING next_index - 1 AS idx
), stored AS (
    INSERT INTO events (id, room_id, idx, idempotency_key, data)
    SELECT $3, $1, idx, $4, ('{"index":' || idx || ',' || substr($5::text, 2))::json FROM bump
    RETURNING idx
), sender AS (
    INSERT INTO senders (channel_id, participant_id, room_id)
    SELECT $6, $7, $1 FROM bump WHERE $7::text IS NOT NULL
    ON CONFLICT DO NOTHING
), member AS (
    INSERT INTO participants (room_id, id, data)
    SELECT $1, $7, $8::text::json FROM bump WHERE $8::text IS NOT NULL
    ON CONFLICT (room_id, id) DO NOTHING
)
SELECT idx FROM stored
"""


# One statement, one round trip: the room row with its bindings, participants and newest
# events as arrays of their JSON texts (what the engine reads for every inbound message);
# each text is decoded once per store (DecodedModels), as they rarely change between messages.
# $3, $4, $5: the seq, edits and last index of the room's newest events this process keeps
# (RecentTexts); while seq and edits are unchanged only the events after $5 are sent.
_SNAPSHOT = """
SELECT r.data::text AS data, r.next_index, r.last_activity_at, r.seq, r.edits,
    ARRAY(SELECT b.data::text FROM bindings b WHERE b.room_id = r.id ORDER BY b.seq)
        AS bindings,
    ARRAY(SELECT p.data::text FROM participants p WHERE p.room_id = r.id ORDER BY p.seq)
        AS participants,
    ARRAY(SELECT t.data FROM (SELECT e.data::text AS data, e.idx FROM events e
              WHERE e.room_id = r.id
                AND e.idx > CASE WHEN r.seq = $3 AND r.edits = $4 THEN $5::bigint ELSE -1 END
              ORDER BY e.idx DESC LIMIT $2) t ORDER BY t.idx) AS recent
FROM rooms r WHERE r.id = $1
"""


_ROW_FIELDS = ("event_count", "latest_index", "last_activity_at")


def _room_from(row: asyncpg.Record, decoded: DecodedModels[Room] | None = None) -> Room:
    room = Room.model_validate_json(row["data"]) if decoded is None else decoded.get(row["data"])
    # the fields the row keeps in columns, set on this fresh copy as attribute assignment
    # would (typed values from asyncpg: int, datetime), without its per-field dispatch
    values = room.__dict__
    values["event_count"] = row["next_index"]
    values["latest_index"] = row["next_index"] - 1
    values["last_activity_at"] = row["last_activity_at"]
    room.__pydantic_fields_set__.update(_ROW_FIELDS)
    return room


class PostgresStore(MembershipMixin, RecordsMixin, ReadStateMixin, ConversationStore):
    """A conversation store in PostgreSQL (asyncpg), safe for many RoomKit processes.

    ``dsn`` is a libpq URL (``postgresql://user:pass@host:5432/db``); tables live in ``schema``,
    created with pending migrations on first use unless ``migrate=False``. The pool holds
    ``min_size`` to ``max_size`` connections; statements time out after ``command_timeout``
    seconds, connecting and waiting for a free connection after ``connect_timeout``.
    ``application_name`` labels the connections in ``pg_stat_activity``.
    ``synchronous_commit=False`` stops waiting for the WAL flush on commit: lower latency, but
    a server crash can lose the last few hundred milliseconds of commits (never corrupts).
    ``pool`` uses an asyncpg pool you own instead (its connections' search path must lead to
    ``schema``; :meth:`close` leaves it open).
    """

    def __init__(
        self,
        dsn: str | None = "postgresql://postgres@127.0.0.1:5432/postgres",
        pool: asyncpg.Pool | None = None,
        *,
        schema: str = "public",
        min_size: int = 1,
        max_size: int = 10,
        command_timeout: float = 10.0,
        connect_timeout: float = 10.0,
        migrate: bool = True,
        application_name: str = "roomkit",
        synchronous_commit: bool = True,
    ) -> None:
        if not dsn and pool is None:
            raise StoreError("PostgresStore needs a dsn, e.g. postgresql://user@host:5432/db")
        quote_schema(schema)
        self.dsn = dsn or ""
        self._given_pool = pool
        self.schema = schema
        self._min_size, self._max_size = min_size, max_size
        self._command_timeout = command_timeout
        self._application_name = application_name
        self._synchronous_commit = synchronous_commit
        self._acquire_timeout = connect_timeout
        self._migrate = migrate
        self._pool: asyncpg.Pool | None = None
        self._leases: Leases | None = None
        self._start_lock = asyncio.Lock()
        self._closed = False
        # what every message reads again: decoded once per distinct stored text
        self._decoded_rooms = DecodedModels(Room, 1024)
        self._decoded_bindings = DecodedModels(ChannelBinding, 1024)
        self._decoded_members = DecodedModels(Participant, 1024)
        # a room context's newest events: kept per room and shared between its contexts (only
        # newer ones are read); decoded once per stored text
        self._decoded_events = DecodedModels(RoomEvent, 8192)
        self._recent: RecentTexts[RoomEvent] = RecentTexts(256)
        self._joining = JoiningTexts()

    @classmethod
    def from_config(cls, config: PostgresStoreConfig) -> PostgresStore:
        """Build from a validated :class:`~roomkit_postgres.config.PostgresStoreConfig`."""
        return cls(
            config.dsn.get_secret_value(),
            schema=config.db_schema,
            min_size=config.min_size,
            max_size=config.max_size,
            command_timeout=config.command_timeout,
            connect_timeout=config.connect_timeout,
            migrate=config.migrate,
            application_name=config.application_name,
            synchronous_commit=config.synchronous_commit,
        )

    # -- lifecycle ---------------------------------------------------------------------------
    async def start(self) -> None:
        """Connect and apply pending migrations (done on first use when not called)."""
        await self._get_pool()

    async def init(self, min_size: int | None = None, max_size: int | None = None) -> None:
        """:meth:`start`, optionally with other pool sizes (the RoomKit 0.6 name)."""
        if self._pool is None:
            self._min_size = self._min_size if min_size is None else min_size
            self._max_size = self._max_size if max_size is None else max_size
        await self._get_pool()

    async def _get_pool(self) -> asyncpg.Pool:
        if self._closed:
            raise StoreError("the PostgresStore is closed")
        if self._pool is not None:
            return self._pool
        async with self._start_lock:
            if self._pool is None and self._given_pool is not None:
                if self._migrate:
                    async with self._given_pool.acquire(timeout=self._acquire_timeout) as conn:
                        await apply_migrations(conn, self.schema)
                self._leases = Leases(self._given_pool)
                self._pool = self._given_pool
            if self._pool is None:
                pool = await create_pool(
                    self.dsn,
                    schema=self.schema,
                    min_size=self._min_size,
                    max_size=self._max_size,
                    command_timeout=self._command_timeout,
                    connect_timeout=self._acquire_timeout,
                    application_name=self._application_name,
                    synchronous_commit=self._synchronous_commit,
                    session_reset=False,
                )
                if self._migrate:
                    try:
                        async with pool.acquire(timeout=self._acquire_timeout) as conn:
                            await apply_migrations(conn, self.schema)
                    except BaseException:
                        await pool.close()
                        raise
                self._leases = Leases(pool)
                self._pool = pool
        return self._pool

    async def close(self) -> None:
        """Close the pool (idempotent; a pool handed in is left to its owner); later calls
        raise :class:`StoreError`."""
        self._closed = True
        pool, self._pool = self._pool, None
        leases, self._leases = self._leases, None
        if leases is not None:
            await leases.close()
        if pool is not None and pool is not self._given_pool:
            await asyncio.wait_for(pool.close(), self._acquire_timeout)

    async def _run(self, what: str, op: Callable[[asyncpg.Connection, bool], Awaitable[T]]) -> T:
        pool = self._pool if self._pool is not None else await self._get_pool()
        return await run_with_retry(
            pool, op, acquire_timeout=self._acquire_timeout, what=what, leases=self._leases
        )

    async def _one(self, what: str, model: type[M], sql: str, *args: Any) -> M | None:
        async def op(conn: asyncpg.Connection, _: bool) -> M | None:
            text = await conn.fetchval(sql, *args)
            return None if text is None else model.model_validate_json(text)

        return await self._run(what, op)

    async def _many(self, what: str, model: type[M], sql: str, *args: Any) -> list[M]:
        async def op(conn: asyncpg.Connection, _: bool) -> list[M]:
            return [model.model_validate_json(r[0]) for r in await conn.fetch(sql, *args)]

        return await self._run(what, op)

    async def _write(self, what: str, sql: str, *args: Any) -> str:
        async def op(conn: asyncpg.Connection, _: bool) -> str:
            return str(await conn.execute(sql, *args))

        return await self._run(what, op)

    @staticmethod
    async def _require_room(conn: asyncpg.Connection, room_id: str) -> None:
        if not await conn.fetchval("SELECT EXISTS (SELECT 1 FROM rooms WHERE id = $1)", room_id):
            raise RoomNotFoundError(f"room {room_id!r} does not exist")

    # -- rooms -------------------------------------------------------------------------------
    async def create_room(self, room: Room) -> Room:
        check_storable(room)
        data = room.model_dump_json()

        async def op(conn: asyncpg.Connection, retry: bool) -> Room:
            inserted = await conn.fetchval(
                "INSERT INTO rooms (id, status, organization_id, created_at, last_activity_at,"
                " data) VALUES ($1, $2, $3, $4, $5, $6::json) ON CONFLICT (id) DO NOTHING"
                " RETURNING true",
                room.id,
                room.status.value,
                room.organization_id,
                room.created_at,
                room.last_activity_at,
                data,
            )
            if inserted:
                return room
            same = await conn.fetchval(
                "SELECT data::jsonb = $2::jsonb FROM rooms WHERE id = $1", room.id, data
            )
            if retry and same:  # our own insert committed before the connection died
                return room
            raise StoreError(f"a room with id {room.id!r} already exists")

        return await self._run("create_room", op)

    async def get_room(self, room_id: str) -> Room | None:
        if not readable_key(room_id):
            return None

        async def op(conn: asyncpg.Connection, _: bool) -> Room | None:
            row = await conn.fetchrow(f"SELECT {_ROOM_COLUMNS} FROM rooms WHERE id = $1", room_id)
            return None if row is None else _room_from(row)

        return await self._run("get_room", op)

    async def update_room(self, room: Room) -> Room:
        check_storable(room)
        status = await self._write(
            "update_room",
            "UPDATE rooms SET status = $2, organization_id = $3, data = $4::json,"
            " last_activity_at = greatest(last_activity_at, $5) WHERE id = $1",
            room.id,
            room.status.value,
            room.organization_id,
            room.model_dump_json(),
            room.last_activity_at,
        )
        if status == "UPDATE 0":
            raise RoomNotFoundError(f"room {room.id!r} does not exist")
        return room

    async def delete_room(self, room_id: str) -> bool:
        if not readable_key(room_id):
            return False
        self._recent.forget(room_id)
        return await self._write("delete_room", "DELETE FROM rooms WHERE id = $1", room_id) != (
            "DELETE 0"
        )

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
        if organization_id is not None and not readable_key(organization_id):
            return []
        where = (
            f"SELECT {_ROOM_COLUMNS} FROM rooms WHERE ($1::text IS NULL OR status = $1)"
            " AND ($2::text IS NULL OR organization_id = $2) ORDER BY created_at, seq"
        )
        args = (None if status is None else RoomStatus(status).value, organization_id)

        async def plain(conn: asyncpg.Connection, _: bool) -> list[Room]:
            rows = await conn.fetch(where + " LIMIT $3 OFFSET $4", *args, limit, offset)
            return [_room_from(r) for r in rows]

        async def filtered(conn: asyncpg.Connection, _: bool) -> list[Room]:
            # metadata is compared in Python (one rule for every store: metadata_matches)
            page = MetadataPage(metadata_filter, offset, limit)
            async with conn.transaction(readonly=True):
                async for row in conn.cursor(where, *args, prefetch=200):
                    if not page.offer(_room_from(row)):
                        break
            return page.rooms

        return await self._run("find_rooms", filtered if metadata_filter else plain)

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
        status_value = None if status is None else RoomStatus(status).value
        if participant_id is None:
            sql = (
                f"SELECT {', '.join('r.' + c for c in ('data::text AS data', 'next_index'))},"
                " r.last_activity_at FROM bindings b JOIN rooms r ON r.id = b.room_id"
                " WHERE b.channel_id = $1 AND ($2::text IS NULL OR r.status = $2)"
                " ORDER BY r.activity DESC, r.seq DESC LIMIT 1"
            )
            args: tuple[Any, ...] = (channel_id, status_value)
        else:
            sql = (
                "SELECT r.data::text AS data, r.next_index, r.last_activity_at"
                " FROM senders s JOIN rooms r ON r.id = s.room_id"
                " WHERE s.channel_id = $1 AND s.participant_id = $2"
                " AND ($3::text IS NULL OR r.status = $3)"
                " AND EXISTS (SELECT 1 FROM bindings b"
                "             WHERE b.room_id = s.room_id AND b.channel_id = s.channel_id)"
                " ORDER BY r.activity DESC, r.seq DESC LIMIT 1"
            )
            args = (channel_id, participant_id, status_value)

        async def op(conn: asyncpg.Connection, _: bool) -> Room | None:
            row = await conn.fetchrow(sql, *args)
            return None if row is None else _room_from(row)

        return await self._run("find_latest_room", op)

    # -- snapshots ---------------------------------------------------------------------------
    async def get_room_snapshot(self, room_id: str, *, recent: int = 20) -> RoomContext | None:
        """The room, its bindings, participants and last ``recent`` events in one statement."""
        limit = check_recent(recent)
        if not readable_key(room_id):
            return None

        recent_events = self._recent
        decoded_events = self._decoded_events

        async def op(conn: asyncpg.Connection, _: bool) -> RoomContext | None:
            kept = recent_events.usable(room_id, limit) if limit else None
            args = (-1, -1, -1) if kept is None else (kept.seq, kept.edits, kept.last)
            row = await conn.fetchrow(_SNAPSHOT, room_id, limit, *args)
            if row is None:
                recent_events.forget(room_id)
                return None
            events: list[RoomEvent] = []
            if limit:
                merged = recent_events.merge(
                    room_id,
                    kept,
                    row["seq"],
                    row["edits"],
                    row["next_index"],
                    decoded_events.many(row["recent"]),
                    limit,
                )
                if merged is None:  # rows changed behind the store's back: read them all
                    row = await conn.fetchrow(_SNAPSHOT, room_id, limit, -1, -1, -1)
                    if row is None:
                        recent_events.forget(room_id)
                        return None
                    merged = recent_events.merge(
                        room_id,
                        None,
                        row["seq"],
                        row["edits"],
                        row["next_index"],
                        decoded_events.many(row["recent"]),
                        limit,
                    )
                events = [] if merged is None else list(merged)  # the kept list stays ours
            return RoomContext.model_construct(
                room=_room_from(row, self._decoded_rooms),
                bindings=self._decoded_bindings.many(row["bindings"]),
                participants=self._decoded_members.many(row["participants"]),
                recent_events=events,
                metadata={},
            )

        return await self._run("get_room_snapshot", op)

    # -- events ------------------------------------------------------------------------------
    async def add_event(self, event: RoomEvent) -> RoomEvent:
        check_storable(event)

        async def op(conn: asyncpg.Connection, retry: bool) -> RoomEvent:
            return await self._insert_event(conn, event, retry)

        return await self._run("add_event", op)

    async def _insert_event(
        self, conn: asyncpg.Connection, event: RoomEvent, retry: bool
    ) -> RoomEvent:
        source = event.source
        fence = write_fence(event.room_id)
        joining = None
        if source.participant_id is not None and source.direction == ChannelDirection.INBOUND:
            joining = self._joining.text(
                event.room_id, source.participant_id, source.channel_id, event.created_at
            )
        try:
            index = await conn.fetchval(
                _INSERT_EVENT,
                event.room_id,
                event.created_at,
                event.id,
                event.idempotency_key,
                event.model_dump_json(exclude={"index"}),
                source.channel_id,
                source.participant_id,
                joining,
                fence,
            )
        except asyncpg.exceptions.UniqueViolationError:
            # The statement (counter bump included) was rolled back: no index was used.
            text = await conn.fetchval(
                "SELECT data::text FROM events"
                " WHERE (room_id = $1 AND idempotency_key = $2) OR id = $3 LIMIT 1",
                event.room_id,
                event.idempotency_key,
                event.id,
            )
            if text is None:
                raise
            first = RoomEvent.model_validate_json(text)
            if first.id == event.id and event.idempotency_key is None and not retry:
                raise StoreError(f"an event with id {event.id!r} is already stored") from None
            return first
        if index is None:
            newer = await conn.fetchval("SELECT fence FROM rooms WHERE id = $1", event.room_id)
            if newer is None:
                raise RoomNotFoundError(f"room {event.room_id!r} does not exist")
            raise RoomLockLostError(
                f"the lock of room {event.room_id!r} was lost: a newer holder (fencing token "
                f"{newer}) has written since this one's token {fence}; nothing was stored "
                "(if every write is refused, this process's lock manager does not share the "
                "lock backend and namespace of the others using this store)"
            )
        # the stored event is the one handed in, with its index (what ``event.index = index``
        # does for this model, which has no assignment validation, without its dispatch)
        event.__dict__["index"] = index
        event.__pydantic_fields_set__.add("index")
        return event

    async def get_event(self, event_id: str) -> RoomEvent | None:
        if not readable_key(event_id):
            return None
        return await self._one(
            "get_event", RoomEvent, "SELECT data::text FROM events WHERE id = $1", event_id
        )

    async def update_event(self, event: RoomEvent) -> RoomEvent:
        check_storable(event)

        async def op(conn: asyncpg.Connection, _: bool) -> RoomEvent:
            index = await conn.fetchval("SELECT idx FROM events WHERE id = $1", event.id)
            if index is None:
                await self._require_room(conn, event.room_id)
                raise StoreError(f"event {event.id!r} is not stored; add it with add_event")
            stored = event.model_copy(update={"index": index})
            # The room row first (its edits counter tells processes that keep the room's
            # newest events to read them again), then the event row: the order add_event and
            # delete_room take them in, so none of them can deadlock with another.
            await conn.execute(
                "WITH room AS (UPDATE rooms SET edits = edits + 1"
                " WHERE id = (SELECT room_id FROM events WHERE id = $1) RETURNING id)"
                " UPDATE events SET data = $2::json"
                " WHERE id = $1 AND room_id = (SELECT id FROM room)",
                event.id,
                stored.model_dump_json(),
            )
            return stored

        return await self._run("update_event", op)

    async def get_event_by_idempotency_key(self, room_id: str, key: str) -> RoomEvent | None:
        if not readable_key(room_id) or not readable_key(key):
            return None
        return await self._one(
            "get_event_by_idempotency_key",
            RoomEvent,
            "SELECT data::text FROM events WHERE room_id = $1 AND idempotency_key = $2",
            room_id,
            key,
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
        if not readable_key(room_id) or not (
            visibility_filter is None or readable_key(visibility_filter)
        ):
            return []
        return await self._many(
            "list_events",
            RoomEvent,
            "SELECT data::text FROM events WHERE room_id = $1"
            " AND ($2::bigint IS NULL OR idx > $2) AND ($3::bigint IS NULL OR idx < $3)"
            " AND ($6::text IS NULL OR data->>'visibility' = $6)"
            " ORDER BY idx LIMIT $4 OFFSET $5",
            room_id,
            after,
            before,
            limit,
            offset,
            visibility_filter,
        )

    async def get_recent_events(self, room_id: str, limit: int = 20) -> list[RoomEvent]:
        _, limit = check_page(0, limit)
        if not readable_key(room_id):
            return []
        decoded = self._decoded_events

        async def op(conn: asyncpg.Connection, _: bool) -> list[RoomEvent]:
            rows = await conn.fetch(
                "SELECT data::text FROM events WHERE room_id = $1 ORDER BY idx DESC LIMIT $2",
                room_id,
                limit,
            )
            return [decoded.get(r[0]) for r in reversed(rows)]

        return await self._run("get_recent_events", op)

    async def count_events(self, room_id: str) -> int:
        if not readable_key(room_id):
            return 0

        async def op(conn: asyncpg.Connection, _: bool) -> int:
            count = await conn.fetchval("SELECT next_index FROM rooms WHERE id = $1", room_id)
            return 0 if count is None else int(count)

        return await self._run("count_events", op)
