"""Fixtures: the local PostgreSQL server (skip or, under CI, fail when it is down)."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from uuid import uuid4

import asyncpg
import pytest
from roomkit_postgres.testing import drop_schema, dsn_for_tests


@pytest.fixture(scope="session")
def pg_dsn() -> str:
    """The DSN of a reachable server."""
    dsn = dsn_for_tests()

    async def probe() -> None:
        conn = await asyncpg.connect(dsn, timeout=3)
        await conn.close()

    import asyncio

    try:
        asyncio.run(probe())
    except (OSError, asyncpg.PostgresError, TimeoutError) as exc:
        reason = f"PostgreSQL is not reachable at {dsn}: {exc}"
        if os.environ.get("CI") == "true":
            pytest.fail(reason)
        pytest.skip(reason)
    return dsn


@pytest.fixture
async def pg_schema(pg_dsn: str) -> AsyncIterator[str]:
    """A schema name unique to this test, dropped afterwards."""
    schema = f"rk_test_{uuid4().hex[:12]}"
    yield schema
    await drop_schema(pg_dsn, schema)


@pytest.fixture
async def admin(pg_dsn: str) -> AsyncIterator[asyncpg.Connection]:
    """A plain connection for checks and for terminating backends."""
    conn = await asyncpg.connect(pg_dsn, timeout=5)
    yield conn
    await conn.close()
