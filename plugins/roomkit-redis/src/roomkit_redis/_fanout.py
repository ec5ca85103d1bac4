"""Local delivery of received ephemeral events to subscriber callbacks.

Each subscription has its own bounded queue and worker task: a slow callback only delays its
own events, a raising callback is logged and skipped, and order is kept per subscription.
When a queue is full the oldest event is dropped (ephemeral events lose value with age).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from dataclasses import dataclass, field
from uuid import uuid4

from roomkit.models.event import EphemeralEvent
from roomkit.realtime.base import EphemeralCallback

__all__ = ["Fanout"]


@dataclass(slots=True)
class _Subscription:
    channel: str
    callback: EphemeralCallback
    queue: asyncio.Queue[EphemeralEvent]
    task: asyncio.Task[None] | None = None
    dropped: int = field(default=0)


class Fanout:
    """Subscriptions of one backend instance, keyed by id and grouped by channel."""

    def __init__(self, *, max_queue: int, log: logging.Logger) -> None:
        if max_queue < 1:
            raise ValueError("max_queue must be at least 1")
        self._max_queue = max_queue
        self._log = log
        self._subs: dict[str, _Subscription] = {}
        self._by_channel: dict[str, dict[str, _Subscription]] = {}

    def channels(self) -> list[str]:
        """Channels that have at least one subscriber."""
        return list(self._by_channel)

    def has(self, channel: str) -> bool:
        """Whether ``channel`` has subscribers here."""
        return channel in self._by_channel

    def add(self, channel: str, callback: EphemeralCallback) -> str:
        """Register a callback; returns the subscription id."""
        sub_id = uuid4().hex
        sub = _Subscription(channel, callback, asyncio.Queue(self._max_queue))
        sub.task = asyncio.create_task(self._pump(sub), name=f"roomkit-realtime-{sub_id[:8]}")
        self._subs[sub_id] = sub
        self._by_channel.setdefault(channel, {})[sub_id] = sub
        return sub_id

    def remove(self, sub_id: str) -> str | None:
        """Drop a subscription; returns its channel, or ``None`` when the id is unknown."""
        sub = self._subs.pop(sub_id, None)
        if sub is None:
            return None
        group = self._by_channel.get(sub.channel, {})
        group.pop(sub_id, None)
        if not group:
            self._by_channel.pop(sub.channel, None)
        if sub.task is not None:
            sub.task.cancel()
        return sub.channel

    def deliver(self, channel: str, event: EphemeralEvent) -> None:
        """Queue ``event`` for every subscriber of ``channel`` (never blocks)."""
        for sub in tuple(self._by_channel.get(channel, {}).values()):
            if sub.queue.full():
                sub.queue.get_nowait()
                sub.dropped += 1
                if sub.dropped == 1 or sub.dropped % 1000 == 0:
                    self._log.warning(
                        "subscriber of %s is too slow: dropped %d events", channel, sub.dropped
                    )
            sub.queue.put_nowait(event)

    async def _pump(self, sub: _Subscription) -> None:
        while True:
            event = await sub.queue.get()
            try:
                await sub.callback(event)
            except Exception:
                self._log.exception("ephemeral event callback for %s failed", sub.channel)

    async def close(self) -> None:
        """Cancel every subscription's worker."""
        tasks = [s.task for s in self._subs.values() if s.task is not None]
        self._subs.clear()
        self._by_channel.clear()
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
