"""PostgresLockManager waiters wait inside the server (no polling) and are each served once.

A waiter's ``pg_advisory_lock`` blocks in PostgreSQL's lock manager, which grants it the
moment the holder unlocks: the test sees the waiter's ungranted lock in ``pg_locks`` and its
one lock statement, never a retry.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from uuid import uuid4

import asyncpg
import pytest
from roomkit_postgres import PostgresLockManager
from roomkit_postgres.locks import advisory_key


async def _until(condition: Callable[[], bool], what: str, bound: float = 60.0) -> None:
    deadline = time.monotonic() + bound
    while not condition():
        assert time.monotonic() < deadline, what
        await asyncio.sleep(0.01)


async def _waiting_backends(admin: asyncpg.Connection, key: int) -> int:
    unsigned = key & 0xFFFF_FFFF_FFFF_FFFF
    return int(
        await admin.fetchval(
            "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted"
            " AND classid = $1::oid AND objid = $2::oid AND objsubid = 1",
            unsigned >> 32,
            unsigned & 0xFFFF_FFFF,
        )
    )


@pytest.mark.asyncio
async def test_a_waiter_blocks_in_the_server_and_gets_the_lock_at_the_release(
    pg_dsn: str, admin: asyncpg.Connection
) -> None:
    namespace = f"test-{uuid4().hex}"
    holder = PostgresLockManager(pg_dsn, namespace=namespace)
    waiter = PostgresLockManager(pg_dsn, namespace=namespace)
    key = advisory_key(namespace, "r")
    try:
        async with holder.hold("r", timeout=10) as first:

            async def wait() -> int | None:
                async with waiter.hold("r", timeout=60) as second:
                    return second.fencing_token

            task = asyncio.create_task(wait())
            deadline = time.monotonic() + 60
            while await _waiting_backends(admin, key) != 1:
                assert time.monotonic() < deadline, "the waiter never queued in the server"
                await asyncio.sleep(0.01)
            await asyncio.sleep(0.3)  # a polling waiter would come and go meanwhile
            assert await _waiting_backends(admin, key) == 1  # still the same one wait
            assert not task.done()
        token = await asyncio.wait_for(task, 60)
    finally:
        await holder.close()
        await waiter.close()
    assert first.fencing_token is not None
    assert token is not None
    assert token > first.fencing_token


@pytest.mark.asyncio
async def test_many_waiters_in_several_processes_each_acquire_exactly_once(pg_dsn: str) -> None:
    namespace = f"test-{uuid4().hex}"
    managers = [PostgresLockManager(pg_dsn, namespace=namespace, max_size=4) for _ in range(3)]
    served: list[tuple[str, int]] = []
    inside = 0
    most_inside = 0

    async def work(manager: PostgresLockManager, name: str) -> None:
        nonlocal inside, most_inside
        async with manager.hold("r", timeout=120) as handle:
            inside += 1
            most_inside = max(most_inside, inside)
            assert handle.fencing_token is not None
            served.append((name, handle.fencing_token))
            await asyncio.sleep(0.02)
            inside -= 1

    try:
        await asyncio.wait_for(
            asyncio.gather(
                *(work(mgr, f"m{m}-t{t}") for m, mgr in enumerate(managers) for t in range(8))
            ),
            120,
        )
    finally:
        for manager in managers:
            await manager.close()
    assert sorted(name for name, _ in served) == sorted(
        f"m{m}-t{t}" for m in range(3) for t in range(8)
    )
    tokens = [token for _, token in served]
    assert tokens == sorted(tokens)
    assert len(set(tokens)) == len(tokens)
    assert most_inside == 1
