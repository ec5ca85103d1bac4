"""PostgresLockManager through the conformance suite, plus pool, keys, fencing and failures."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from urllib.parse import urlsplit
from uuid import uuid4

import asyncpg
import pytest
from roomkit_postgres import PostgresLockManager
from roomkit_postgres.config import PostgresLockManagerConfig
from roomkit_postgres.locks import FENCE_SEQUENCE, advisory_key
from roomkit_postgres.testing import LockManagerFixtures, terminate_lock_holder

from roomkit.errors import (
    ConfigurationError,
    LockBackendError,
    RoomLockLostError,
    RoomLockTimeoutError,
)
from roomkit_conformance.suites.lock_manager import RoomLockManagerSuite
from roomkit_conformance.wire import tcp_relay


@pytest.fixture
def namespace() -> str:
    return f"test-{uuid4().hex}"


class TestPostgresLockManager(LockManagerFixtures, RoomLockManagerSuite):
    capabilities = frozenset(
        {"cross_process", "network_backend", "lease_expiry", "fencing", "backend_outage"}
    )


async def _wait_until(condition: Callable[[], bool], what: str, bound: float = 60) -> None:
    deadline = time.monotonic() + bound
    while not condition():
        assert time.monotonic() < deadline, what
        await asyncio.sleep(0.02)


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
async def test_holder_backend_killed_mid_block_frees_the_lock(pg_dsn: str, namespace: str) -> None:
    manager = PostgresLockManager(pg_dsn, namespace=namespace)
    other = PostgresLockManager(pg_dsn, namespace=namespace)
    async with manager.locked("r", timeout=2):
        assert await terminate_lock_holder(pg_dsn, namespace, "r") == 1
        async with other.locked("r", timeout=30):
            pass  # the session died, so PostgreSQL released its lock
    async with manager.locked("r", timeout=2):  # the broken connection was not reused
        pass
    await manager.close()
    await other.close()


@pytest.mark.asyncio
async def test_the_holder_is_told_when_its_session_is_terminated(
    pg_dsn: str, namespace: str, caplog: pytest.LogCaptureFixture
) -> None:
    manager = PostgresLockManager(pg_dsn, namespace=namespace)
    other = PostgresLockManager(pg_dsn, namespace=namespace)
    async with manager.hold("r", timeout=5) as handle:
        assert await handle.still_held()
        assert await terminate_lock_holder(pg_dsn, namespace, "r") == 1
        # the driver sees the connection close and marks the handle, without being asked
        await _wait_until(lambda: handle.lost, "the holder was never told")
        assert "session ended" in (handle.lost_reason or "")
        with pytest.raises(RoomLockLostError):
            await handle.ensure_held()
        async with other.hold("r", timeout=30) as newer:
            assert newer.fencing_token > handle.fencing_token  # type: ignore[operator]
    # leaving the block raised nothing although the connection was dead
    assert manager.lost_locks == 1
    assert "lost while held" in caplog.text
    await manager.close()
    await other.close()


@pytest.mark.asyncio
async def test_fencing_tokens_come_from_one_sequence(
    pg_dsn: str, namespace: str, admin: asyncpg.Connection
) -> None:
    manager = PostgresLockManager(pg_dsn, namespace=namespace)
    tokens = []
    for room in ("a", "b", "a"):
        async with manager.hold(room, timeout=5) as handle:
            tokens.append(handle.fencing_token)
    assert tokens == sorted(tokens)
    assert len(set(tokens)) == 3
    assert await admin.fetchval(f"SELECT last_value FROM public.{FENCE_SEQUENCE}") >= tokens[-1]
    await manager.close()


@pytest.mark.asyncio
async def test_a_waiter_whose_session_is_terminated_gets_a_typed_error(
    pg_dsn: str, namespace: str, admin: asyncpg.Connection
) -> None:
    holder = PostgresLockManager(pg_dsn, namespace=namespace)
    waiter = PostgresLockManager(pg_dsn, namespace=namespace)
    query = (
        "SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND NOT granted"
        " AND ((classid::bigint << 32) | objid::bigint) = $1"
    )
    async with holder.locked("r", timeout=5):
        waiting = asyncio.create_task(waiter.locked("r", timeout=60).__aenter__())
        deadline = time.monotonic() + 60
        while (pid := await admin.fetchval(query, advisory_key(namespace, "r"))) is None:
            assert time.monotonic() < deadline, "the waiter never queued for the lock"
            await asyncio.sleep(0.02)
        assert await admin.fetchval("SELECT pg_terminate_backend($1, 30000)", pid)
        with pytest.raises(LockBackendError, match="PostgreSQL failed while locking room 'r'"):
            await waiting
    async with waiter.locked("r", timeout=5):  # and the waiter's manager still works
        pass
    await holder.close()
    await waiter.close()


@pytest.mark.asyncio
async def test_the_backend_error_never_shows_the_password() -> None:
    manager = PostgresLockManager("postgresql://postgres:secret@127.0.0.1:1/test")
    with pytest.raises(LockBackendError, match="cannot connect to PostgreSQL") as caught:
        async with manager.locked("r"):
            pytest.fail("locked without a server")
    assert "secret" not in str(caught.value)
    await manager.close()


@pytest.mark.asyncio
async def test_a_closed_manager_refuses_with_a_typed_error(pg_dsn: str, namespace: str) -> None:
    manager = PostgresLockManager(pg_dsn, namespace=namespace)
    await manager.close()
    with pytest.raises(LockBackendError, match="closed"):
        async with manager.locked("r", timeout=1):
            pytest.fail("locked after close")


def test_config_builds_the_same_manager() -> None:
    config = PostgresLockManagerConfig.model_validate(
        {"dsn": "postgresql://u:pw@db/app", "schema": "locks", "command_timeout": 2}
    )
    manager = PostgresLockManager.from_config(config)
    assert manager.schema == "locks"
    assert manager.command_timeout == 2
    assert "pw" not in repr(config)


def test_bad_configuration_is_refused() -> None:
    with pytest.raises(ConfigurationError):
        PostgresLockManager("")
    with pytest.raises(ConfigurationError):
        PostgresLockManager("postgresql://x", default_timeout=0)
    with pytest.raises(ConfigurationError):
        PostgresLockManager("postgresql://x", command_timeout=0)
    with pytest.raises(ConfigurationError):
        PostgresLockManager("postgresql://x", schema="Not A Schema")


@pytest.mark.asyncio
async def test_a_lock_held_through_a_database_outage_does_not_block_the_room(
    pg_dsn: str, namespace: str
) -> None:
    """The holder's connection to PostgreSQL dies while it holds a room (a relay in front of
    the shared server is cut): the server drops the advisory lock with the session, so the
    room is free for another process at once, under a greater token; the holder learns it
    lost the lock, leaving its block neither raises nor waits, locking fails fast while the
    database is unreachable, and works again once it is back."""
    parts = urlsplit(pg_dsn)
    async with tcp_relay(parts.hostname or "127.0.0.1", parts.port or 5432) as relay:
        user = parts.netloc.rpartition("@")[0]
        relayed = parts._replace(netloc=f"{user}@127.0.0.1:{relay.port}").geturl()
        holder = PostgresLockManager(relayed, namespace=namespace, command_timeout=2)
        other = PostgresLockManager(pg_dsn, namespace=namespace)
        room = f"outage-{uuid4().hex}"
        try:
            async with holder.hold(room, timeout=10) as handle:
                first = handle.fencing_token
                assert first is not None
                await relay.cut()
                async with other.hold(room, timeout=30) as newer:  # no lease to wait for
                    second = newer.fencing_token
                    assert second is not None
                    assert second > first
                assert not await handle.still_held()
                assert handle.lost
                started = time.monotonic()
                with pytest.raises(LockBackendError):
                    async with holder.locked(f"{room}-other", timeout=60):
                        pytest.fail("locked while the database is unreachable")
                assert time.monotonic() - started < 30, "waited for the lock timeout"
                with pytest.raises(RoomLockTimeoutError):  # this process's queue: bounded
                    async with holder.locked(room, timeout=0.2):
                        pytest.fail("locked a room this process holds")
                left = time.monotonic()
            assert time.monotonic() - left < holder.command_timeout + 5
            assert holder._local_users == {}
            assert holder.lost_locks == 1
            await relay.restore()
            async with holder.hold(room, timeout=30) as again:
                assert again.fencing_token is not None
                assert again.fencing_token > second
                assert await again.still_held()
        finally:
            await holder.close()
            await other.close()
