"""Scale-out proof: four RoomKit processes share 50 rooms through PostgreSQL and Redis.

Each worker (``scale_out_worker.py``) has its own ``RoomKit`` with ``PostgresStore``,
``RedisLockManager`` and ``RedisRealtime``. The coordinator below plays the senders: 400
conversations (50 rooms x 8 senders), 10 messages each, every message handed to whichever
worker pops it first from a shared Redis list. A sender sends its next message only after the
previous one was acknowledged (as a phone does with a webhook), some acknowledged messages are
re-sent on purpose, and a message whose processing failed is sent again with the same
idempotency key.

In the middle of the run one worker's PostgreSQL backend is terminated and another worker is
killed with SIGKILL while it is handling messages; the jobs it had taken but not acknowledged
go back to the queue (as a load balancer retries a request whose connection died), carrying
the same idempotency keys. Afterwards every room must hold each message exactly once, with
unique, gap-free indexes and each sender's messages in the order they were sent; every
acknowledged event must be stored; and ephemeral events published in one process must have
reached the subscribers in every other process.

Nothing here depends on the machine's speed: a message is retried only when its processing
failed or its worker died (never because an acknowledgement was late, which on a loaded
machine would pile duplicate jobs onto a queue that is already behind); every blocking Redis
command blocks for far less than its connection's read timeout; a Redis reply lost on a
starved machine loses nothing (acknowledgements are read without popping, jobs stay in a
consumer's processing list until acknowledged); a dead worker or a stopped acknowledgement
reader fails the run at once; and every wait is a bounded wait for a condition.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import random
import signal
import sys
import time
from collections import defaultdict
from pathlib import Path
from typing import Any
from uuid import uuid4

import asyncpg
import pytest
import redis.asyncio as aioredis
from redis.exceptions import RedisError
from roomkit_postgres import PostgresStore
from roomkit_postgres.testing import drop_schema, dsn_for_tests, terminate_lock_holder
from roomkit_redis.testing import delete_prefix, url_for_tests

from roomkit import RoomKit
from roomkit.channels.websocket import WebSocketChannel

WORKER = Path(__file__).with_name("scale_out_worker.py")
EPHEMERAL_ROOM = "room-ephemeral"
WORKERS = 4
CONSUMERS = 8  # concurrent consumers per worker
ROOMS = 50
SENDERS = 8
MESSAGES = 10  # per sender and room: 4,000 messages in total
RESEND_RATE = 0.1
# Bounds of waits for conditions, far above what any run needs: reaching one is a real stall.
ACK_DEADLINE = 300.0
START_DEADLINE = 180.0
EPHEMERAL_DEADLINE = 60.0


async def _services() -> tuple[str, str]:
    dsn, url = dsn_for_tests(), url_for_tests()
    try:
        conn = await asyncpg.connect(dsn, timeout=3)
        await conn.close()
        client = aioredis.Redis.from_url(url, socket_timeout=3, socket_connect_timeout=3)
        try:
            await client.ping()
        finally:
            await client.aclose()
    except (OSError, asyncpg.PostgresError, RedisError, TimeoutError) as exc:
        reason = f"PostgreSQL ({dsn}) and Redis ({url}) are needed: {exc}"
        if os.environ.get("CI") == "true":
            pytest.fail(reason)
        pytest.skip(reason)
    return dsn, url


async def _overlaps_of_stored_work(
    client: aioredis.Redis, prefix: str, stored: dict[str, Any]
) -> list[tuple[Any, Any]]:
    """Pairs of hook runs of stored events, by different workers, inside one room at once."""
    stored_ids = {event.id for event in stored.values()}
    spans: dict[str, list[tuple[float, float, int, str]]] = defaultdict(list)
    for raw in await client.lrange(f"{prefix}inside", 0, -1):
        room, event_id, worker, started, ended = json.loads(raw)
        # Only the run whose event was stored: a run refused for a lost lock is retried with a
        # new event id, and its hook ran while another worker may have been inside.
        if event_id in stored_ids:
            spans[room].append((started, ended, worker, event_id))
    overlaps: list[tuple[Any, Any]] = []
    for runs in spans.values():
        runs.sort()
        open_runs: list[tuple[float, float, int, str]] = []  # runs not ended at this start
        for run in runs:
            open_runs = [other for other in open_runs if other[1] > run[0]]
            overlaps += [(other, run) for other in open_runs if other[2] != run[2]]
            open_runs.append(run)
    return overlaps


async def _pop(client: aioredis.Redis, key: str, deadline: float) -> bytes | None:
    """BLPOP ``key`` until ``deadline`` (monotonic), one second at a time: each call blocks
    well under the connection's read timeout."""
    while time.monotonic() < deadline:
        popped = await client.blpop([key], timeout=1)
        if popped is not None:
            return bytes(popped[1])
    return None


class Coordinator:
    """Hands jobs to the workers through Redis and matches their acknowledgements."""

    def __init__(self, client: aioredis.Redis, prefix: str) -> None:
        self.client = client
        self.prefix = prefix
        self.pending: dict[str, asyncio.Future[dict[str, Any]]] = {}
        self.acks: list[dict[str, Any]] = []
        self.jobs: dict[str, dict[str, Any]] = {}
        self.retries = 0
        self.acked = 0

    async def read_acks(self) -> None:
        """Match acknowledgements to waiting messages, for the whole run.

        The list is read without popping (LRANGE from a cursor), so a reply lost to a read
        time-out on a starved machine loses no acknowledgement: the read is simply repeated.
        """
        cursor = 0
        while True:
            try:
                batch = await self.client.lrange(f"{self.prefix}acks", cursor, cursor + 499)
            except RedisError:
                await asyncio.sleep(0.1)
                continue
            cursor += len(batch)
            for raw in batch:
                ack = json.loads(raw)
                self.acks.append(ack)
                future = self.pending.pop(ack["job"], None)
                if future is not None and not future.done():
                    future.set_result(ack)
            if not batch:
                await asyncio.sleep(0.02)

    async def push(self, job: dict[str, Any]) -> None:
        """Queue a job; after a Redis error (it may or may not have landed) push it again:
        a job queued twice is handled twice under one idempotency key."""
        while True:
            try:
                await self.client.rpush(f"{self.prefix}jobs", json.dumps(job))
                return
            except RedisError:
                await asyncio.sleep(0.1)

    async def send(self, room: str, sender: str, seq: int) -> dict[str, Any]:
        """Deliver one message until a worker acknowledges it (retrying with the same key).

        A job stays queued until a worker takes it, however long that takes; it is sent again
        only when the worker reported a failure (a job of a worker that died is put back in
        the queue as it is, see ``requeue``).
        """
        key = f"{room}/{sender}/{seq}"
        for attempt in range(20):
            job_id = uuid4().hex
            job = {"job": job_id, "room": room, "sender": sender, "seq": seq, "key": key}
            self.jobs[job_id] = job
            future: asyncio.Future[dict[str, Any]] = asyncio.get_running_loop().create_future()
            self.pending[job_id] = future
            await self.push(job)
            try:
                ack = await asyncio.wait_for(future, ACK_DEADLINE)
            except TimeoutError:
                raise AssertionError(
                    f"message {key} (job {job_id}) was not handled in {ACK_DEADLINE:.0f}s; "
                    f"it is {await self.where(job_id)}"
                ) from None
            if ack["ok"]:
                self.acked += 1
                return ack
            self.retries += 1
            await asyncio.sleep(0.05 * (attempt + 1))
        raise AssertionError(f"message {key} failed 20 times; last: {ack.get('error')}")

    def processing(self, wid: int) -> list[str]:
        """The processing lists of worker ``wid``'s consumers."""
        return [f"{self.prefix}processing:{wid}:{n}" for n in range(CONSUMERS)]

    async def in_flight(self, wid: int) -> int:
        """How many jobs worker ``wid`` has taken and not acknowledged yet."""
        return sum([await self.client.llen(name) for name in self.processing(wid)])

    async def kill_while_busy(self, proc: asyncio.subprocess.Process, wid: int) -> int:
        """SIGKILL worker ``wid`` at a moment it holds unacknowledged jobs; put them back in
        the queue once its connections are gone. Returns how many were put back."""
        while True:
            proc.send_signal(signal.SIGSTOP)  # freeze it, then look at what it holds
            if await self.in_flight(wid):
                break
            proc.send_signal(signal.SIGCONT)
            await asyncio.sleep(0.01)
        proc.kill()
        assert await asyncio.wait_for(proc.wait(), 30) != 0
        # Redis may still serve a BLMOVE of the dead worker until it notices its connections
        # closed; only then are the processing lists final.
        name = f"{self.prefix}w{wid}"
        deadline = time.monotonic() + 60
        while any(c.get("name") == name for c in await self.client.client_list()):
            assert time.monotonic() < deadline, f"Redis kept worker {wid}'s connections"
            await asyncio.sleep(0.05)
        requeued = 0
        for processing in self.processing(wid):
            while await self.client.lmove(processing, f"{self.prefix}jobs", "LEFT", "RIGHT"):
                requeued += 1
        return requeued

    async def where(self, job_id: str) -> str:
        """Where a job is, for the message of a failed wait."""
        places = [f"{self.prefix}jobs"] + [
            name for wid in range(WORKERS) for name in self.processing(wid)
        ]
        for name in places:
            if any(job_id in item.decode() for item in await self.client.lrange(name, 0, -1)):
                return f"in {name} ({await self.client.llen(f'{self.prefix}jobs')} queued)"
        return "in no list"


async def _watch(
    procs: list[asyncio.subprocess.Process], killed: set[int], reader: asyncio.Task[None]
) -> None:
    """Fail at once when a worker exits that the test did not kill (its jobs would stall) or
    the acknowledgement reader stops."""
    while True:
        if reader.done():
            reader.result()
            raise AssertionError("the acknowledgement reader stopped")
        for wid, proc in enumerate(procs):
            if proc.returncode is not None and wid not in killed:
                raise AssertionError(f"worker {wid} exited with {proc.returncode}")
        await asyncio.sleep(0.2)


async def _wait_for_ephemeral(
    client: aioredis.Redis, prefix: str, workers: list[int], round_: int, per_worker: int
) -> dict[int, set[str]]:
    """Which publishers each worker heard in ``round_`` (waits until all of them, bounded)."""
    heard: dict[int, set[str]] = {}
    deadline = time.monotonic() + EPHEMERAL_DEADLINE
    while True:
        for wid in workers:
            raw = await client.lrange(f"{prefix}eph:{wid}", 0, -1)
            users = [json.loads(item)["user_id"] for item in raw]
            heard[wid] = {u for u in users if u.split("-")[1] == str(round_)}
        if all(len(h) == len(workers) * per_worker for h in heard.values()):
            return heard
        if time.monotonic() > deadline:
            return heard
        await asyncio.sleep(0.1)


@pytest.mark.timeout(600)
@pytest.mark.asyncio
@pytest.mark.parametrize("mode", ["redis-locks", "postgres-lock-sessions-terminated"])
async def test_four_processes_share_fifty_rooms_through_faults(mode: str) -> None:
    """``redis-locks``: Redis leases; one worker's store backend terminated, another worker
    killed. ``postgres-lock-sessions-terminated``: PostgreSQL advisory locks; only the database
    sessions holding room locks are terminated, again and again, while workers are inside the
    rooms; a hook in every worker records when it was inside which room, and no two workers
    may have been inside one room at once for events that were stored."""
    pg_locks = mode == "postgres-lock-sessions-terminated"
    dsn, url = await _services()
    schema, prefix = f"rk_scale_{uuid4().hex[:10]}", f"rk-scale-{uuid4().hex}:"
    client = aioredis.Redis(
        connection_pool=aioredis.BlockingConnectionPool.from_url(
            url, max_connections=20, timeout=30, socket_timeout=30
        )
    )
    admin = await asyncpg.connect(dsn, timeout=5)
    procs: list[asyncio.subprocess.Process] = []
    reader: asyncio.Task[None] | None = None
    store = PostgresStore(dsn, schema=schema)
    try:
        # -- rooms, created once by an administrative RoomKit --------------------------------
        async with RoomKit(store=PostgresStore(dsn, schema=schema)) as setup:
            setup.register_channel(WebSocketChannel("ws"))
            rooms = [f"room-{i:02d}" for i in range(ROOMS)]
            for room_id in [*rooms, EPHEMERAL_ROOM]:
                await setup.create_room(room_id)
                await setup.attach_channel(room_id, "ws")
        senders = [f"user-{s}" for s in range(SENDERS)]

        # -- four worker processes ------------------------------------------------------------
        for wid in range(WORKERS):
            settings = {
                "worker": wid,
                "dsn": dsn,
                "schema": schema,
                "redis_url": url,
                "prefix": prefix,
                "consumers": CONSUMERS,
                "locks": "postgres" if pg_locks else "redis",
                "record_hooks": pg_locks,
            }
            procs.append(
                await asyncio.create_subprocess_exec(
                    sys.executable, str(WORKER), json.dumps(settings)
                )
            )
        deadline = time.monotonic() + START_DEADLINE
        for _ in range(WORKERS):
            assert await _pop(client, f"{prefix}ready", deadline), "a worker never started"

        # -- ephemeral events cross processes ---------------------------------------------------
        for wid in range(WORKERS):
            await client.rpush(
                f"{prefix}ctl:{wid}", json.dumps({"kind": "publish", "round": 1, "count": 3})
            )
        heard = await _wait_for_ephemeral(client, prefix, list(range(WORKERS)), 1, 3)
        for wid, users in heard.items():
            expected = {f"w{o}-1-{n}" for o in range(WORKERS) for n in range(3)}
            assert users == expected, f"worker {wid} heard {sorted(users)}"

        # -- the conversations, with faults in the middle -------------------------------------
        coordinator = Coordinator(client, prefix)
        reader = asyncio.create_task(coordinator.read_acks())
        rng = random.Random(5)
        resent: list[tuple[dict[str, Any], dict[str, Any]]] = []
        total = ROOMS * SENDERS * MESSAGES

        async def conversation(room: str, sender: str) -> None:
            for seq in range(MESSAGES):
                ack = await coordinator.send(room, sender, seq)
                if rng.random() < RESEND_RATE:
                    again = await coordinator.send(room, sender, seq)
                    resent.append((ack, again))

        faults: dict[str, Any] = {}
        killed: set[int] = set()

        async def terminate_lock_sessions() -> None:
            # Through the middle third of the run: end the session holding some room's lock.
            faults["terminated"], faults["requeued"], faults["killed_at"] = 0, 0, None
            while coordinator.acked < total // 3:
                await asyncio.sleep(0.05)
            pick = random.Random(11)
            while coordinator.acked < 2 * total // 3:
                room = pick.choice(rooms)
                faults["terminated"] += await terminate_lock_holder(dsn, prefix, room)
                await asyncio.sleep(0.02)

        async def inject_faults() -> None:
            if pg_locks:
                await terminate_lock_sessions()
                return
            while coordinator.acked < total // 3:
                await asyncio.sleep(0.05)
            faults["terminated"] = await admin.fetchval(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
                " WHERE application_name = $1",
                f"rk-w1-{schema}",
            )
            while coordinator.acked < 2 * total // 3:
                await asyncio.sleep(0.05)
            faults["killed_at"] = coordinator.acked
            killed.add(3)
            faults["requeued"] = await coordinator.kill_while_busy(procs[3], 3)

        started = time.monotonic()
        # A failure of the fault injection, of a conversation or a worker's death ends the
        # run at once instead of leaving the others to wait.
        work = asyncio.gather(
            inject_faults(), *(conversation(r, s) for r in rooms for s in senders)
        )
        watch = asyncio.create_task(_watch(procs, killed, reader))
        try:
            await asyncio.wait({work, watch}, return_when=asyncio.FIRST_COMPLETED)
            if watch.done():
                watch.result()
            await work
        finally:
            for task in (work, watch):
                task.cancel()
            await asyncio.gather(work, watch, return_exceptions=True)
        elapsed = time.monotonic() - started
        assert faults["terminated"] >= 1
        if not pg_locks:
            assert faults["requeued"] >= 1, "the killed worker held no message"

        # -- survivors still exchange ephemeral events ---------------------------------------
        survivors = [0, 1, 2] if not pg_locks else list(range(WORKERS))
        for wid in survivors:
            await client.rpush(
                f"{prefix}ctl:{wid}", json.dumps({"kind": "publish", "round": 2, "count": 2})
            )
        heard = await _wait_for_ephemeral(client, prefix, survivors, 2, 2)
        for wid, users in heard.items():
            assert users == {f"w{o}-2-{n}" for o in survivors for n in range(2)}, wid

        # -- what was stored ---------------------------------------------------------------------
        by_key: dict[str, Any] = {}
        for room in rooms:
            events = await store.list_events(room, limit=10_000)
            assert [e.index for e in events] == list(range(len(events))), room
            keys = [e.idempotency_key for e in events]
            assert len(keys) == len(set(keys)), f"{room} stored a message twice"
            expected = {f"{room}/{s}/{q}" for s in senders for q in range(MESSAGES)}
            assert set(keys) == expected, f"{room} lost {sorted(expected - set(keys))[:5]}"
            order: dict[str, list[int]] = defaultdict(list)
            for event in events:
                _, sender, seq = event.idempotency_key.split("/")  # type: ignore[union-attr]
                order[sender].append(int(seq))
            for sender, seqs in order.items():
                assert seqs == sorted(seqs), f"{room}/{sender} out of order: {seqs}"
            by_key.update({e.idempotency_key: e for e in events})

        # every acknowledged message is stored, under the event id the worker reported
        for ack in coordinator.acks:
            if ack["ok"]:
                key = coordinator.jobs[ack["job"]]["key"]
                assert by_key[key].id == ack["event_id"], key
        if pg_locks:
            overlaps = await _overlaps_of_stored_work(client, prefix, by_key)
            assert not overlaps, f"two workers inside one room at once: {overlaps[:3]}"
        # re-sent messages were recognised as duplicates of the first delivery
        assert resent
        for first, again in resent:
            assert again["event_id"] == first["event_id"]
            assert again["duplicate"] is True
        print(
            f"\nscale-out: {total} messages + {len(resent)} re-sent in {elapsed:.1f}s "
            f"({total / elapsed:.0f} msg/s), {coordinator.retries} retried after a failure, "
            f"{faults['terminated']} backend(s) terminated"
            + (
                " (lock-holding sessions only)"
                if pg_locks
                else f", worker 3 killed at {faults['killed_at']} acks holding "
                f"{faults['requeued']} message(s)"
            )
        )
    finally:
        for wid, proc in enumerate(procs):
            if proc.returncode is None:
                with contextlib.suppress(RedisError):
                    await client.rpush(f"{prefix}ctl:{wid}", json.dumps({"kind": "stop"}))
        for proc in procs:
            try:
                await asyncio.wait_for(proc.wait(), 15)
            except TimeoutError:
                proc.kill()
                await asyncio.wait_for(proc.wait(), 5)
        if reader is not None:
            reader.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await reader
        await store.close()
        await admin.close()
        await client.aclose()
        await drop_schema(dsn, schema)
        await delete_prefix(url, prefix)
