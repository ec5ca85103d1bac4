"""A bounded mapping whose entries expire: the shared piece of dedupe caches and indexes."""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Callable
from typing import Generic, TypeVar

__all__ = ["TTLCache"]

K = TypeVar("K")
V = TypeVar("V")


class TTLCache(Generic[K, V]):
    """At most ``max_entries`` entries, each kept ``ttl_seconds`` after it was last put.

    The oldest entries go first when the cache is full. ``clock`` (seconds, monotonic by
    default) is injectable so tests move time instead of sleeping. Not thread-safe: use it
    from one event loop.
    """

    def __init__(
        self,
        max_entries: int,
        ttl_seconds: float,
        *,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if max_entries < 1:
            raise ValueError(f"max_entries must be >= 1, got {max_entries}")
        if ttl_seconds <= 0:
            raise ValueError(f"ttl_seconds must be > 0, got {ttl_seconds}")
        self.max_entries = max_entries
        self.ttl_seconds = ttl_seconds
        self._clock = clock
        self._items: OrderedDict[K, tuple[float, V]] = OrderedDict()

    def __len__(self) -> int:
        return len(self._items)

    def __contains__(self, key: object) -> bool:
        return self.get(key) is not None  # type: ignore[arg-type]

    def get(self, key: K) -> V | None:
        """The live value of ``key``, else ``None`` (an expired entry is dropped)."""
        item = self._items.get(key)
        if item is None:
            return None
        expires, value = item
        if expires <= self._clock():
            del self._items[key]
            return None
        return value

    def put(self, key: K, value: V) -> None:
        """Store ``value`` under ``key`` for ``ttl_seconds`` from now."""
        now = self._clock()
        self._items[key] = (now + self.ttl_seconds, value)
        self._items.move_to_end(key)
        self._evict(now)

    def add(self, key: K, value: V) -> bool:
        """Store ``value`` unless a live entry exists; ``True`` when it was added."""
        if self.get(key) is not None:
            return False
        self.put(key, value)
        return True

    def live_keys(self) -> list[K]:
        """The live keys, oldest first."""
        now = self._clock()
        return [key for key, (expires, _) in self._items.items() if expires > now]

    def discard(self, key: K) -> None:
        """Forget ``key`` (no error when absent)."""
        self._items.pop(key, None)

    def _evict(self, now: float) -> None:
        items = self._items
        while len(items) > self.max_entries:
            items.popitem(last=False)
        while items:  # entries are in expiry order: drop the expired head
            key, (expires, _) = next(iter(items.items()))
            if expires > now:
                break
            del items[key]
