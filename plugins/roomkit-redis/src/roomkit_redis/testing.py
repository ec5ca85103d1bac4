"""Test fixtures for ``roomkit conformance`` and for this plugin's own tests.

The descriptors' ``conformance`` references point at the fixture classes below; the runner
mixes each into the matching suite. Every test works under its own key prefix and deletes its
keys afterwards. The server is taken from ``ROOMKIT_REDIS_URL`` (default: the local server);
when it is unreachable the tests skip, or fail under ``CI=true``.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Awaitable, Callable
from urllib.parse import urlsplit
from uuid import uuid4

import pytest
import pytest_asyncio
import redis.asyncio as aioredis
from redis.exceptions import RedisError

from roomkit.core.locks import RoomLockHandle
from roomkit_conformance.wire import TcpRelay, silent_server, tcp_relay
from roomkit_redis.locks import RedisLockManager
from roomkit_redis.realtime import RedisRealtime

__all__ = [
    "LockManagerFixtures",
    "RealtimeFixtures",
    "delete_prefix",
    "require_server",
    "url_for_tests",
]


def url_for_tests() -> str:
    """The server used for tests."""
    return os.environ.get("ROOMKIT_REDIS_URL", "redis://127.0.0.1:6379/0")


async def require_server() -> str:
    """The test URL; skips the test (fails it under ``CI=true``) when Redis is down."""
    url = url_for_tests()
    client = aioredis.Redis.from_url(url, socket_timeout=3, socket_connect_timeout=3)
    try:
        await client.ping()
    except (RedisError, OSError) as exc:
        reason = f"Redis is not reachable at {url}: {exc}"
        if os.environ.get("CI") == "true":
            pytest.fail(reason)
        pytest.skip(reason)
    finally:
        await client.aclose()
    return url


async def delete_prefix(url: str, prefix: str) -> int:
    """Delete every key starting with ``prefix``; returns how many."""
    client = aioredis.Redis.from_url(url, socket_timeout=5)
    try:
        keys = [key async for key in client.scan_iter(match=f"{prefix}*", count=500)]
        return int(await client.delete(*keys)) if keys else 0
    finally:
        await client.aclose()


class LockManagerFixtures:
    """``component`` / ``second_component`` / ``abandon`` / ``lose`` for the lock-manager suite.

    The managers' own lease (5 s) leaves a loaded machine seconds of slack for renewals; the
    abandoned holder's lease is 1 s.
    """

    lease_seconds = 1.0
    abandoned_lock_lasts = 1.0

    @pytest_asyncio.fixture
    async def component(self) -> AsyncIterator[RedisLockManager]:
        url = await require_server()
        prefix = f"rk-test-{uuid4().hex}:"
        manager = RedisLockManager(url, prefix=prefix, lease=5.0)
        yield manager
        await manager.close()
        await delete_prefix(url, prefix)

    @pytest_asyncio.fixture
    async def second_component(
        self, component: RedisLockManager
    ) -> AsyncIterator[RedisLockManager]:
        manager = RedisLockManager(component.url, prefix=component.prefix, lease=5.0)
        yield manager
        await manager.close()

    @pytest_asyncio.fixture
    async def relayed_component(
        self, component: RedisLockManager
    ) -> AsyncIterator[tuple[RedisLockManager, TcpRelay]]:
        parts = urlsplit(component.url)
        async with tcp_relay(parts.hostname or "127.0.0.1", parts.port or 6379) as relay:
            userinfo = parts.netloc.rpartition("@")[0]
            netloc = f"{userinfo}@127.0.0.1:{relay.port}" if userinfo else f"127.0.0.1:{relay.port}"
            url = parts._replace(netloc=netloc).geturl()
            manager = RedisLockManager(url, prefix=component.prefix, lease=5.0)
            yield manager, relay
            await manager.close()

    @pytest_asyncio.fixture
    async def unreachable_component(self) -> AsyncIterator[RedisLockManager]:
        manager = RedisLockManager("redis://:secret@127.0.0.1:1/0")  # nothing listens on port 1
        yield manager
        await manager.close()

    @pytest_asyncio.fixture
    async def stalled_component(self) -> AsyncIterator[RedisLockManager]:
        async with silent_server() as (host, port):
            manager = RedisLockManager(
                f"redis://{host}:{port}/0", socket_timeout=30, connect_timeout=30
            )
            yield manager
            await manager.close()

    @pytest_asyncio.fixture
    async def abandon(
        self, component: RedisLockManager
    ) -> AsyncIterator[Callable[[RedisLockManager, str], Awaitable[None]]]:
        """A holder that died: its value sits in Redis with a 1 s lease nobody renews."""
        client = aioredis.Redis.from_url(component.url, socket_timeout=5)

        async def run(manager: RedisLockManager, room_id: str) -> None:
            await client.set(manager.key(room_id), "dead-holder", nx=True, px=1000)

        yield run
        await client.aclose()

    @pytest_asyncio.fixture
    async def lose(
        self, component: RedisLockManager
    ) -> AsyncIterator[Callable[[RedisLockManager, RoomLockHandle], Awaitable[None]]]:
        """The lease vanishes behind the holder's back (as when it expired unrenewed)."""
        client = aioredis.Redis.from_url(component.url, socket_timeout=5)

        async def run(manager: RedisLockManager, handle: RoomLockHandle) -> None:
            assert await client.delete(manager.key(handle.room_id)) == 1

        yield run
        await client.aclose()


class RealtimeFixtures:
    """``component`` / ``second_component`` for the realtime suite (one prefix, two readers)."""

    @pytest_asyncio.fixture
    async def component(self) -> AsyncIterator[RedisRealtime]:
        url = await require_server()
        backend = RedisRealtime(url, prefix=f"rk-test-{uuid4().hex}:rt:")
        yield backend
        await backend.close()

    @pytest_asyncio.fixture
    async def second_component(self, component: RedisRealtime) -> AsyncIterator[RedisRealtime]:
        backend = RedisRealtime(component.url, prefix=component.prefix)
        yield backend
        await backend.close()
