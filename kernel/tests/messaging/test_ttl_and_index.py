"""The bounded expiring cache and the in-memory message index built on it."""

from __future__ import annotations

import pytest

from roomkit.messaging.index import InMemoryMessageIndex, MessageRef
from roomkit.messaging.ttl import TTLCache


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_entries_expire() -> None:
    clock = Clock()
    cache: TTLCache[str, int] = TTLCache(10, 5.0, clock=clock)
    cache.put("a", 1)
    clock.now += 4.9
    assert cache.get("a") == 1
    clock.now += 0.2
    assert cache.get("a") is None
    assert len(cache) == 0


def test_bounded_oldest_first() -> None:
    cache: TTLCache[int, int] = TTLCache(3, 60.0, clock=Clock())
    for n in range(5):
        cache.put(n, n)
    assert len(cache) == 3
    assert cache.get(0) is None
    assert cache.get(1) is None
    assert cache.get(4) == 4


def test_add_only_when_absent_and_put_refreshes() -> None:
    clock = Clock()
    cache: TTLCache[str, int] = TTLCache(2, 10.0, clock=clock)
    assert cache.add("k", 1)
    assert not cache.add("k", 2)
    assert cache.get("k") == 1
    clock.now += 11
    assert cache.add("k", 3)  # expired: added again
    cache.put("x", 0)
    cache.put("k", 4)  # refreshed: "x" is now the oldest
    cache.put("y", 5)
    assert "x" not in cache
    assert "k" in cache
    cache.discard("k")
    cache.discard("never")
    assert "k" not in cache


def test_expired_heads_are_dropped_on_put() -> None:
    clock = Clock()
    cache: TTLCache[int, int] = TTLCache(100, 1.0, clock=clock)
    for n in range(50):
        cache.put(n, n)
    clock.now += 2
    cache.put(99, 99)
    assert len(cache) == 1


def test_invalid_bounds() -> None:
    with pytest.raises(ValueError, match="max_entries"):
        TTLCache(0, 1.0)
    with pytest.raises(ValueError, match="ttl_seconds"):
        TTLCache(1, 0)


async def test_in_memory_index() -> None:
    clock = Clock()
    index = InMemoryMessageIndex(max_entries=2, ttl_seconds=60, clock=clock)
    ref = MessageRef(room_id="r", event_id="e", channel_id="c", part=2, parts=3)
    await index.put("sent:1", ref)
    assert await index.get("sent:1") == ref
    assert await index.get("sent:2") is None
    clock.now += 61
    assert await index.get("sent:1") is None
    await index.close()
