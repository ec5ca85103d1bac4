"""PostgresLockManager through the conformance suite, plus pool and key behaviour."""

from __future__ import annotations

import asyncio
from uuid import uuid4

import asyncpg
import pytest
from roomkit_postgres import PostgresLockManager
from roomkit_postgres.locks import advisory_key
from roomkit_postgres.testing import LockManagerFixtures

from roomkit.errors import ConfigurationError, RoomLockTimeoutError
from roomkit_conformance.suites.lock_manager import RoomLockManagerSuite


@pytest.fixture
def namespace() -> str:
    return f"test-{uuid4().hex}"


class TestPostgresLockManager(LockManagerFixtures, RoomLockManagerSuite):
    capabilities = frozenset({"cross_process", "lease_expiry"})


@pytest.mark.asyncio
async def test_keys_are_stable_and_namespaced() -> None:
    assert advisory_key("a", "room") == advisory_key("a", "room")
    assert advisory_key("a", "room") != advisory_key("b", "room")
    assert -(2**63) <= advisory_key("a", "room") < 2**63


@pytest.mark.asyncio
async def test_lock_is_visible_in_pg_locks_while_held(
    pg_dsn: str, namespace: str, admin: asyncpg.Connection
) -> None:
    manager = PostgresLockManager(pg_dsn, namespace=namespace)
    key = advisory_key(namespace, "r1")
    query = (
        "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted"
        " AND ((classid::bigint << 32) | objid::bigint) = $1"
    )
    async with manager.locked("r1", timeout=2):
        assert await admin.fetchval(query, key) == 1
    assert await admin.fetchval(query, key) == 0
    await manager.close()


@pytest.mark.asyncio
async def test_many_rooms_beyond_the_pool_size_time_out_cleanly(
    pg_dsn: str, namespace: str
) -> None:
    manager = PostgresLockManager(pg_dsn, namespace=namespace, max_size=2)
    release = asyncio.Event()
    entered = 0

    async def hold(room: str) -> None:
        nonlocal entered
        async with manager.locked(room, timeout=0.5):
            entered += 1
            await release.wait()

    tasks = [asyncio.create_task(hold(f"room-{i}")) for i in range(3)]
    await asyncio.sleep(1.0)
    release.set()
    results = await asyncio.gather(*tasks, return_exceptions=True)
    assert entered == 2
    assert sum(isinstance(r, RoomLockTimeoutError) for r in results) == 1
    async with manager.locked("room-0", timeout=2):
        pass
    await manager.close()


@pytest.mark.asyncio
async def test_holder_backend_killed_mid_block_frees_the_lock(
    pg_dsn: str, namespace: str, admin: asyncpg.Connection
) -> None:
    manager = PostgresLockManager(pg_dsn, namespace=namespace)
    other = PostgresLockManager(pg_dsn, namespace=namespace)
    async with manager.locked("r", timeout=2):
        await admin.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_locks WHERE locktype = 'advisory'"
            " AND granted AND ((classid::bigint << 32) | objid::bigint) = $1",
            advisory_key(namespace, "r"),
        )
        await asyncio.sleep(0.2)
        async with other.locked("r", timeout=2):
            pass  # the session died, so PostgreSQL released its lock
    async with manager.locked("r", timeout=2):  # the broken connection was not reused
        pass
    await manager.close()
    await other.close()


def test_bad_configuration_is_refused() -> None:
    with pytest.raises(ConfigurationError):
        PostgresLockManager("")
    with pytest.raises(ConfigurationError):
        PostgresLockManager("postgresql://x", default_timeout=0)
