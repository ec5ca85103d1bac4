"""Connections the store keeps between calls (``_leases``): never one another user of the pool
needs, given back when idle, on close, and after a failed call."""

from __future__ import annotations

import asyncio

import asyncpg
import pytest
from roomkit_postgres import PostgresStore
from roomkit_postgres._leases import Leases

from roomkit.errors import StoreError
from roomkit.models.room import Room


async def _pool(dsn: str, schema: str, size: int) -> asyncpg.Pool:
    return await asyncpg.create_pool(
        dsn, min_size=size, max_size=size, server_settings={"search_path": f'"{schema}"'}
    )


@pytest.mark.asyncio
async def test_the_last_free_connection_of_a_pool_is_never_kept(
    pg_dsn: str, pg_schema: str
) -> None:
    pool = await _pool(pg_dsn, pg_schema, 1)
    try:
        store = PostgresStore(None, pool, schema=pg_schema)
        await store.create_room(Room(id="r"))
        assert await store.get_room("r") is not None
        # the pool's only connection went back: another user takes it at once
        async with pool.acquire(timeout=0.5) as conn:  # kept, it would stay out for 1 s
            assert await conn.fetchval("SELECT count(*) FROM rooms") == 1
        await store.close()
    finally:
        await pool.close()


@pytest.mark.asyncio
async def test_a_kept_connection_is_reused_and_given_back(pg_dsn: str, pg_schema: str) -> None:
    pool = await _pool(pg_dsn, pg_schema, 2)
    try:
        store = PostgresStore(None, pool, schema=pg_schema)
        await store.create_room(Room(id="r"))
        assert pool.get_idle_size() == 1  # one kept by the store, one free
        pids = {await store._run("pid", lambda c, _: c.fetchval("SELECT pg_backend_pid()"))}
        pids.add(await store._run("pid", lambda c, _: c.fetchval("SELECT pg_backend_pid()")))
        assert len(pids) == 1  # the same connection both times
        await store.close()
        assert pool.get_idle_size() == 2  # closing gave it back
    finally:
        await pool.close()


@pytest.mark.asyncio
async def test_kept_connections_go_back_after_idle_and_a_failed_call(
    pg_dsn: str, pg_schema: str
) -> None:
    pool = await _pool(pg_dsn, pg_schema, 2)
    try:
        leases = Leases(pool, idle=0.05)
        conn = await pool.acquire()
        assert leases.give(conn)
        assert pool.get_idle_size() == 1
        await asyncio.sleep(0.5)  # well past the idle period: released by its timer
        assert len(leases) == 0
        assert pool.get_idle_size() == 2

        store = PostgresStore(None, pool, schema=pg_schema)
        await store.start()
        with pytest.raises(StoreError):
            await store._run("bad", lambda c, _: c.fetchval("SELECT * FROM no_such_table"))
        assert pool.get_idle_size() == 2  # a connection a call failed on is not kept
        await store.close()
        await leases.close()
    finally:
        await pool.close()
