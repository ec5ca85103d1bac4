"""PostgresStore through the conformance suite, plus migrations and connection recovery."""

from __future__ import annotations

import asyncio

import asyncpg
import pytest
from roomkit_postgres import MIGRATIONS, PostgresStore
from roomkit_postgres.testing import StoreFixtures

from roomkit.errors import ConfigurationError, StoreError
from roomkit.models.content import TextContent
from roomkit.models.enums import ChannelType
from roomkit.models.event import EventSource, RoomEvent
from roomkit.models.room import Room
from roomkit_conformance.suites.store import ConversationStoreSuite


class TestPostgresStore(StoreFixtures, ConversationStoreSuite):
    capabilities = frozenset({"cross_process", "single_read", "fencing"})


def _event(room_id: str, body: str, key: str | None = None) -> RoomEvent:
    return RoomEvent(
        room_id=room_id,
        source=EventSource(channel_id="sms", channel_type=ChannelType.SMS, participant_id="u"),
        content=TextContent(body=body),
        idempotency_key=key,
    )


@pytest.mark.asyncio
async def test_migrations_are_recorded_and_idempotent(
    pg_dsn: str, pg_schema: str, admin: asyncpg.Connection
) -> None:
    stores = [PostgresStore(pg_dsn, schema=pg_schema) for _ in range(4)]
    await asyncio.gather(*(s.start() for s in stores))  # concurrent starts migrate once
    for store in stores:
        await store.close()
    again = PostgresStore(pg_dsn, schema=pg_schema)
    await again.start()
    await again.close()
    rows = await admin.fetch(
        f'SELECT version, name FROM "{pg_schema}".roomkit_schema_migrations ORDER BY version'
    )
    assert [(r["version"], r["name"]) for r in rows] == [(m.version, m.name) for m in MIGRATIONS]


@pytest.mark.asyncio
async def test_changed_migration_text_is_refused(
    pg_dsn: str, pg_schema: str, admin: asyncpg.Connection
) -> None:
    store = PostgresStore(pg_dsn, schema=pg_schema)
    await store.start()
    await store.close()
    await admin.execute(
        f"UPDATE \"{pg_schema}\".roomkit_schema_migrations SET checksum = 'x' WHERE version = 1"
    )
    store = PostgresStore(pg_dsn, schema=pg_schema)
    with pytest.raises(StoreError, match="different SQL"):
        await store.start()
    await store.close()


@pytest.mark.asyncio
async def test_migrate_false_leaves_the_schema_alone(
    pg_dsn: str, pg_schema: str, admin: asyncpg.Connection
) -> None:
    store = PostgresStore(pg_dsn, schema=pg_schema, migrate=False)
    await store.start()
    with pytest.raises(StoreError):
        await store.get_room("x")
    await store.close()
    assert not await admin.fetchval(
        "SELECT EXISTS (SELECT 1 FROM pg_namespace WHERE nspname = $1)", pg_schema
    )


@pytest.mark.asyncio
async def test_data_survives_a_new_pool(pg_dsn: str, pg_schema: str) -> None:
    store = PostgresStore(pg_dsn, schema=pg_schema)
    room = await store.create_room(Room())
    await store.add_event(_event(room.id, "a", key="k"))
    await store.close()
    store = PostgresStore(pg_dsn, schema=pg_schema)
    events = await store.list_events(room.id)
    assert [e.content.body for e in events] == ["a"]  # type: ignore[union-attr]
    loaded = await store.get_room(room.id)
    assert loaded is not None
    assert loaded.event_count == 1
    await store.close()


@pytest.mark.asyncio
async def test_terminated_backend_is_replaced_and_the_write_lands_once(
    pg_dsn: str, pg_schema: str, admin: asyncpg.Connection
) -> None:
    label = f"roomkit-{pg_schema}"  # only this test's connections are terminated
    store = PostgresStore(pg_dsn, schema=pg_schema, min_size=2, max_size=2, application_name=label)
    room = await store.create_room(Room())
    await store.add_event(_event(room.id, "before"))
    killed = await admin.fetchval(
        "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE application_name = $1",
        label,
    )
    assert killed >= 1
    stored = await store.add_event(_event(room.id, "after", key="k-after"))
    assert stored.index == 1
    again = await store.add_event(_event(room.id, "after", key="k-after"))
    assert again.id == stored.id
    assert [e.index for e in await store.list_events(room.id)] == [0, 1]
    await store.close()


@pytest.mark.asyncio
async def test_retry_of_a_committed_event_returns_it(pg_dsn: str, pg_schema: str) -> None:
    store = PostgresStore(pg_dsn, schema=pg_schema)
    room = await store.create_room(Room())
    event = _event(room.id, "once")
    await store.add_event(event)
    with pytest.raises(StoreError, match="already stored"):
        await store.add_event(event)  # a plain second insert is a caller bug

    pool = await store._get_pool()
    async with pool.acquire() as conn:  # the path a retry after a lost connection takes
        again = await store._insert_event(conn, event, True)
    assert again.id == event.id
    assert await store.count_events(room.id) == 1
    await store.close()


@pytest.mark.asyncio
async def test_unreachable_server_raises_store_error() -> None:
    store = PostgresStore("postgresql://postgres:secret@127.0.0.1:1/x", connect_timeout=2)
    with pytest.raises(StoreError) as info:
        await store.get_room("x")
    assert "secret" not in str(info.value)
    await store.close()


def test_bad_configuration_is_refused() -> None:
    with pytest.raises(ConfigurationError):
        PostgresStore("postgresql://x", schema="Robert'); DROP TABLE students;--")
    with pytest.raises(StoreError):
        PostgresStore("")


@pytest.mark.asyncio
async def test_bad_pool_sizes_are_refused(pg_dsn: str, pg_schema: str) -> None:
    store = PostgresStore(pg_dsn, schema=pg_schema, min_size=5, max_size=2)
    with pytest.raises(ConfigurationError):
        await store.start()
    await store.close()


@pytest.mark.asyncio
async def test_reads_use_indexes(pg_dsn: str, pg_schema: str, admin: asyncpg.Connection) -> None:
    store = PostgresStore(pg_dsn, schema=pg_schema)
    await store.start()
    await store.close()
    await admin.execute(f'SET search_path TO "{pg_schema}"')
    await admin.execute("SET enable_seqscan = off")
    plans = {
        "events": "EXPLAIN SELECT data FROM events WHERE room_id = 'r' AND idx > 5 ORDER BY idx",
        "key": "EXPLAIN SELECT data FROM events WHERE room_id = 'r' AND idempotency_key = 'k'",
        "senders": "EXPLAIN SELECT room_id FROM senders WHERE channel_id = 'c'"
        " AND participant_id = 'p'",
        "participant": "EXPLAIN SELECT data FROM participants WHERE room_id = 'r' AND id = 'p'",
        "members": "EXPLAIN SELECT data FROM participants WHERE room_id = 'r' ORDER BY seq",
        "unread": "EXPLAIN SELECT last_read_index FROM read_markers WHERE room_id = 'r'"
        " AND channel_id = 'c'",
    }
    for name, sql in plans.items():
        plan = "\n".join(r[0] for r in await admin.fetch(sql))
        assert "Index" in plan, f"{name}: {plan}"


@pytest.mark.asyncio
async def test_a_schema_at_version_2_is_upgraded_with_its_data(
    pg_dsn: str, pg_schema: str, admin: asyncpg.Connection
) -> None:
    """Migration 3 turns jsonb data into json text; rows written before it still read."""
    await admin.execute(f'CREATE SCHEMA "{pg_schema}"')
    await admin.execute(f'SET search_path TO "{pg_schema}"')
    await admin.execute(
        "CREATE TABLE roomkit_schema_migrations (version integer PRIMARY KEY, name text NOT NULL,"
        " checksum text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())"
    )
    for migration in MIGRATIONS[:2]:
        await admin.execute(migration.sql)
        await admin.execute(
            "INSERT INTO roomkit_schema_migrations (version, name, checksum) VALUES ($1, $2, $3)",
            migration.version,
            migration.name,
            migration.checksum,
        )
    old = Room(id="old-room", metadata={"plan": "gold", "n": 2})
    await admin.execute(
        "INSERT INTO rooms (id, status, created_at, last_activity_at, data)"
        " VALUES ($1, 'active', now(), now(), $2::jsonb)",
        old.id,
        old.model_dump_json(),
    )
    await admin.execute("RESET search_path")
    store = PostgresStore(pg_dsn, schema=pg_schema)
    try:
        loaded = await store.get_room(old.id)
        assert loaded is not None
        assert loaded.metadata == {"plan": "gold", "n": 2}
        event = await store.add_event(_event(old.id, "after the upgrade"))
        await store.mark_read(old.id, "ws", event.id)
        assert await store.get_unread_count(old.id, "ws") == 0
        kind = await admin.fetchval(
            "SELECT data_type FROM information_schema.columns"
            " WHERE table_schema = $1 AND table_name = 'events' AND column_name = 'data'",
            pg_schema,
        )
        assert kind == "json"
    finally:
        await store.close()


@pytest.mark.asyncio
async def test_a_pool_handed_in_is_used_and_left_open(pg_dsn: str, pg_schema: str) -> None:
    pool = await asyncpg.create_pool(
        pg_dsn, min_size=1, max_size=2, server_settings={"search_path": f'"{pg_schema}"'}
    )
    try:
        store = PostgresStore(None, pool, schema=pg_schema)
        await store.init()
        room = await store.create_room(Room())
        assert (await store.add_event(_event(room.id, "via the pool"))).index == 0
        await store.close()
        assert await pool.fetchval("SELECT count(*) FROM events") == 1  # still open
    finally:
        await pool.close()
