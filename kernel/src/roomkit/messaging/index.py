"""Where a messaging channel remembers what it sent and which email thread belongs to which room.

A delivery receipt names only the vendor's message id; an email reply names only the
``Message-ID`` it answers. A :class:`MessageIndex` maps such keys to a :class:`MessageRef`
(room, event, channel), so the receipt updates the right event's delivery record and the reply
lands in the right room.

:class:`InMemoryMessageIndex` (the default) is bounded and forgets entries after a while; it
lives in one process. Deployments with several processes give their channels an index backed
by a shared service (a plugin implements the two methods of :class:`MessageIndex`).
"""

from __future__ import annotations

import time
from abc import ABC, abstractmethod
from collections.abc import Callable
from typing import Any

from pydantic import Field

from roomkit.deferred import DeferredModel
from roomkit.messaging.ttl import TTLCache

__all__ = ["InMemoryMessageIndex", "MessageIndex", "MessageRef"]


class MessageRef(DeferredModel):
    """What a key points at: the room, the event and the channel a message belongs to.

    ``part`` / ``parts`` say which piece of a split message this is (1-based).
    """

    room_id: str
    event_id: str | None = None
    channel_id: str
    part: int = Field(default=1, ge=1)
    parts: int = Field(default=1, ge=1)
    data: dict[str, Any] = Field(default_factory=dict)


class MessageIndex(ABC):
    """A key -> :class:`MessageRef` table (keys are opaque strings chosen by the channel)."""

    @abstractmethod
    async def put(self, key: str, ref: MessageRef) -> None:
        """Remember ``ref`` under ``key`` (replacing an earlier one)."""

    @abstractmethod
    async def get(self, key: str) -> MessageRef | None:
        """The reference stored under ``key``, or ``None``."""

    async def close(self) -> None:  # noqa: B027 - optional hook
        """Release connections."""


class InMemoryMessageIndex(MessageIndex):
    """An in-process index: at most ``max_entries`` keys, each kept ``ttl_seconds``
    (7 days by default: receipts and replies usually come within hours)."""

    def __init__(
        self,
        max_entries: int = 100_000,
        ttl_seconds: float = 7 * 24 * 3600,
        *,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._cache: TTLCache[str, MessageRef] = TTLCache(max_entries, ttl_seconds, clock=clock)

    def __len__(self) -> int:
        return len(self._cache)

    def keys(self, prefix: str = "") -> list[str]:
        """The live keys starting with ``prefix``, oldest first (for tests and diagnostics)."""
        return [key for key in self._cache.live_keys() if key.startswith(prefix)]

    async def put(self, key: str, ref: MessageRef) -> None:
        self._cache.put(key, ref)

    async def get(self, key: str) -> MessageRef | None:
        return self._cache.get(key)
