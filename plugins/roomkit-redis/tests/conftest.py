"""Fixtures: the local Redis server (skip or, under CI, fail when it is down)."""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator
from uuid import uuid4

import pytest
import redis.asyncio as aioredis
from redis.exceptions import RedisError
from roomkit_redis.testing import delete_prefix, url_for_tests


@pytest.fixture(scope="session")
def redis_url() -> str:
    """The URL of a reachable server."""
    url = url_for_tests()

    async def probe() -> None:
        client = aioredis.Redis.from_url(url, socket_timeout=3, socket_connect_timeout=3)
        try:
            await client.ping()
        finally:
            await client.aclose()

    try:
        asyncio.run(probe())
    except (RedisError, OSError) as exc:
        reason = f"Redis is not reachable at {url}: {exc}"
        if os.environ.get("CI") == "true":
            pytest.fail(reason)
        pytest.skip(reason)
    return url


@pytest.fixture
async def prefix(redis_url: str) -> AsyncIterator[str]:
    """A key prefix unique to this test; its keys are deleted afterwards."""
    value = f"rk-test-{uuid4().hex}:"
    yield value
    await delete_prefix(redis_url, value)


@pytest.fixture
async def raw(redis_url: str) -> AsyncIterator[aioredis.Redis]:
    """A plain client for checks and fault injection."""
    client = aioredis.Redis.from_url(redis_url, socket_timeout=5)
    yield client
    await client.aclose()
