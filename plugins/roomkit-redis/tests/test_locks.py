"""RedisLockManager through the conformance suite, plus leases, fencing and failures."""

from __future__ import annotations

import asyncio
import sys
import textwrap
import threading
import time
from asyncio.subprocess import PIPE
from collections.abc import AsyncIterator
from typing import Any
from uuid import uuid4

import pytest
import redis.asyncio as aioredis
from roomkit_redis import RedisLockManager, RedisLockManagerConfig
from roomkit_redis.locks import redact_url
from roomkit_redis.testing import LockManagerFixtures

from roomkit.errors import (
    ConfigurationError,
    LockBackendError,
    RoomLockLostError,
    RoomLockTimeoutError,
)
from roomkit_conformance.suites.lock_manager import RoomLockManagerSuite
from roomkit_conformance.wire import silent_server as wire_silent_server


class TestRedisLockManager(LockManagerFixtures, RoomLockManagerSuite):
    capabilities = frozenset(
        {"cross_process", "network_backend", "lease_expiry", "fencing", "backend_outage"}
    )


@pytest.fixture
async def silent_server() -> AsyncIterator[str]:
    """A server that accepts connections and never answers (a stalled or blackholed one)."""
    async with wire_silent_server() as (host, port):
        yield f"redis://{host}:{port}/0"


async def _kill_clients(raw: aioredis.Redis, name: str) -> int:
    """Close every connection named ``name`` (and no one else's: the server is shared)."""
    killed = 0
    for client in await raw.client_list():
        if client.get("name") == name:
            killed += await raw.client_kill_filter(_id=client["id"])
    return killed


@pytest.mark.asyncio
async def test_lease_is_renewed_while_held(
    redis_url: str, prefix: str, raw: aioredis.Redis
) -> None:
    manager = RedisLockManager(redis_url, prefix=prefix, lease=3.0)
    other = RedisLockManager(redis_url, prefix=prefix, lease=3.0)
    async with manager.hold("r", timeout=5) as handle:
        key = manager.key("r")
        started, renewals, last_ttl = time.monotonic(), 0, await raw.pttl(key)
        # Held for longer than one lease, and the lease was seen being extended twice.
        while renewals < 2 or time.monotonic() - started < manager.lease * 1.2:
            assert time.monotonic() - started < 60, "the lease was not renewed"
            await asyncio.sleep(0.1)
            ttl = await raw.pttl(key)
            assert ttl > 0, "the lease expired while held"
            renewals += ttl > last_ttl
            last_ttl = ttl
        with pytest.raises(RoomLockTimeoutError):
            async with other.locked("r", timeout=0.2):
                pytest.fail("took a renewed lock")
        assert await handle.still_held()
    assert await raw.exists(manager.key("r")) == 0
    assert manager.lost_locks == 0
    await manager.close()
    await other.close()


@pytest.mark.asyncio
async def test_release_never_deletes_someone_elses_lock(
    redis_url: str, prefix: str, raw: aioredis.Redis
) -> None:
    manager = RedisLockManager(redis_url, prefix=prefix, lease=5)
    async with manager.hold("r", timeout=2) as handle:
        # the lease is gone (say, a long GC pause) and another holder took the room
        await raw.set(manager.key("r"), "someone-else", px=5000)
    assert await raw.get(manager.key("r")) == b"someone-else"
    assert handle.lost
    assert manager.lost_locks == 1
    await manager.close()


@pytest.mark.asyncio
async def test_takeover_while_the_holders_loop_was_blocked_is_detected(
    redis_url: str, prefix: str, raw: aioredis.Redis
) -> None:
    """The holder's event loop is blocked past its lease; another process takes the room."""
    holder = RedisLockManager(redis_url, prefix=prefix, lease=1.0)
    taken, leave = threading.Event(), threading.Event()
    newer: dict[str, Any] = {}

    def other_process() -> None:
        async def main() -> None:
            other = RedisLockManager(redis_url, prefix=prefix, lease=30)
            async with other.hold("r", timeout=60) as handle:
                newer["token"] = handle.fencing_token
                taken.set()
                await asyncio.to_thread(leave.wait, 60)
            await other.close()

        asyncio.run(main())

    thread = threading.Thread(target=other_process)
    async with holder.hold("r", timeout=5) as handle:
        assert handle.fencing_token is not None
        thread.start()
        assert taken.wait(60), "the other holder never got the room"  # blocks this loop
        assert handle.lost  # known without asking Redis: the lease ran out meanwhile
        assert not await handle.still_held()
        with pytest.raises(RoomLockLostError, match="lock of room 'r' was lost"):
            await handle.ensure_held()
        assert newer["token"] > handle.fencing_token
    assert holder.lost_locks == 1
    assert await raw.exists(holder.key("r")) == 1  # the newer holder's lease is untouched
    leave.set()
    await asyncio.to_thread(thread.join, 60)
    await holder.close()


@pytest.mark.asyncio
async def test_a_lease_taken_over_is_reported_by_still_held(
    redis_url: str, prefix: str, raw: aioredis.Redis
) -> None:
    manager = RedisLockManager(redis_url, prefix=prefix, lease=30)
    async with manager.hold("r", timeout=2) as handle:
        assert await handle.still_held()
        await raw.set(manager.key("r"), "someone-else", px=30_000)
        assert not handle.lost  # nobody asked Redis yet
        assert not await handle.still_held()
        assert handle.lost
    await manager.close()


@pytest.mark.asyncio
async def test_fencing_tokens_keep_growing_when_the_counter_is_lost(
    redis_url: str, prefix: str, raw: aioredis.Redis
) -> None:
    manager = RedisLockManager(redis_url, prefix=prefix)
    async with manager.hold("r", timeout=2) as first:
        assert await raw.ttl(manager.fence_key("r")) > 24 * 3600
    # the counter expired, or Redis restarted without its data: tokens still grow
    assert await raw.delete(manager.fence_key("r")) == 1
    async with manager.hold("r", timeout=2) as second:
        pass
    async with manager.hold("r", timeout=2) as third:
        pass
    assert first.fencing_token is not None
    assert second.fencing_token is not None
    assert first.fencing_token < second.fencing_token < third.fencing_token  # type: ignore[operator]
    await manager.close()


@pytest.mark.asyncio
async def test_room_ids_never_collide_with_fencing_counters(redis_url: str, prefix: str) -> None:
    manager = RedisLockManager(redis_url, prefix=prefix)
    async with manager.hold("x", timeout=2), manager.hold("fence:x", timeout=2) as other:
        assert other.fencing_token is not None
    assert manager.key("fence:x") != manager.fence_key("x")
    await manager.close()


@pytest.mark.asyncio
async def test_a_killed_process_frees_its_lock_when_the_lease_runs_out(
    redis_url: str, prefix: str
) -> None:
    script = textwrap.dedent(
        f"""
        import asyncio, os
        from roomkit_redis import RedisLockManager

        async def main():
            manager = RedisLockManager({redis_url!r}, prefix={prefix!r}, lease=1.0)
            async with manager.locked("room", timeout=5):
                print("held", flush=True)
                os._exit(0)  # dies without releasing

        asyncio.run(main())
        """
    )
    child = await asyncio.create_subprocess_exec(
        sys.executable, "-c", script, stdout=PIPE, stderr=PIPE
    )
    out, err = await asyncio.wait_for(child.communicate(), 60)
    assert b"held" in out, err.decode()
    manager = RedisLockManager(redis_url, prefix=prefix, lease=1.0)
    async with manager.locked("room", timeout=30):  # far less than this: the lease is 1 s
        pass
    await manager.close()


@pytest.mark.asyncio
async def test_the_backend_error_says_what_to_check_without_the_password() -> None:
    manager = RedisLockManager("redis://:secret@127.0.0.1:1/0")
    with pytest.raises(LockBackendError, match="is Redis running") as caught:
        async with manager.locked("r"):
            pytest.fail("locked without Redis")
    assert "redis://:***@127.0.0.1:1/0" in str(caught.value)
    assert "secret" not in str(caught.value)
    await manager.close()


@pytest.mark.asyncio
async def test_a_silent_server_fails_at_the_socket_timeout_not_the_lock_timeout(
    silent_server: str,
) -> None:
    manager = RedisLockManager(silent_server, socket_timeout=0.5)
    started = time.monotonic()
    with pytest.raises(LockBackendError, match="failed while locking room 'r'"):
        async with manager.locked("r", timeout=120):
            pytest.fail("locked without an answer")
    assert time.monotonic() - started < 60
    await manager.close()


@pytest.mark.asyncio
async def test_stale_pooled_connections_are_replaced(
    redis_url: str, prefix: str, raw: aioredis.Redis
) -> None:
    name = f"rk-test-{uuid4().hex[:12]}"
    manager = RedisLockManager(redis_url, prefix=prefix, client_name=name)

    async def lock(room: str) -> None:
        async with manager.locked(room, timeout=5):
            await asyncio.sleep(0.05)

    await asyncio.gather(*(lock(f"room-{n}") for n in range(5)))  # several connections pooled
    assert await _kill_clients(raw, name) >= 2  # as when Redis restarts
    async with manager.hold("r", timeout=5) as handle:
        # The first attempt met a dead connection; its clean-up (deleting its holder value in
        # the background) must not delete the lock the retry took.
        await asyncio.gather(*manager._background, return_exceptions=True)
        assert await raw.exists(manager.key("r")) == 1
        assert await handle.still_held()
    await manager.close()


def test_config_builds_the_same_manager() -> None:
    config = RedisLockManagerConfig.model_validate(
        {"url": "redis://:pw@cache:6379/1", "connect_timeout": 0.5, "client_name": "app-locks"}
    )
    manager = RedisLockManager.from_config(config)
    assert manager.prefix == "roomkit:"
    assert manager.key("r") == "roomkit:lock:r"
    assert manager.fence_key("r") == "roomkit:fence:r"
    with pytest.raises(ValueError):
        RedisLockManagerConfig.model_validate({"client_name": "has space"})


def test_redact_url_hides_the_password() -> None:
    assert redact_url("redis://:pw@cache:6379/1") == "redis://:***@cache:6379/1"
    assert redact_url("rediss://user:pw@cache/0") == "rediss://user:***@cache/0"
    assert redact_url("redis://cache:6379/0") == "redis://cache:6379/0"


def test_bad_configuration_is_refused() -> None:
    with pytest.raises(ConfigurationError):
        RedisLockManager("")
    with pytest.raises(ConfigurationError):
        RedisLockManager("redis://x", lease=0.01)
    with pytest.raises(ConfigurationError):
        RedisLockManager("redis://x", default_timeout=0)
    with pytest.raises(ConfigurationError):
        RedisLockManager("redis://x", connect_timeout=0)


@pytest.mark.asyncio
async def test_tokens_under_two_prefixes_of_one_redis_follow_acquisition_order(
    redis_url: str, prefix: str, raw: aioredis.Redis
) -> None:
    """A process configured with another prefix (a mistake: the two do not exclude each
    other) must not have every write refused because its counter started earlier."""
    early = RedisLockManager(redis_url, prefix=f"{prefix}early:")
    late = RedisLockManager(redis_url, prefix=f"{prefix}late:")
    tokens: list[int] = []
    try:
        for manager in (early, late, early, late, early):
            async with manager.hold("r", timeout=2) as handle:
                assert handle.fencing_token is not None
                tokens.append(handle.fencing_token)
    finally:
        await early.close()
        await late.close()
    assert tokens == sorted(tokens)
    assert len(set(tokens)) == len(tokens)
    # the counter holds the last token exactly (no float formatting on the way)
    assert int(await raw.get(early.fence_key("r"))) == tokens[-1]
