"""RedisLockManager through the conformance suite, plus leases, renewal and safe release."""

from __future__ import annotations

import asyncio
import sys
import textwrap
import time
from asyncio.subprocess import PIPE

import pytest
import redis.asyncio as aioredis
from roomkit_redis import RedisLockManager
from roomkit_redis.testing import LockManagerFixtures

from roomkit.errors import ConfigurationError, RoomLockTimeoutError, StoreError
from roomkit_conformance.suites.lock_manager import RoomLockManagerSuite


class TestRedisLockManager(LockManagerFixtures, RoomLockManagerSuite):
    capabilities = frozenset({"cross_process", "lease_expiry"})


@pytest.mark.asyncio
async def test_lease_is_renewed_while_held(
    redis_url: str, prefix: str, raw: aioredis.Redis
) -> None:
    manager = RedisLockManager(redis_url, prefix=prefix, lease=0.3)
    other = RedisLockManager(redis_url, prefix=prefix, lease=0.3)
    async with manager.locked("r", timeout=2):
        await asyncio.sleep(1.0)  # more than three leases
        assert await raw.exists(manager.key("r")) == 1
        with pytest.raises(RoomLockTimeoutError):
            async with other.locked("r", timeout=0.2):
                pytest.fail("took a renewed lock")
    assert await raw.exists(manager.key("r")) == 0
    assert manager.lost_leases == 0
    await manager.close()
    await other.close()


@pytest.mark.asyncio
async def test_release_never_deletes_someone_elses_lock(
    redis_url: str, prefix: str, raw: aioredis.Redis
) -> None:
    manager = RedisLockManager(redis_url, prefix=prefix, lease=5)
    async with manager.locked("r", timeout=2):
        # the lease is gone (say, a long GC pause) and another holder took the room
        await raw.set(manager.key("r"), "someone-else", px=5000)
    assert await raw.get(manager.key("r")) == b"someone-else"
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
    started = time.monotonic()
    async with manager.locked("room", timeout=5):
        waited = time.monotonic() - started
    assert waited < 3
    await manager.close()


@pytest.mark.asyncio
async def test_unreachable_server_raises_store_error() -> None:
    manager = RedisLockManager("redis://127.0.0.1:1/0", socket_timeout=0.5)
    with pytest.raises(StoreError, match="Redis failed"):
        async with manager.locked("r", timeout=1):
            pytest.fail("locked without Redis")
    await manager.close()


def test_bad_configuration_is_refused() -> None:
    with pytest.raises(ConfigurationError):
        RedisLockManager("")
    with pytest.raises(ConfigurationError):
        RedisLockManager("redis://x", lease=0.01)
    with pytest.raises(ConfigurationError):
        RedisLockManager("redis://x", default_timeout=0)
