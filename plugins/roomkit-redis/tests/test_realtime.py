"""RedisRealtime through the conformance suite, plus limits and reconnection."""

from __future__ import annotations

import asyncio
import time
from uuid import uuid4

import pytest
import redis.asyncio as aioredis
from roomkit_redis import RedisRealtime
from roomkit_redis.testing import RealtimeFixtures

from roomkit.errors import ConfigurationError, PayloadTooLargeError, StoreError
from roomkit.models.enums import EphemeralEventType
from roomkit.models.event import EphemeralEvent
from roomkit_conformance.suites.realtime import Collector, RealtimeBackendSuite


class TestRedisRealtime(RealtimeFixtures, RealtimeBackendSuite):
    capabilities = frozenset({"cross_process"})


def _event(text: str) -> EphemeralEvent:
    return EphemeralEvent(room_id="r", type=EphemeralEventType.CUSTOM, data={"text": text})


@pytest.mark.asyncio
async def test_subscriber_connection_is_re_established(
    redis_url: str, prefix: str, raw: aioredis.Redis
) -> None:
    name = f"rk-test-{uuid4().hex[:12]}"
    backend = RedisRealtime(redis_url, prefix=prefix, client_name=name)
    got = Collector()
    await backend.subscribe("room:r", got)
    await backend.publish("room:r", _event("before"))
    await got.wait_for(1)
    # Only this backend's subscriber: the server is shared with other tests and processes.
    subscribers = [c for c in await raw.client_list(_type="pubsub") if c.get("name") == name]
    assert len(subscribers) == 1
    assert await raw.client_kill_filter(_id=subscribers[0]["id"]) == 1
    deadline = time.monotonic() + 60
    while not any(e.data["text"] == "after" for e in got.events):
        assert time.monotonic() < deadline, "never received an event after reconnecting"
        await backend.publish("room:r", _event("after"))  # lost while no one is subscribed
        await asyncio.sleep(0.1)
    assert backend.reconnects >= 1
    await backend.close()


@pytest.mark.asyncio
async def test_malformed_messages_are_ignored(
    redis_url: str, prefix: str, raw: aioredis.Redis
) -> None:
    backend = RedisRealtime(redis_url, prefix=prefix)
    got = Collector()
    await backend.subscribe("room:m", got)
    await raw.publish(backend.redis_channel("room:m"), b"\xff not json")
    await backend.publish("room:m", _event("fine"))
    assert [e.data["text"] for e in await got.wait_for(1)] == ["fine"]
    await backend.close()


@pytest.mark.asyncio
async def test_oversized_event_is_refused(redis_url: str, prefix: str) -> None:
    backend = RedisRealtime(redis_url, prefix=prefix, max_event_bytes=100)
    with pytest.raises(PayloadTooLargeError):
        await backend.publish("room:x", _event("y" * 500))
    await backend.close()


@pytest.mark.asyncio
async def test_slow_subscriber_queue_is_bounded(redis_url: str, prefix: str) -> None:
    backend = RedisRealtime(redis_url, prefix=prefix, max_queue=5)
    gate = asyncio.Event()
    seen: list[int] = []

    async def slow(event: EphemeralEvent) -> None:
        await gate.wait()
        seen.append(event.data["n"])

    fast = Collector()
    await backend.subscribe("room:q", slow)
    await backend.subscribe("room:q", fast)
    for n in range(50):
        await backend.publish(
            "room:q", EphemeralEvent(room_id="r", type=EphemeralEventType.CUSTOM, data={"n": n})
        )
    await fast.wait_for(50)
    gate.set()
    deadline = time.monotonic() + 30
    while 49 not in seen:  # the newest event always gets through
        assert time.monotonic() < deadline, f"the slow subscriber only got {seen}"
        await asyncio.sleep(0.02)
    assert len(seen) <= 6  # the one being handled plus a full queue; the oldest were dropped
    await backend.close()


@pytest.mark.asyncio
async def test_unreachable_server_raises_store_error() -> None:
    backend = RedisRealtime("redis://127.0.0.1:1/0", socket_timeout=0.5)
    with pytest.raises(StoreError):
        await backend.publish("room:x", _event("x"))
    await backend.close()


@pytest.mark.asyncio
async def test_closed_backend_refuses_calls(redis_url: str, prefix: str) -> None:
    backend = RedisRealtime(redis_url, prefix=prefix)
    await backend.close()
    with pytest.raises(StoreError, match="closed"):
        await backend.publish("room:x", _event("x"))


def test_bad_configuration_is_refused() -> None:
    with pytest.raises(ConfigurationError):
        RedisRealtime("")
    with pytest.raises(ConfigurationError):
        RedisRealtime("redis://x", max_queue=0)
