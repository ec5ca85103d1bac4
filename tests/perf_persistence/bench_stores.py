"""Persistence benchmarks: stores, scale-out throughput and latest-room lookups.

    python tests/perf_persistence/bench_stores.py [--quick] [--json out.json]

1. ``stores``   - raw ``add_event`` throughput (events/s, 16 concurrent writers over 20 rooms)
                  and ``process_inbound`` latency (p50/p99, one message at a time) for
                  InMemoryStore, SQLiteStore and PostgresStore in one process.
2. ``scale``    - ``process_inbound`` throughput with 1, 2 and 4 worker processes sharing
                  PostgresStore + RedisLockManager + RedisRealtime; messages for 200 rooms are
                  queued in Redis up front and each worker drains them with 8 consumers.
3. ``lookup``   - ``find_latest_room(channel, sender)`` with 100,000 rooms stored, on SQLite
                  and PostgreSQL (rooms loaded with bulk SQL in the stores' own schema; the
                  lookups go through the store API).

Numbers are printed, never asserted. PostgreSQL and Redis are taken from
``ROOMKIT_POSTGRES_DSN`` / ``ROOMKIT_REDIS_URL`` (default: the local servers); each run uses
its own schema and key prefix and removes them.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any
from uuid import uuid4

import redis.asyncio as aioredis
from roomkit_postgres import PostgresStore
from roomkit_postgres.testing import drop_schema, dsn_for_tests
from roomkit_redis import RedisLockManager, RedisRealtime
from roomkit_redis.testing import delete_prefix, url_for_tests
from roomkit_sqlite import SQLiteStore

from roomkit import RoomKit
from roomkit.channels.websocket import WebSocketChannel
from roomkit.models.content import TextContent
from roomkit.models.enums import ChannelType
from roomkit.models.event import EventSource, InboundMessage, RoomEvent
from roomkit.models.participant import Participant
from roomkit.models.room import ChannelBinding, Room
from roomkit.store.base import ConversationStore
from roomkit.store.memory import InMemoryStore

DSN, REDIS = dsn_for_tests(), url_for_tests()


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def _event(room_id: str, n: int) -> RoomEvent:
    return RoomEvent(
        room_id=room_id,
        source=EventSource(channel_id="ws", channel_type=ChannelType.WEBSOCKET, participant_id="u"),
        content=TextContent(body=f"message {n}"),
    )


# -- 1. stores in one process ------------------------------------------------------------------
async def _add_event_rate(store: ConversationStore, events: int) -> float:
    rooms = [await store.create_room(Room()) for _ in range(20)]
    queue: asyncio.Queue[int] = asyncio.Queue()
    for n in range(events):
        queue.put_nowait(n)

    async def writer() -> None:
        while not queue.empty():
            n = queue.get_nowait()
            await store.add_event(_event(rooms[n % 20].id, n))

    started = time.perf_counter()
    await asyncio.gather(*(writer() for _ in range(16)))
    return events / (time.perf_counter() - started)


async def _inbound_latency(store: ConversationStore, messages: int) -> dict[str, float]:
    kit = RoomKit(store=store)
    kit.register_channel(WebSocketChannel("ws"))
    rooms = []
    for _ in range(20):
        room = await kit.create_room()
        await kit.attach_channel(room.id, "ws")
        rooms.append(room.id)
    samples: list[float] = []
    started = time.perf_counter()
    for n in range(messages):
        message = InboundMessage(
            channel_id="ws",
            sender_id=f"user-{n % 7}",
            content=TextContent(body=f"hello {n}"),
            idempotency_key=f"k{n}",
        )
        t0 = time.perf_counter()
        await kit.process_inbound(message, room_id=rooms[n % 20])
        samples.append((time.perf_counter() - t0) * 1000)
    total = time.perf_counter() - started
    await kit.close()
    return {
        "inbound_per_s": messages / total,
        "p50_ms": statistics.median(samples),
        "p99_ms": _pct(samples, 0.99),
    }


async def bench_stores(quick: bool) -> dict[str, Any]:
    events, messages = (1000, 500) if quick else (5000, 2000)
    results: dict[str, Any] = {}
    folder = tempfile.mkdtemp(prefix="roomkit-bench-")
    schema = f"rk_bench_{uuid4().hex[:8]}"
    factories: dict[str, Callable[[int], ConversationStore]] = {
        "memory": lambda i: InMemoryStore(),
        "sqlite": lambda i: SQLiteStore(Path(folder) / f"bench{i}.db"),
        "postgres": lambda i: PostgresStore(DSN, schema=f"{schema}_{i}", max_size=10),
    }
    try:
        for name, make in factories.items():
            store = make(0)
            rate = await _add_event_rate(store, events)
            await store.close()
            latency = await _inbound_latency(make(1), messages)
            results[name] = {"add_event_per_s": rate, **latency}
            print(
                f"  {name:<9} add_event {rate:8.0f}/s   process_inbound "
                f"{latency['inbound_per_s']:7.0f}/s  p50 {latency['p50_ms']:.2f} ms  "
                f"p99 {latency['p99_ms']:.2f} ms",
                flush=True,
            )
    finally:
        for i in (0, 1):
            await drop_schema(DSN, f"{schema}_{i}")
    return results


# -- 2. worker processes on PostgreSQL + Redis -------------------------------------------------
async def worker(settings: dict[str, Any]) -> None:
    """A worker process: drain ``<prefix>jobs`` with 8 consumers, count into ``<prefix>done``."""
    prefix = settings["prefix"]
    kit = RoomKit(
        store=PostgresStore(settings["dsn"], schema=settings["schema"], max_size=8),
        lock_manager=RedisLockManager(settings["redis"], prefix=f"{prefix}lock:"),
        realtime=RedisRealtime(settings["redis"], prefix=f"{prefix}rt:"),
    )
    kit.register_channel(WebSocketChannel("ws"))
    client = aioredis.Redis.from_url(settings["redis"], socket_timeout=10)
    await client.rpush(f"{prefix}ready", "1")

    async def consume() -> None:
        while True:
            popped = await client.blpop([f"{prefix}jobs"], timeout=2)
            if popped is None:
                return
            job = json.loads(popped[1])
            await kit.process_inbound(
                InboundMessage(
                    channel_id="ws",
                    sender_id=job["s"],
                    content=TextContent(body=job["b"]),
                    idempotency_key=job["k"],
                ),
                room_id=job["r"],
            )
            await client.incr(f"{prefix}done")

    await asyncio.gather(*(consume() for _ in range(8)))
    await client.aclose()
    await kit.close()


async def _scale_run(processes: int, messages: int) -> float:
    schema, prefix = f"rk_bench_{uuid4().hex[:8]}", f"rk-bench-{uuid4().hex}:"
    client = aioredis.Redis.from_url(REDIS, socket_timeout=30)
    setup = RoomKit(store=PostgresStore(DSN, schema=schema))
    setup.register_channel(WebSocketChannel("ws"))
    rooms = []
    try:
        for _ in range(200):
            room = await setup.create_room()
            await setup.attach_channel(room.id, "ws")
            rooms.append(room.id)
        await setup.close()
        jobs = [
            json.dumps({"r": rooms[n % 200], "s": f"u{n % 13}", "b": f"m{n}", "k": f"k{n}"})
            for n in range(messages)
        ]
        await client.rpush(f"{prefix}jobs", *jobs)
        settings = {"dsn": DSN, "schema": schema, "redis": REDIS, "prefix": prefix}
        procs = [
            await asyncio.create_subprocess_exec(
                sys.executable, __file__, "--worker", json.dumps(settings)
            )
            for _ in range(processes)
        ]
        for _ in range(processes):
            await client.blpop([f"{prefix}ready"], timeout=60)
        started = time.perf_counter()
        while int(await client.get(f"{prefix}done") or 0) < messages:
            await asyncio.sleep(0.02)
        elapsed = time.perf_counter() - started
        for proc in procs:
            await asyncio.wait_for(proc.wait(), 60)
        return messages / elapsed
    finally:
        await client.aclose()
        await drop_schema(DSN, schema)
        await delete_prefix(REDIS, prefix)


async def bench_scale(quick: bool) -> dict[str, float]:
    messages = 1000 if quick else 4000
    results = {}
    for processes in (1, 2, 4):
        rate = await _scale_run(processes, messages)
        results[str(processes)] = rate
        print(f"  {processes} worker process(es): {rate:7.0f} process_inbound/s", flush=True)
    return results


# -- 3. latest-room lookups with 100,000 rooms -------------------------------------------------
def _rows(count: int) -> list[tuple[str, str, str, str]]:
    """(room id, room json, binding json, participant json) for ``count`` rooms."""
    rows = []
    for i in range(count):
        room = Room(id=f"room-{i:06d}")
        binding = ChannelBinding(room_id=room.id, channel_id="sms", channel_type=ChannelType.SMS)
        participant = Participant(id=f"+1555{i:07d}", room_id=room.id, channel_id="sms")
        rows.append((room.id, room.model_dump_json(), binding.model_dump_json(), participant.id))
    return rows


async def _time_lookups(store: ConversationStore, count: int, lookups: int) -> dict[str, float]:
    import random

    rng = random.Random(7)
    samples = []
    for _ in range(lookups):
        i = rng.randrange(count)
        t0 = time.perf_counter()
        room = await store.find_latest_room("sms", f"+1555{i:07d}")
        samples.append((time.perf_counter() - t0) * 1000)
        if room is None or room.id != f"room-{i:06d}":
            raise RuntimeError(f"lookup {i} found {room!r}")
    channel_only = []
    for _ in range(200):
        t0 = time.perf_counter()
        await store.find_latest_room("sms")
        channel_only.append((time.perf_counter() - t0) * 1000)
    return {
        "p50_ms": statistics.median(samples),
        "p99_ms": _pct(samples, 0.99),
        "channel_only_p50_ms": statistics.median(channel_only),
    }


async def _load_sqlite(store: SQLiteStore, rows: list[tuple[str, str, str, str]]) -> None:
    def load(conn: Any) -> None:
        conn.executemany(
            "INSERT INTO rooms (id, status, created_us, last_activity_us, activity, data)"
            " VALUES (?, 'active', ?, ?, ?, ?)",
            [(r[0], i, i, i, r[1]) for i, r in enumerate(rows)],
        )
        conn.executemany(
            "INSERT INTO bindings (room_id, channel_id, seq, data) VALUES (?, 'sms', 0, ?)",
            [(r[0], r[2]) for r in rows],
        )
        conn.executemany(
            "INSERT INTO senders (channel_id, participant_id, room_id) VALUES ('sms', ?, ?)",
            [(r[3], r[0]) for r in rows],
        )
        conn.execute("ANALYZE")

    await store._run(load, write=True)


async def _load_postgres(store: PostgresStore, rows: list[tuple[str, str, str, str]]) -> None:
    pool = await store._get_pool()
    async with pool.acquire() as conn:
        await conn.executemany(
            "INSERT INTO rooms (id, status, created_at, last_activity_at, activity, data)"
            " VALUES ($1, 'active', now(), now(), $2, $3::json)",
            [(r[0], i, r[1]) for i, r in enumerate(rows)],
        )
        await conn.executemany(
            "INSERT INTO bindings (room_id, channel_id, data) VALUES ($1, 'sms', $2::json)",
            [(r[0], r[2]) for r in rows],
        )
        await conn.executemany(
            "INSERT INTO senders (channel_id, participant_id, room_id) VALUES ('sms', $1, $2)",
            [(r[3], r[0]) for r in rows],
        )
        await conn.execute("ANALYZE")


async def _server_time(store: PostgresStore, count: int) -> float:
    """Median server-side execution time of the sender lookup (EXPLAIN ANALYZE)."""
    import random

    rng = random.Random(11)
    pool = await store._get_pool()
    times = []
    async with pool.acquire() as conn:
        for _ in range(200):
            plan = await conn.fetchval(
                "EXPLAIN (ANALYZE, FORMAT JSON) SELECT r.data::text, r.next_index,"
                " r.last_activity_at FROM senders s JOIN rooms r ON r.id = s.room_id"
                " WHERE s.channel_id = 'sms' AND s.participant_id = $1 AND r.status = 'active'"
                " AND EXISTS (SELECT 1 FROM bindings b WHERE b.room_id = s.room_id"
                " AND b.channel_id = s.channel_id) ORDER BY r.activity DESC, r.seq DESC LIMIT 1",
                f"+1555{rng.randrange(count):07d}",
            )
            times.append(json.loads(plan)[0]["Execution Time"])
    return statistics.median(times)


async def bench_lookup(quick: bool) -> dict[str, Any]:
    count = 20_000 if quick else 100_000
    rows = _rows(count)
    results: dict[str, Any] = {}
    with tempfile.TemporaryDirectory(prefix="roomkit-bench-") as folder:
        sqlite = SQLiteStore(Path(folder) / "lookup.db")
        await _load_sqlite(sqlite, rows)
        results["sqlite"] = await _time_lookups(sqlite, count, 2000)
        await sqlite.close()
    schema = f"rk_bench_{uuid4().hex[:8]}"
    postgres = PostgresStore(DSN, schema=schema)
    try:
        await _load_postgres(postgres, rows)
        results["postgres"] = await _time_lookups(postgres, count, 2000)
        results["postgres"]["server_execution_p50_ms"] = await _server_time(postgres, count)
    finally:
        await postgres.close()
        await drop_schema(DSN, schema)
    for name, r in results.items():
        print(
            f"  {name:<9} {count} rooms: find_latest_room(channel, sender) p50 "
            f"{r['p50_ms']:.3f} ms p99 {r['p99_ms']:.3f} ms; channel only p50 "
            f"{r['channel_only_p50_ms']:.3f} ms"
            + (
                f"; server execution p50 {r['server_execution_p50_ms']:.3f} ms"
                if "server_execution_p50_ms" in r
                else ""
            ),
            flush=True,
        )
    return results


async def main(args: argparse.Namespace) -> None:
    benches: dict[str, Callable[[bool], Awaitable[Any]]] = {
        "stores": bench_stores,
        "scale": bench_scale,
        "lookup": bench_lookup,
    }
    results = {}
    for name in args.only or list(benches):
        print(f"{name}:", flush=True)
        results[name] = await benches[name](args.quick)
    if args.json:
        text = json.dumps(results, indent=2)
        await asyncio.to_thread(Path(args.json).write_text, text)


if __name__ == "__main__":
    if len(sys.argv) > 2 and sys.argv[1] == "--worker":
        asyncio.run(worker(json.loads(sys.argv[2])))
        sys.exit(0)
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="smaller runs")
    parser.add_argument("--json", help="also write the numbers to this file")
    parser.add_argument("--only", nargs="*", choices=["stores", "scale", "lookup"])
    os.environ.setdefault("PYTHONHASHSEED", "0")
    asyncio.run(main(parser.parse_args()))
