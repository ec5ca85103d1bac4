"""Test fixtures for ``roomkit conformance`` and for this plugin's own tests.

The descriptors' ``conformance`` references point at the fixture classes below; the runner
mixes each into the matching suite. Every test gets its own schema (dropped afterwards) or
lock namespace. The server is taken from ``ROOMKIT_POSTGRES_DSN`` (default: the local ``test``
database); when it is unreachable the tests skip, or fail under ``CI=true``.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any
from urllib.parse import urlsplit
from uuid import uuid4

import asyncpg  # type: ignore[import-untyped]
import pytest
import pytest_asyncio

from roomkit.core.locks import RoomLockHandle
from roomkit_conformance.wire import TcpRelay, silent_server, tcp_relay
from roomkit_postgres.locks import PostgresLockManager, advisory_key
from roomkit_postgres.migrations import quote_schema
from roomkit_postgres.realtime import PostgresRealtime
from roomkit_postgres.store import PostgresStore

__all__ = [
    "LockManagerFixtures",
    "RealtimeFixtures",
    "StoreFixtures",
    "drop_schema",
    "dsn_for_tests",
    "require_server",
    "terminate_lock_holder",
]


def dsn_for_tests() -> str:
    """The server used for tests."""
    return os.environ.get("ROOMKIT_POSTGRES_DSN", "postgresql://postgres@127.0.0.1:5432/test")


async def require_server() -> str:
    """The test DSN; skips the test (fails it under ``CI=true``) when the server is down."""
    dsn = dsn_for_tests()
    try:
        conn = await asyncpg.connect(dsn, timeout=3)
        await conn.close()
    except (OSError, asyncpg.PostgresError, TimeoutError) as exc:
        reason = f"PostgreSQL is not reachable at {dsn}: {exc}"
        if os.environ.get("CI") == "true":
            pytest.fail(reason)
        pytest.skip(reason)
    return dsn


async def drop_schema(dsn: str, schema: str) -> None:
    """Remove a test schema and everything in it."""
    conn = await asyncpg.connect(dsn, timeout=10)
    try:
        await conn.execute(f"DROP SCHEMA IF EXISTS {quote_schema(schema)} CASCADE")
    finally:
        await conn.close()


class StoreFixtures:
    """``component`` / ``second_component`` for the store suite (two pools, one schema)."""

    @pytest_asyncio.fixture
    async def component(self) -> AsyncIterator[PostgresStore]:
        dsn = await require_server()
        store = PostgresStore(dsn, schema=f"rk_conf_{uuid4().hex[:12]}", max_size=5)
        yield store
        await store.close()
        await drop_schema(dsn, store.schema)

    @pytest_asyncio.fixture
    async def second_component(self, component: PostgresStore) -> AsyncIterator[PostgresStore]:
        store = PostgresStore(component.dsn, schema=component.schema, max_size=5)
        yield store
        await store.close()


async def terminate_lock_holder(dsn: str, namespace: str, room_id: str) -> int:
    """End the database session holding the advisory lock of ``room_id`` and wait until it is
    gone; returns how many sessions were ended."""
    admin = await asyncpg.connect(dsn, timeout=10)
    try:
        return int(
            await admin.fetchval(
                "SELECT count(*) FILTER (WHERE pg_terminate_backend(pid, 30000)) FROM pg_locks"
                " WHERE locktype = 'advisory' AND granted AND objsubid = 1"
                " AND ((classid::bigint << 32) | objid::bigint) = $1",
                advisory_key(namespace, room_id),
            )
        )
    finally:
        await admin.close()


class LockManagerFixtures:
    """``component`` / ``second_component`` / ``abandon`` / ``lose`` for the lock-manager
    suite."""

    lease_seconds = 2.0
    abandoned_lock_lasts = 0.5

    @pytest_asyncio.fixture
    async def component(self) -> AsyncIterator[PostgresLockManager]:
        dsn = await require_server()
        manager = PostgresLockManager(dsn, namespace=f"conf-{uuid4().hex}", max_size=25)
        yield manager
        await manager.close()

    @pytest_asyncio.fixture
    async def second_component(
        self, component: PostgresLockManager
    ) -> AsyncIterator[PostgresLockManager]:
        manager = PostgresLockManager(component.dsn, namespace=component.namespace, max_size=25)
        yield manager
        await manager.close()

    @pytest_asyncio.fixture
    async def relayed_component(
        self, component: PostgresLockManager
    ) -> AsyncIterator[tuple[PostgresLockManager, TcpRelay]]:
        parts = urlsplit(component.dsn)
        async with tcp_relay(parts.hostname or "127.0.0.1", parts.port or 5432) as relay:
            userinfo = parts.netloc.rpartition("@")[0]
            netloc = f"{userinfo}@127.0.0.1:{relay.port}" if userinfo else f"127.0.0.1:{relay.port}"
            url = parts._replace(netloc=netloc).geturl()
            manager = PostgresLockManager(url, namespace=component.namespace, command_timeout=2)
            yield manager, relay
            await manager.close()

    @pytest_asyncio.fixture
    async def unreachable_component(self) -> AsyncIterator[PostgresLockManager]:
        # nothing listens on port 1
        manager = PostgresLockManager("postgresql://postgres:secret@127.0.0.1:1/test")
        yield manager
        await manager.close()

    @pytest_asyncio.fixture
    async def stalled_component(self) -> AsyncIterator[PostgresLockManager]:
        async with silent_server() as (host, port):
            manager = PostgresLockManager(
                f"postgresql://postgres@{host}:{port}/test",
                connect_timeout=30,
                command_timeout=30,
            )
            yield manager
            await manager.close()

    @pytest_asyncio.fixture
    async def abandon(
        self, component: PostgresLockManager
    ) -> AsyncIterator[Callable[[PostgresLockManager, str], Awaitable[None]]]:
        """Another session takes the lock; half a second later its backend is terminated."""
        sessions: list[Any] = []
        tasks: list[asyncio.Task[None]] = []

        async def run(manager: PostgresLockManager, room_id: str) -> None:
            holder = await asyncpg.connect(manager.dsn, timeout=5)
            sessions.append(holder)
            key = advisory_key(manager.namespace, room_id)
            await holder.execute("SELECT pg_advisory_lock($1)", key)
            pid = holder.get_server_pid()

            async def die() -> None:
                await asyncio.sleep(0.5)
                admin = await asyncpg.connect(manager.dsn, timeout=5)
                try:
                    await admin.execute("SELECT pg_terminate_backend($1)", pid)
                finally:
                    await admin.close()

            tasks.append(asyncio.get_running_loop().create_task(die()))

        yield run
        await asyncio.gather(*tasks, return_exceptions=True)
        for session in sessions:
            session.terminate()

    @pytest.fixture
    def lose(self) -> Callable[[PostgresLockManager, RoomLockHandle], Awaitable[None]]:
        """The holder's database session is terminated (``pg_terminate_backend``)."""

        async def run(manager: PostgresLockManager, handle: RoomLockHandle) -> None:
            ended = await terminate_lock_holder(manager.dsn, manager.namespace, handle.room_id)
            assert ended == 1

        return run


class RealtimeFixtures:
    """``component`` / ``second_component`` for the realtime suite (one schema, two listeners)."""

    @pytest_asyncio.fixture
    async def component(self) -> AsyncIterator[PostgresRealtime]:
        dsn = await require_server()
        schema = f"rk_conf_{uuid4().hex[:12]}"
        backend = PostgresRealtime(dsn, schema=schema, namespace=schema)
        yield backend
        await backend.close()
        await drop_schema(dsn, schema)

    @pytest_asyncio.fixture
    async def second_component(
        self, component: PostgresRealtime
    ) -> AsyncIterator[PostgresRealtime]:
        backend = PostgresRealtime(
            component.dsn, schema=component.schema, namespace=component.namespace
        )
        yield backend
        await backend.close()
