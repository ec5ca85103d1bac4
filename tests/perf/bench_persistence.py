"""The persisted text path against its floor: PostgreSQL (and SQLite for ours).

    python tests/perf/bench_persistence.py [--n 1000] [--rooms 1] [--ai]
    python tests/perf/bench_persistence.py --sqlite-only [--sqlite-processes 2]

One message at a time through ``kit.process_inbound`` into rooms stored in PostgreSQL (a
fresh schema, dropped afterwards), spread round-robin over ``--rooms`` rooms, against the
**floor**: the same work written directly on asyncpg in the same interpreter — a pydantic
model of the event dumped to JSON, one snapshot read of the room (its row and newest events),
and one statement that assigns the room index and inserts the event with a unique
idempotency key. Reported per message: wall and CPU time, and round trips to the server
(statements seen by a query logger on the pool, plus pool resets, while the messages run:
setting rooms up and counting events afterwards are not counted). Under our kernel the SQLite
store runs the same against a floor on ``sqlite3``. Under RoomKit 0.6.7 its own
``roomkit.store.postgres.PostgresStore`` runs the workload; SQLite is ours only (0.6.7 has no
SQLite store). Every run checks that exactly ``n`` events were stored.

Compare runs with the same number of messages per room: the context read per message holds
up to 20 newest events, and each costs the client (receiving its text, a decoded copy), so
``--rooms 100`` with ``--n 1000`` (~10 messages a room, ~5 recent events on average) costs
less per message than ``--rooms 1`` (always 20) for that reason alone, not because of the room;
``--rooms 100 --n 3000`` costs about what one room does.

``--sqlite-only`` skips PostgreSQL. ``--sqlite-processes P`` (ours only) also runs P processes
writing one SQLite file at once, each ``--n`` messages into its own room: CPU per message in
each process (every commit of one makes the others read their room snapshots again).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sqlite3
import sys
import tempfile
import time
import uuid
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import asyncpg  # type: ignore[import-untyped]
from pydantic import BaseModel, Field

DSN = os.environ.get("ROOMKIT_POSTGRES_DSN", "postgresql://postgres@127.0.0.1:5432/test")
RECENT = 20


class _FloorEvent(BaseModel):
    """What the floor stores per message: about the fields of a room event."""

    id: str = Field(default_factory=lambda: uuid.uuid4().hex)
    room_id: str
    type: str = "message"
    channel_id: str
    participant_id: str
    body: str
    idempotency_key: str | None = None
    created_at: datetime = Field(default_factory=lambda: datetime.now(UTC))
    metadata: dict[str, Any] = Field(default_factory=dict)


class _RoundTrips:
    """Counts statements sent through the connections of a pool (asyncpg's query logger)."""

    def __init__(self) -> None:
        self.count = 0

    def logger(self, _record: Any) -> None:
        self.count += 1

    async def init(self, conn: asyncpg.Connection) -> None:
        conn.add_query_logger(self.logger)


async def _pool(schema: str, trips: _RoundTrips, *, reset: bool) -> asyncpg.Pool:
    async def keep(_conn: asyncpg.Connection) -> None:
        return None

    admin = await asyncpg.connect(DSN, timeout=10)
    try:
        await admin.execute(f'CREATE SCHEMA IF NOT EXISTS "{schema}"')
    finally:
        await admin.close()
    return await asyncpg.create_pool(
        DSN,
        min_size=1,
        max_size=4,
        init=trips.init,
        reset=None if reset else keep,
        server_settings={"search_path": f'"{schema}"'},
    )


async def _drop(schema: str) -> None:
    admin = await asyncpg.connect(DSN, timeout=10)
    try:
        await admin.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
    finally:
        await admin.close()


_FLOOR_SCHEMA = """
CREATE TABLE rooms (id text PRIMARY KEY, next_index bigint NOT NULL DEFAULT 0, data json);
CREATE TABLE events (
    id text PRIMARY KEY, room_id text NOT NULL REFERENCES rooms (id), idx bigint NOT NULL,
    idempotency_key text, data json NOT NULL, UNIQUE (room_id, idx),
    UNIQUE (room_id, idempotency_key)
);
"""
_FLOOR_SNAPSHOT = """
SELECT r.data::text, (SELECT coalesce(json_agg(t.data ORDER BY t.idx), '[]'::json)::text
    FROM (SELECT e.data, e.idx FROM events e WHERE e.room_id = r.id
          ORDER BY e.idx DESC LIMIT $2) t)
FROM rooms r WHERE r.id = $1
"""
_FLOOR_INSERT = """
WITH bump AS (
    UPDATE rooms SET next_index = next_index + 1 WHERE id = $1 RETURNING next_index - 1 AS idx
)
INSERT INTO events (id, room_id, idx, idempotency_key, data)
SELECT $2, $1, idx, $3, $4::json FROM bump RETURNING idx
"""


async def _timed(n: int, send: Callable[[int], Awaitable[None]]) -> dict[str, float]:
    for i in range(min(50, n)):  # warm-up: prepared statements, pool, caches
        await send(-1 - i)
    wall, cpu = time.perf_counter(), time.process_time()
    for i in range(n):
        await send(i)
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    return {"msg_per_s": round(n / wall, 1), "cpu_ms_per_msg": round(cpu / n * 1000, 4)}


async def pg_floor(n: int, rooms: int) -> dict[str, Any]:
    schema = f"bench_floor_{uuid.uuid4().hex[:10]}"
    trips = _RoundTrips()
    pool = await _pool(schema, trips, reset=False)
    try:
        await pool.execute(_FLOOR_SCHEMA)
        room_ids = [uuid.uuid4().hex for _ in range(rooms)]
        await pool.executemany(
            "INSERT INTO rooms (id, data) VALUES ($1, '{}')", [(r,) for r in room_ids]
        )

        async def send(i: int) -> None:
            room_id = room_ids[i % rooms]
            event = _FloorEvent(room_id=room_id, channel_id="ws", participant_id="u", body=f"m{i}")
            async with pool.acquire() as conn:
                await conn.fetchrow(_FLOOR_SNAPSHOT, room_id, RECENT)
                await conn.fetchval(
                    _FLOOR_INSERT, room_id, event.id, event.idempotency_key, event.model_dump_json()
                )

        before = trips.count
        result = await _timed(n, send)
        result["round_trips_per_msg"] = round((trips.count - before) / (n + min(50, n)), 2)
        stored = await pool.fetchval("SELECT count(*) FROM events")
        assert stored == n + min(50, n), f"floor stored {stored} events"
        return result
    finally:
        await pool.close()
        await _drop(schema)


def _is_ours() -> bool:
    """Whether this is our kernel (0.6.7 ships its PostgreSQL store inside ``roomkit``)."""
    import importlib.util

    return importlib.util.find_spec("roomkit_postgres") is not None


async def _kit_run(
    store: Any, n: int, rooms: int, ai: bool, trips: _RoundTrips | None = None
) -> tuple[dict[str, float], int]:
    from roomkit import (
        AIChannel,
        ChannelCategory,
        InboundMessage,
        MockAIProvider,
        RoomKit,
        TextContent,
        WebSocketChannel,
    )

    kit = RoomKit(store=store)
    kit.register_channel(WebSocketChannel("ws"))
    if ai:
        kit.register_channel(AIChannel("ai", provider=MockAIProvider(responses=["Sure."])))
    room_ids = []
    for _ in range(rooms):
        room = await kit.create_room()
        await kit.attach_channel(room.id, "ws")
        if ai:
            await kit.attach_channel(room.id, "ai", category=ChannelCategory.INTELLIGENCE)
        room_ids.append(room.id)

    async def send(i: int) -> None:
        message = InboundMessage(channel_id="ws", sender_id="u", content=TextContent(body=f"m{i}"))
        await kit.process_inbound(message, room_id=room_ids[i % rooms])

    async def count() -> int:
        total = 0
        for room_id in room_ids:
            total += len(await store.list_events(room_id, limit=10 * n + 200))
        return total

    setup_events = await count()  # 0.6.7 also stores a system event per attached channel
    before = trips.count if trips is not None else 0  # set-up and counting are not messages
    result = await _timed(n, send)
    if trips is not None:
        result["round_trips_per_msg"] = round((trips.count - before) / (n + min(50, n)), 2)
    stored = await count() - setup_events
    await kit.close()
    return result, stored


async def pg_store(n: int, rooms: int, ai: bool) -> dict[str, Any]:
    schema = f"bench_store_{uuid.uuid4().hex[:10]}"
    trips = _RoundTrips()
    ours = _is_ours()
    pool = await _pool(schema, trips, reset=not ours)  # 0.6.7's pools reset on release
    try:
        if ours:
            from roomkit_postgres import PostgresStore

            store: Any = PostgresStore(pool=pool, schema=schema)
        else:
            from roomkit.store.postgres import PostgresStore as OriginalStore

            store = OriginalStore(pool=pool)
            await store.init()
        result, stored = await _kit_run(store, n, rooms, ai, trips)
        messages = n + min(50, n)
        per_message = 2 if ai else 1
        assert stored == messages * per_message, f"stored {stored} of {messages * per_message}"
        return result
    finally:
        await pool.close()
        await _drop(schema)


def _sqlite_floor(n: int, rooms: int, path: str) -> dict[str, Any]:
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=NORMAL")
    conn.executescript(
        "CREATE TABLE rooms (id TEXT PRIMARY KEY, next_index INTEGER NOT NULL DEFAULT 0,"
        " data TEXT);"
        "CREATE TABLE events (id TEXT PRIMARY KEY, room_id TEXT NOT NULL, idx INTEGER NOT NULL,"
        " idempotency_key TEXT, data TEXT NOT NULL, UNIQUE (room_id, idx),"
        " UNIQUE (room_id, idempotency_key));"
    )
    room_ids = [uuid.uuid4().hex for _ in range(rooms)]
    conn.executemany("INSERT INTO rooms (id, data) VALUES (?, '{}')", [(r,) for r in room_ids])

    async def send(i: int) -> None:
        room_id = room_ids[i % rooms]
        event = _FloorEvent(room_id=room_id, channel_id="ws", participant_id="u", body=f"m{i}")
        conn.execute("SELECT data FROM rooms WHERE id = ?", (room_id,)).fetchone()
        conn.execute(
            "SELECT data FROM events WHERE room_id = ? ORDER BY idx DESC LIMIT ?", (room_id, RECENT)
        ).fetchall()
        conn.execute("BEGIN IMMEDIATE")
        (idx,) = conn.execute(
            "UPDATE rooms SET next_index = next_index + 1 WHERE id = ? RETURNING next_index - 1",
            (room_id,),
        ).fetchone()
        conn.execute(
            "INSERT INTO events VALUES (?, ?, ?, ?, ?)",
            (event.id, room_id, idx, event.idempotency_key, event.model_dump_json()),
        )
        conn.execute("COMMIT")

    result = asyncio.run(_timed(n, send))
    (stored,) = conn.execute("SELECT count(*) FROM events").fetchone()
    assert stored == n + min(50, n)
    conn.close()
    return result


async def sqlite_store(n: int, rooms: int, ai: bool, path: str) -> dict[str, Any]:
    from roomkit_sqlite import SQLiteStore

    result, stored = await _kit_run(SQLiteStore(path), n, rooms, ai)
    assert stored == (n + min(50, n)) * (2 if ai else 1)
    return result


def _sqlite_process(path: str, n: int, results: Any, start: Any) -> None:
    """One of ``--sqlite-processes``: ``n`` messages into its own room of the file ``path``."""
    from roomkit_sqlite import SQLiteStore

    from roomkit import InboundMessage, RoomKit, TextContent, WebSocketChannel

    async def run() -> tuple[float, int]:
        kit = RoomKit(store=SQLiteStore(path))
        kit.register_channel(WebSocketChannel("ws"))
        room = await kit.create_room()
        await kit.attach_channel(room.id, "ws")

        async def send(i: int) -> None:
            message = InboundMessage(
                channel_id="ws", sender_id="u", content=TextContent(body=f"m{i}")
            )
            await kit.process_inbound(message, room_id=room.id)

        for i in range(min(50, n)):
            await send(-1 - i)
        start.wait()  # every process starts its timed messages together
        cpu = time.process_time()
        for i in range(n):
            await send(i)
        cpu = time.process_time() - cpu
        stored = await kit.store.count_events(room.id)
        await kit.close()
        return cpu / n * 1000, stored - min(50, n)

    results.put(asyncio.run(run()))


def sqlite_processes(n: int, processes: int, path: str) -> dict[str, Any]:
    import multiprocessing

    ctx = multiprocessing.get_context("spawn")
    results, start = ctx.Queue(), ctx.Barrier(processes)
    workers = [
        ctx.Process(target=_sqlite_process, args=(path, n, results, start))
        for _ in range(processes)
    ]
    for worker in workers:
        worker.start()
    outcomes = [results.get(timeout=600) for _ in workers]
    for worker in workers:
        worker.join()
    assert all(stored == n for _, stored in outcomes), f"stored {outcomes}"
    return {"processes": processes, "cpu_ms_per_msg": [round(cpu, 4) for cpu, _ in outcomes]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--n", type=int, default=1000)
    parser.add_argument("--rooms", type=int, default=1)
    parser.add_argument("--ai", action="store_true", help="an AI agent answers every message")
    parser.add_argument("--runs", type=int, default=1, help="(accepted for run.py --quick)")
    parser.add_argument("--sqlite-only", action="store_true", help="skip PostgreSQL")
    parser.add_argument(
        "--sqlite-processes", type=int, default=0, help="also P processes on one SQLite file"
    )
    args = parser.parse_args()
    out: dict[str, Any] = {"python": sys.version.split()[0], "n": args.n, "rooms": args.rooms}
    if not args.sqlite_only:
        floor = asyncio.run(pg_floor(args.n, args.rooms))
        store = asyncio.run(pg_store(args.n, args.rooms, args.ai))
        out["postgres_floor"] = floor
        out["postgres_store"] = store
        out["postgres_of_floor_cpu"] = round(floor["cpu_ms_per_msg"] / store["cpu_ms_per_msg"], 3)
        out["postgres_of_floor_wall"] = round(store["msg_per_s"] / floor["msg_per_s"], 3)
        out["pg_msg_per_s"] = store["msg_per_s"]
        out["pg_cpu_ms_per_msg"] = store["cpu_ms_per_msg"]
        out["pg_round_trips_per_msg"] = store["round_trips_per_msg"]
    if _is_ours():
        with tempfile.TemporaryDirectory() as folder:
            sfloor = _sqlite_floor(args.n, args.rooms, str(Path(folder) / "floor.db"))
            sstore = asyncio.run(
                sqlite_store(args.n, args.rooms, args.ai, str(Path(folder) / "store.db"))
            )
        out["sqlite_floor"] = sfloor
        out["sqlite_store"] = sstore
        out["sqlite_of_floor_cpu"] = round(sfloor["cpu_ms_per_msg"] / sstore["cpu_ms_per_msg"], 3)
        out["sqlite_of_floor_wall"] = round(sstore["msg_per_s"] / sfloor["msg_per_s"], 3)
        if args.sqlite_processes > 0:
            with tempfile.TemporaryDirectory() as folder:
                out["sqlite_processes"] = sqlite_processes(
                    args.n, args.sqlite_processes, str(Path(folder) / "shared.db")
                )
    print(json.dumps(out))


if __name__ == "__main__":
    main()
