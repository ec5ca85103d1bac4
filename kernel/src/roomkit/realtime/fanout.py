"""Local delivery of ephemeral events to subscriber callbacks, for realtime backends.

A :class:`Fanout` holds the subscriptions of one backend instance. Each subscription has its
own bounded queue and worker task, so:

* :meth:`Fanout.deliver` never waits: it puts the event on every subscriber's queue and
  returns;
* a slow callback only delays its own events, and order is kept per subscription;
* a raising callback is logged and skipped, and it keeps receiving later events;
* a full queue drops its oldest event (ephemeral events lose value with age); the drops are
  counted in :attr:`Fanout.dropped`.

Backends that carry events between processes (Redis, PostgreSQL, ...) receive them from
their transport and hand them to :meth:`Fanout.deliver`; the in-process backend delivers
what is published directly.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from dataclasses import dataclass

from roomkit.models._ids import new_id
from roomkit.models.event import EphemeralEvent
from roomkit.realtime.base import EphemeralCallback

__all__ = ["Fanout"]


@dataclass(slots=True)
class _Subscription:
    channel: str
    callback: EphemeralCallback
    queue: asyncio.Queue[EphemeralEvent]
    task: asyncio.Task[None] | None = None
    dropped: int = 0


class Fanout:
    """Subscriptions of one realtime backend, keyed by id and grouped by channel.

    Args:
        max_queue: events each subscription may have waiting; at least 1.
        log: where failing callbacks (and, with ``warn_drops``, slow subscribers) are logged.
        warn_drops: log a warning on a subscription's first dropped event and every 1000th.

    Raises:
        ValueError: ``max_queue`` is below 1.
    """

    def __init__(self, *, max_queue: int, log: logging.Logger, warn_drops: bool = True) -> None:
        if max_queue < 1:
            raise ValueError("max_queue must be at least 1")
        self.max_queue = max_queue
        #: Events dropped so far because a subscriber's queue was full (all subscriptions).
        self.dropped = 0
        self._log = log
        self._warn_drops = warn_drops
        self._subs: dict[str, _Subscription] = {}
        self._by_channel: dict[str, dict[str, _Subscription]] = {}

    def channels(self) -> list[str]:
        """Channels that have at least one subscriber."""
        return list(self._by_channel)

    def has(self, channel: str) -> bool:
        """Whether ``channel`` has subscribers here."""
        return channel in self._by_channel

    def count(self, channel: str | None = None) -> int:
        """Active subscriptions (of one channel, when given)."""
        if channel is None:
            return len(self._subs)
        return len(self._by_channel.get(channel, {}))

    def add(self, channel: str, callback: EphemeralCallback) -> str:
        """Register ``callback`` for ``channel`` and start its worker; returns the id.

        Must be called with an event loop running.
        """
        sub_id = new_id()
        sub = _Subscription(channel, callback, asyncio.Queue(self.max_queue))
        sub.task = asyncio.get_running_loop().create_task(
            self._pump(sub), name=f"roomkit-realtime-{sub_id[:8]}"
        )
        self._subs[sub_id] = sub
        self._by_channel.setdefault(channel, {})[sub_id] = sub
        return sub_id

    def remove(self, sub_id: str) -> str | None:
        """Drop a subscription and cancel its worker without waiting for it to end.

        Returns the subscription's channel, or ``None`` when the id is unknown.
        """
        sub = self._detach(sub_id)
        if sub is None:
            return None
        if sub.task is not None:
            sub.task.cancel()
        return sub.channel

    async def discard(self, sub_id: str) -> str | None:
        """Like :meth:`remove`, but wait until the subscription's worker has stopped."""
        sub = self._detach(sub_id)
        if sub is None:
            return None
        await _stop(sub)
        return sub.channel

    def _detach(self, sub_id: str) -> _Subscription | None:
        sub = self._subs.pop(sub_id, None)
        if sub is None:
            return None
        group = self._by_channel.get(sub.channel)
        if group is not None:
            group.pop(sub_id, None)
            if not group:
                del self._by_channel[sub.channel]
        return sub

    def deliver(self, channel: str, event: EphemeralEvent) -> None:
        """Queue ``event`` for every subscriber of ``channel`` (never blocks)."""
        for sub in tuple(self._by_channel.get(channel, {}).values()):
            queue = sub.queue
            if queue.full():
                queue.get_nowait()
                queue.task_done()
                sub.dropped += 1
                self.dropped += 1
                if self._warn_drops and (sub.dropped == 1 or sub.dropped % 1000 == 0):
                    self._log.warning(
                        "subscriber of %s is too slow: dropped %d events", channel, sub.dropped
                    )
            queue.put_nowait(event)

    async def _pump(self, sub: _Subscription) -> None:
        while True:
            event = await sub.queue.get()
            try:
                await sub.callback(event)
            except Exception:
                self._log.exception("ephemeral event callback for %s failed", sub.channel)
            finally:
                sub.queue.task_done()

    async def flush(self, timeout: float | None = 5.0) -> None:
        """Wait until every event delivered so far has been through its callbacks.

        Raises:
            TimeoutError: some subscriber still had events after ``timeout`` seconds.
        """
        async with asyncio.timeout(timeout):
            for sub in tuple(self._subs.values()):
                await sub.queue.join()

    async def close(self) -> None:
        """Drop every subscription and wait for the workers to stop."""
        subs = list(self._subs.values())
        self._subs.clear()
        self._by_channel.clear()
        for sub in subs:
            if sub.task is not None:
                sub.task.cancel()
        for sub in subs:
            await _stop(sub)


async def _stop(sub: _Subscription) -> None:
    if sub.task is not None:
        sub.task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await sub.task
