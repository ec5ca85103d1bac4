"""PostgresRealtime through the conformance suite, plus payload limits and reconnection."""

from __future__ import annotations

import asyncio
import time

import asyncpg
import pytest
from roomkit_postgres import PostgresRealtime
from roomkit_postgres.realtime import NOTIFY_LIMIT
from roomkit_postgres.testing import RealtimeFixtures

from roomkit.errors import ConfigurationError, PayloadTooLargeError
from roomkit.models.enums import EphemeralEventType
from roomkit.models.event import EphemeralEvent
from roomkit_conformance.suites.realtime import Collector, RealtimeBackendSuite


class TestPostgresRealtime(RealtimeFixtures, RealtimeBackendSuite):
    capabilities = frozenset({"cross_process"})


def _event(text: str) -> EphemeralEvent:
    return EphemeralEvent(room_id="r", type=EphemeralEventType.CUSTOM, data={"text": text})


@pytest.mark.asyncio
async def test_events_larger_than_a_notify_payload_arrive_in_order(
    pg_dsn: str, pg_schema: str
) -> None:
    sender = PostgresRealtime(pg_dsn, schema=pg_schema, namespace=pg_schema)
    receiver = PostgresRealtime(pg_dsn, schema=pg_schema, namespace=pg_schema)
    got = Collector()
    await receiver.subscribe("room:big", got)
    big = "x" * (NOTIFY_LIMIT * 3)
    await sender.publish("room:big", _event("small-1"))
    await sender.publish("room:big", _event(big))
    await sender.publish("room:big", _event("small-2"))
    events = await got.wait_for(3)
    assert [e.data["text"] for e in events] == ["small-1", big, "small-2"]
    await sender.close()
    await receiver.close()


@pytest.mark.asyncio
async def test_oversized_event_is_refused(pg_dsn: str, pg_schema: str) -> None:
    backend = PostgresRealtime(pg_dsn, schema=pg_schema, max_event_bytes=1000)
    with pytest.raises(PayloadTooLargeError):
        await backend.publish("room:x", _event("y" * 2000))
    await backend.close()


@pytest.mark.asyncio
async def test_listener_reconnects_after_its_backend_is_terminated(
    pg_dsn: str, pg_schema: str, admin: asyncpg.Connection
) -> None:
    backend = PostgresRealtime(pg_dsn, schema=pg_schema, namespace=pg_schema)
    got = Collector()
    await backend.subscribe("room:r", got)
    await backend.publish("room:r", _event("before"))
    await got.wait_for(1)
    listener_pid = backend._listener.get_server_pid()  # this backend's LISTEN session only
    assert await admin.fetchval("SELECT pg_terminate_backend($1)", listener_pid)
    deadline = time.monotonic() + 60  # a bound for a loaded machine, not an expectation
    while not any(e.data["text"] == "after" for e in got.events):
        assert time.monotonic() < deadline, "the LISTEN connection was never re-established"
        await backend.publish("room:r", _event("after"))  # lost until LISTEN is back
        await asyncio.sleep(0.1)
    await backend.close()


@pytest.mark.asyncio
async def test_malformed_notifications_are_ignored(
    pg_dsn: str, pg_schema: str, admin: asyncpg.Connection
) -> None:
    backend = PostgresRealtime(pg_dsn, schema=pg_schema, namespace=pg_schema)
    got = Collector()
    await backend.subscribe("room:m", got)
    pg = backend.pg_channel("room:m")
    await admin.execute("SELECT pg_notify($1, $2)", pg, "not json")
    await admin.execute("SELECT pg_notify($1, $2)", pg, '{"c": "room:m", "e": "{}"}')
    await backend.publish("room:m", _event("fine"))
    assert [e.data["text"] for e in await got.wait_for(1)] == ["fine"]
    await backend.close()


def test_channel_names_are_identifier_safe() -> None:
    backend = PostgresRealtime("postgresql://x", namespace="n")
    name = backend.pg_channel("room:" + "é" * 500)
    assert name.startswith("rk_")
    assert len(name) < 63
    assert name.isascii()


def test_bad_configuration_is_refused() -> None:
    with pytest.raises(ConfigurationError):
        PostgresRealtime("")
    with pytest.raises(ConfigurationError):
        PostgresRealtime("postgresql://x", max_queue=0)
    with pytest.raises(ConfigurationError):
        PostgresRealtime("postgresql://x", schema="Bad-Name")
