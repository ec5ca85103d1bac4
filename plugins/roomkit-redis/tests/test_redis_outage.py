"""Redis stopped while two kits share rooms: fast typed errors, nothing lost once it is back.

A private ``redis-server`` (its own port, no persistence) carries the room locks of two kits
that share one PostgreSQL store. Senders keep sending, each message retried with its
idempotency key until it is acknowledged, as a webhook sender does. Redis is stopped in the
middle of the run and started again (empty: its data is gone, as after a crash). While it is
down every call fails with :class:`~roomkit.errors.LockBackendError` well within the lock
timeout, and a kit that held a room lock when Redis died cannot write once the other kit took
the room in the restarted Redis (the store refuses its older fencing token); afterwards every
message is stored exactly once, gap-free, in each sender's order.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import socket
import subprocess
import time
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path
from uuid import uuid4

import pytest
from roomkit_postgres import PostgresStore
from roomkit_postgres.testing import drop_schema, require_server
from roomkit_redis import RedisLockManager

from roomkit import InboundMessage, RoomKit, TextContent, WebSocketChannel
from roomkit.errors import LockBackendError, RoomLockLostError

LOCK_TIMEOUT = 5.0
ROOMS = 4
SENDERS = 3
MESSAGES = 15  # per sender and room
RUN_BOUND = 240.0  # far above what a run needs: reaching it is a stall


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class PrivateRedis:
    """A redis-server of this test only, stopped and started on the same port."""

    def __init__(self, folder: Path) -> None:
        binary = shutil.which("redis-server")
        if binary is None:
            reason = "redis-server is not installed (Debian package redis-server)"
            if os.environ.get("CI") == "true":
                pytest.fail(reason)
            pytest.skip(reason)
        self.binary = binary
        self.folder = folder
        self.port = _free_port()
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        args = [self.binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", ""]
        args += ["--appendonly", "no", "--dir", str(self.folder)]
        self.proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 30
        while True:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                return
            except OSError:
                assert time.monotonic() < deadline, "redis-server did not start"
                time.sleep(0.05)

    def stop(self) -> None:
        assert self.proc is not None
        self.proc.kill()
        self.proc.wait(timeout=30)
        self.proc = None


@pytest.fixture
def private_redis(tmp_path: Path) -> Iterator[PrivateRedis]:
    server = PrivateRedis(tmp_path)
    server.start()
    yield server
    if server.proc is not None:
        server.stop()


@pytest.mark.timeout(300)
@pytest.mark.asyncio
async def test_redis_down_fails_fast_and_loses_nothing(private_redis: PrivateRedis) -> None:
    dsn = await require_server()
    schema = f"rk_outage_{uuid4().hex[:10]}"
    kits = [
        RoomKit(
            store=PostgresStore(dsn, schema=schema),
            lock_manager=RedisLockManager(private_redis.url, prefix=f"outage-{uuid4().hex}:"),
            lock_timeout=LOCK_TIMEOUT,
        )
        for _ in range(2)
    ]
    for kit in kits:
        kit.register_channel(WebSocketChannel("ws"))
    rooms = []
    for _ in range(ROOMS):
        room = await kits[0].create_room()
        await kits[0].attach_channel(room.id, "ws")
        rooms.append(room.id)
    acked = 0
    failures: list[float] = []  # seconds each failed call took
    other_errors: list[BaseException] = []
    fenced: list[str] = []  # writes refused because their lock was lost in the outage
    down = asyncio.Event()
    back = asyncio.Event()

    async def sender(room_id: str, sender_id: str, kit: RoomKit) -> None:
        nonlocal acked
        for seq in range(MESSAGES):
            key = f"{room_id}/{sender_id}/{seq}"
            while True:
                message = InboundMessage(
                    channel_id="ws",
                    sender_id=sender_id,
                    content=TextContent(body=key),
                    idempotency_key=key,
                )
                started = time.monotonic()
                try:
                    await kit.process_inbound(message, room_id=room_id)
                except LockBackendError:
                    failures.append(time.monotonic() - started)
                    await asyncio.sleep(0.05)
                    continue
                except RoomLockLostError:
                    # Held when Redis died; the restarted (empty) Redis let the other kit in,
                    # which wrote first: the store refused this write (fencing). Not stored.
                    fenced.append(key)
                    continue
                except Exception as exc:  # anything else is a finding
                    other_errors.append(exc)
                    raise
                acked += 1
                break

    async def outage() -> None:
        total = ROOMS * SENDERS * MESSAGES
        while acked < total // 3:
            await asyncio.sleep(0.02)
        await asyncio.to_thread(private_redis.stop)
        down.set()
        while len(failures) < 20:  # every sender has hit the outage a few times
            await asyncio.sleep(0.02)
        await asyncio.to_thread(private_redis.start)
        back.set()

    work = asyncio.gather(
        outage(),
        *(sender(room_id, f"user-{s}", kits[s % 2]) for room_id in rooms for s in range(SENDERS)),
    )
    try:
        done, _ = await asyncio.wait({work}, timeout=RUN_BOUND)
        if not done:  # a stall: say where every task is waiting
            stacks = [
                f"{task.get_name()}: {task.get_stack(limit=3)}" for task in asyncio.all_tasks()
            ]
            work.cancel()
            pytest.fail(
                f"stalled with {acked} acknowledged, down={down.is_set()}, back={back.is_set()}, "
                f"{len(failures)} failures:\n" + "\n".join(stacks)
            )
        work.result()
        assert down.is_set()
        assert back.is_set()
        assert not other_errors
        assert len(failures) >= 20
        # Refused connections fail at once, not after the lock timeout.
        assert max(failures) < LOCK_TIMEOUT, f"slowest failure took {max(failures):.2f}s"
        store = kits[0].store
        for room_id in rooms:
            events = await store.list_events(room_id, limit=10_000)
            assert [e.index for e in events] == list(range(len(events)))
            keys = [e.idempotency_key for e in events]
            assert len(keys) == len(set(keys)), "a message was stored twice"
            expected = {f"{room_id}/user-{s}/{q}" for s in range(SENDERS) for q in range(MESSAGES)}
            assert set(keys) == expected
            order: dict[str, list[int]] = defaultdict(list)
            for key in keys:
                _, who, seq = key.split("/")  # type: ignore[union-attr]
                order[who].append(int(seq))
            assert all(seqs == sorted(seqs) for seqs in order.values())
        print(
            f"\nRedis outage: {len(failures)} calls failed with LockBackendError in at most "
            f"{max(failures) * 1000:.0f} ms (median "
            f"{sorted(failures)[len(failures) // 2] * 1000:.0f} ms); "
            f"{len(fenced)} writes under a lock lost in the outage refused by the store; "
            f"{ROOMS * SENDERS * MESSAGES} messages stored exactly once"
        )
    finally:
        for kit in kits:
            await kit.close()
        await drop_schema(dsn, schema)
