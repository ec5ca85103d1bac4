"""Worker processes on one PostgreSQL + Redis: the scaling curve and what each message costs.

    python tests/perf/bench_workers.py [--n 3000] [--rooms 200] [--workers 1,2,4] [--runs 3]

N worker processes (1, 2, 4), each a ``RoomKit`` as ``docs/deployment.md`` recommends for
several processes (``PostgresStore`` + ``RedisLockManager`` + ``RedisRealtime``) with 8
concurrent consumers, drain text messages queued up front in a Redis list: ``--rooms`` rooms
(round-robin; ``--rooms 1`` is one contended room whose lock every message waits for), senders
cycling over 13 ids. Each worker first handles warm-up messages (prepared statements, pools),
then waits for the start signal. Reported per worker count (median of ``--runs`` runs):

* ``msg_per_s``: messages / wall time from the start signal to the last worker finishing;
* ``worker_cpu_ms_per_msg``: user + system CPU of the worker processes (their own
  ``getrusage``) per message;
* ``pg_cpu_ms_per_msg``: CPU of the PostgreSQL backends serving the workers' store pools
  (``/proc/<pid>/stat`` of the backends named by ``application_name``), per message;
  WAL writer and checkpointer are not counted;
* ``redis_cpu_ms_per_msg``: Redis' own time for the commands the lock manager sent, from
  ``INFO commandstats`` (usec per call of each command, times our calls of it);
* ``pg_round_trips_per_msg`` (statements seen by a query logger on the store pools) and
  ``lock_round_trips_per_msg`` (commands the lock manager sent: takes, waits, releases);
  the job queue of the benchmark itself is counted apart (``queue_round_trips_per_msg``);
* lock waits: refused takes, waits ended by a release's wake token, waits that ran to their
  bound (``expired_waits``: 0 means no waiter polled or fell back on its safety net);
* ``scaling``: msg/s of N workers over msg/s of one.

Every run checks that exactly the queued messages were stored, once each (by body), and
fails otherwise. Numbers are printed, never asserted. PostgreSQL and Redis come from
``ROOMKIT_POSTGRES_DSN`` / ``ROOMKIT_REDIS_URL``; each run uses its own schema and key prefix
and removes them. The last stdout line is the JSON for ``tests/perf/run.py``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import resource
import statistics
import sys
import time
from collections import Counter
from collections.abc import Awaitable, Callable
from typing import Any
from uuid import uuid4

import asyncpg  # type: ignore[import-untyped]
import redis.asyncio as aioredis

DSN = os.environ.get("ROOMKIT_POSTGRES_DSN", "postgresql://postgres@127.0.0.1:5432/test")
REDIS = os.environ.get("ROOMKIT_REDIS_URL", "redis://127.0.0.1:6379/0")
CONSUMERS = 8
WARMUP = 40  # messages per worker before the measured run
CLK_TCK = os.sysconf("SC_CLK_TCK")


class _Counted:
    """Counts the commands sent through redis clients, by command name."""

    def __init__(self) -> None:
        self.calls: Counter[str] = Counter()

    def wrap(self, client: aioredis.Redis) -> None:
        original: Callable[..., Awaitable[Any]] = client.execute_command

        async def counted(*args: Any, **options: Any) -> Any:
            self.calls[str(args[0]).lower()] += 1
            return await original(*args, **options)

        client.execute_command = counted  # type: ignore[method-assign]


# -- the worker process ------------------------------------------------------------------------
async def worker(settings: dict[str, Any]) -> None:
    from roomkit_postgres import PostgresStore
    from roomkit_redis import RedisLockManager, RedisRealtime

    from roomkit import RoomKit
    from roomkit.channels.websocket import WebSocketChannel
    from roomkit.models.content import TextContent
    from roomkit.models.event import InboundMessage

    prefix, wid = settings["prefix"], settings["worker"]
    store = PostgresStore(
        DSN,
        schema=settings["schema"],
        min_size=CONSUMERS,
        max_size=CONSUMERS,
        migrate=False,
        application_name=settings["app"],
    )
    locks = RedisLockManager(REDIS, prefix=f"{prefix}locks:")
    kit = RoomKit(store=store, lock_manager=locks, realtime=RedisRealtime(REDIS, prefix=prefix))
    kit.register_channel(WebSocketChannel("ws"))
    statements = 0

    def logged(_record: Any) -> None:
        nonlocal statements
        statements += 1

    pool = await store._get_pool()
    for holder in pool._holders:  # min_size == max_size: every connection exists now
        if holder._con is not None:
            holder._con.add_query_logger(logged)
    lock_calls, queue_calls = _Counted(), _Counted()
    lock_calls.wrap(locks._client)
    lock_calls.wrap(locks._waiting)
    queue = aioredis.Redis.from_url(REDIS, socket_timeout=60)
    queue_calls.wrap(queue)

    async def drain(source: str) -> None:
        while (raw := await queue.lpop(source)) is not None:
            job = json.loads(str(raw, "utf-8") if isinstance(raw, bytes) else str(raw))
            message = InboundMessage(
                channel_id="ws",
                sender_id=job["s"],
                content=TextContent(body=job["b"]),
                idempotency_key=job["k"],
            )
            await kit.process_inbound(message, room_id=job["r"])

    await asyncio.gather(*(drain(f"{prefix}warm:{wid}") for _ in range(CONSUMERS)))
    await queue.rpush(f"{prefix}ready", wid)
    await queue.blpop([f"{prefix}go:{wid}"], timeout=50)
    statements, lock_calls.calls, queue_calls.calls = 0, Counter(), Counter()
    takes = (locks.refused_takes, locks.wake_ups, locks.expired_waits)
    usage = resource.getrusage(resource.RUSAGE_SELF)
    await asyncio.gather(*(drain(f"{prefix}jobs") for _ in range(CONSUMERS)))
    after = resource.getrusage(resource.RUSAGE_SELF)
    report = {
        "worker": wid,
        "cpu_s": after.ru_utime - usage.ru_utime + after.ru_stime - usage.ru_stime,
        "pg_statements": statements,
        "lock_calls": dict(lock_calls.calls),
        "queue_calls": sum(queue_calls.calls.values()),
        "refused_takes": locks.refused_takes - takes[0],
        "wake_ups": locks.wake_ups - takes[1],
        "expired_waits": locks.expired_waits - takes[2],
    }
    await queue.rpush(f"{prefix}done", json.dumps(report))
    await queue.blpop([f"{prefix}quit:{wid}"], timeout=50)  # backends read first
    await queue.aclose()
    await kit.close()


# -- the coordinator ---------------------------------------------------------------------------
def _proc_cpu_s(pid: int) -> float:
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / CLK_TCK  # utime + stime


async def _backends(admin: asyncpg.Connection, app: str) -> list[int]:
    """The pids of the PostgreSQL backends whose application_name starts with ``app``."""
    rows = await admin.fetch(
        "SELECT pid FROM pg_stat_activity WHERE starts_with(application_name, $1)", app
    )
    return [row["pid"] for row in rows]


async def _commandstats(client: aioredis.Redis) -> dict[str, tuple[int, int]]:
    stats = await client.info("commandstats")
    return {
        name.removeprefix("cmdstat_"): (int(v["calls"]), int(v["usec"]))
        for name, v in stats.items()
    }


async def _setup_rooms(schema: str, rooms: int) -> list[str]:
    from roomkit_postgres import PostgresStore

    from roomkit import RoomKit
    from roomkit.channels.websocket import WebSocketChannel

    setup = RoomKit(store=PostgresStore(DSN, schema=schema))
    setup.register_channel(WebSocketChannel("ws"))
    ids = []
    for _ in range(rooms):
        room = await setup.create_room()
        await setup.attach_channel(room.id, "ws")
        ids.append(room.id)
    await setup.close()
    return ids


async def _stored_bodies(schema: str, rooms: list[str]) -> Counter[str]:
    from roomkit_postgres import PostgresStore

    store = PostgresStore(DSN, schema=schema, migrate=False)
    bodies: Counter[str] = Counter()
    for room_id in rooms:
        offset = 0
        while batch := await store.list_events(room_id, offset=offset, limit=1000):
            offset += len(batch)
            bodies.update(
                body for e in batch if (body := getattr(e.content, "body", "")).startswith("bw-")
            )
    await store.close()
    return bodies


def _jobs(rooms: list[str], tag: str, count: int) -> list[str]:
    return [
        json.dumps(
            {"r": rooms[n % len(rooms)], "s": f"u{n % 13}", "b": f"bw-{tag}-{n}", "k": f"{tag}{n}"}
        )
        for n in range(count)
    ]


async def run_once(processes: int, n: int, rooms_count: int) -> dict[str, Any]:
    from roomkit_postgres.testing import drop_schema
    from roomkit_redis.testing import delete_prefix

    tag = uuid4().hex[:8]
    schema, prefix, app = f"rk_bw_{tag}", f"rk-bw-{tag}:", f"rk-bw-{tag}"
    client = aioredis.Redis.from_url(REDIS, socket_timeout=60)
    admin = await asyncpg.connect(DSN, timeout=10)
    procs: list[asyncio.subprocess.Process] = []
    try:
        rooms = await _setup_rooms(schema, rooms_count)
        for wid in range(processes):
            await client.rpush(f"{prefix}warm:{wid}", *_jobs(rooms, f"w{wid}x", WARMUP))
        await client.rpush(f"{prefix}jobs", *_jobs(rooms, "m", n))
        for wid in range(processes):
            settings = {"schema": schema, "prefix": prefix, "worker": wid, "app": f"{app}-{wid}"}
            procs.append(
                await asyncio.create_subprocess_exec(
                    sys.executable, __file__, "--worker", json.dumps(settings)
                )
            )
        for _ in range(processes):
            if await client.blpop([f"{prefix}ready"], timeout=120) is None:
                raise RuntimeError("a worker did not get ready within 120 s")
        backends = await _backends(admin, app)
        pg_before = {pid: _proc_cpu_s(pid) for pid in backends}
        redis_before = await _commandstats(client)
        started = time.perf_counter()
        for wid in range(processes):
            await client.rpush(f"{prefix}go:{wid}", "1")
        reports = []
        for _ in range(processes):
            popped = await client.blpop([f"{prefix}done"], timeout=300)
            if popped is None:
                raise RuntimeError("a worker did not finish within 300 s")
            reports.append(json.loads(popped[1]))
        elapsed = time.perf_counter() - started
        pg_cpu = sum(_proc_cpu_s(pid) - cpu for pid, cpu in pg_before.items())
        if set(await _backends(admin, app)) != set(backends):
            raise RuntimeError("the workers' PostgreSQL backends changed during the run")
        redis_after = await _commandstats(client)
        for wid in range(processes):
            await client.rpush(f"{prefix}quit:{wid}", "1")
        for proc in procs:
            await asyncio.wait_for(proc.wait(), 60)
        stored = await _stored_bodies(schema, rooms)
    finally:
        for proc in procs:
            if proc.returncode is None:
                proc.kill()
        await admin.close()
        await client.aclose()
        await drop_schema(DSN, schema)
        await delete_prefix(REDIS, prefix)
    expected = Counter(f"bw-m-{i}" for i in range(n))
    expected.update(f"bw-w{w}x-{i}" for w in range(processes) for i in range(WARMUP))
    lost = sum((expected - stored).values())
    duplicated = sum((stored - expected).values())
    if lost or duplicated:
        raise RuntimeError(f"{processes} workers: {lost} messages lost, {duplicated} duplicated")
    lock_calls: Counter[str] = Counter()
    for report in reports:
        lock_calls.update(report["lock_calls"])
    redis_usec = 0.0
    for name, calls in lock_calls.items():
        key = "evalsha" if name == "evalsha" else name
        before, after = redis_before.get(key, (0, 0)), redis_after.get(key, (0, 0))
        if after[0] > before[0]:
            redis_usec += calls * (after[1] - before[1]) / (after[0] - before[0])
    worker_cpu = 1000 * sum(r["cpu_s"] for r in reports) / n
    return {
        "msg_per_s": n / elapsed,
        # CPU cores this system got during the run (workers + PostgreSQL backends + Redis)
        "cores_used": (sum(r["cpu_s"] for r in reports) + pg_cpu + redis_usec / 1e6) / elapsed,
        "wall_s": elapsed,
        "worker_cpu_ms_per_msg": worker_cpu,
        "pg_cpu_ms_per_msg": 1000 * pg_cpu / n,
        "redis_cpu_ms_per_msg": redis_usec / 1000 / n,
        "pg_round_trips_per_msg": sum(r["pg_statements"] for r in reports) / n,
        "lock_round_trips_per_msg": sum(lock_calls.values()) / n,
        "queue_round_trips_per_msg": sum(r["queue_calls"] for r in reports) / n,
        "lock_commands": dict(lock_calls),
        "refused_takes": sum(r["refused_takes"] for r in reports),
        "wake_ups": sum(r["wake_ups"] for r in reports),
        "expired_waits": sum(r["expired_waits"] for r in reports),
        "lost": lost,
        "duplicated": duplicated,
    }


def _median_run(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """The run with the median throughput, plus the medians of the per-message costs."""
    ordered = sorted(runs, key=lambda r: r["msg_per_s"])
    chosen = dict(ordered[len(ordered) // 2])
    for key in ("worker_cpu_ms_per_msg", "pg_cpu_ms_per_msg", "redis_cpu_ms_per_msg", "cores_used"):
        chosen[key] = statistics.median(r[key] for r in runs)
    chosen["msg_per_s_runs"] = [round(r["msg_per_s"], 1) for r in runs]
    return chosen


async def main(args: argparse.Namespace) -> dict[str, Any]:
    out: dict[str, Any] = {
        "python": sys.version.split()[0],
        "n": args.n,
        "rooms": args.rooms,
        "consumers_per_worker": CONSUMERS,
        "cpus": os.cpu_count(),
        "load_avg_start": os.getloadavg()[0],
    }
    counts = [int(c) for c in args.workers.split(",")]
    per_count: dict[str, Any] = {}
    for count in counts:
        runs = [await run_once(count, args.n, args.rooms) for _ in range(args.runs)]
        result = _median_run(runs)
        per_count[str(count)] = result
        print(
            f"  {count} worker(s), {args.rooms} room(s): {result['msg_per_s']:7.1f} msg/s "
            f"(runs {result['msg_per_s_runs']}); CPU ms/msg worker "
            f"{result['worker_cpu_ms_per_msg']:.2f}, PostgreSQL {result['pg_cpu_ms_per_msg']:.2f}, "
            f"Redis {result['redis_cpu_ms_per_msg']:.3f}; round trips/msg PostgreSQL "
            f"{result['pg_round_trips_per_msg']:.2f}, "
            f"locks {result['lock_round_trips_per_msg']:.2f}"
            f"; waits: {result['refused_takes']} refused takes, {result['wake_ups']} woken, "
            f"{result['expired_waits']} expired; cores used {result['cores_used']:.2f}",
            file=sys.stderr,
            flush=True,
        )
    base = per_count[str(counts[0])]["msg_per_s"]
    out["workers"] = per_count
    out["scaling"] = {k: round(v["msg_per_s"] / base, 3) for k, v in per_count.items()}
    out["load_avg_end"] = os.getloadavg()[0]
    for k, v in per_count.items():  # flat keys for the report table
        out[f"msg_per_s_{k}"] = round(v["msg_per_s"], 1)
        out[f"scaling_{k}"] = out["scaling"][k]
        out[f"worker_cpu_ms_per_msg_{k}"] = round(v["worker_cpu_ms_per_msg"], 3)
    return out


if __name__ == "__main__":
    if len(sys.argv) > 2 and sys.argv[1] == "--worker":
        asyncio.run(worker(json.loads(sys.argv[2])))
        sys.exit(0)
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=3000, help="measured messages per run")
    parser.add_argument("--rooms", type=int, default=200, help="1: one contended room")
    parser.add_argument("--workers", default="1,2,4", help="worker counts, comma-separated")
    parser.add_argument("--runs", type=int, default=3, help="runs per worker count (median)")
    print(json.dumps(asyncio.run(main(parser.parse_args()))))
