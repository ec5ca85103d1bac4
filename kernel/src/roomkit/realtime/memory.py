"""The in-process realtime backend: one bounded queue and one worker task per subscriber.

``publish`` never waits for subscribers: it puts the event on each subscriber's queue and
returns. Each subscriber's worker calls its callback in publication order, so a slow or
failing callback delays or affects only itself. A full queue (``max_queue`` events) drops the
subscriber's oldest event - ephemeral events are worth less the older they get - and counts it
in :attr:`InMemoryRealtime.dropped`.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from dataclasses import dataclass

from roomkit.core._construct import fast_id
from roomkit.models.event import EphemeralEvent
from roomkit.realtime.base import EphemeralCallback, RealtimeBackend

__all__ = ["InMemoryRealtime"]

logger = logging.getLogger("roomkit.realtime")


@dataclass(slots=True)
class _Subscription:
    channel: str
    callback: EphemeralCallback
    queue: asyncio.Queue[EphemeralEvent]
    worker: asyncio.Task[None] | None = None


class InMemoryRealtime(RealtimeBackend):
    """Fan-out of ephemeral events inside one process (the default backend)."""

    def __init__(self, *, max_queue: int = 1000) -> None:
        if max_queue < 1:
            raise ValueError("max_queue must be at least 1")
        self.max_queue = max_queue
        self.dropped = 0
        self._subs: dict[str, _Subscription] = {}
        self._by_channel: dict[str, dict[str, _Subscription]] = {}

    async def publish(self, channel: str, event: EphemeralEvent) -> None:
        for sub in list(self._by_channel.get(channel, {}).values()):
            queue = sub.queue
            if queue.full():
                queue.get_nowait()
                queue.task_done()
                self.dropped += 1
            queue.put_nowait(event)

    async def subscribe(self, channel: str, callback: EphemeralCallback) -> str:
        if not callable(callback):
            raise TypeError("callback must be an async callable taking an EphemeralEvent")
        sub_id = fast_id()
        sub = _Subscription(channel, callback, asyncio.Queue(self.max_queue))
        sub.worker = asyncio.get_running_loop().create_task(self._run(sub))
        self._subs[sub_id] = sub
        self._by_channel.setdefault(channel, {})[sub_id] = sub
        return sub_id

    async def _run(self, sub: _Subscription) -> None:
        while True:
            event = await sub.queue.get()
            try:
                await sub.callback(event)
            except Exception:
                logger.exception("realtime subscriber of %s failed", sub.channel)
            finally:
                sub.queue.task_done()

    async def unsubscribe(self, subscription_id: str) -> bool:
        sub = self._subs.pop(subscription_id, None)
        if sub is None:
            return False
        subs = self._by_channel.get(sub.channel)
        if subs is not None:
            subs.pop(subscription_id, None)
            if not subs:
                del self._by_channel[sub.channel]
        await self._stop(sub)
        return True

    @staticmethod
    async def _stop(sub: _Subscription) -> None:
        if sub.worker is not None:
            sub.worker.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await sub.worker

    async def flush(self, timeout: float | None = 5.0) -> None:
        """Wait until every event published so far has reached its callbacks."""
        async with asyncio.timeout(timeout):
            for sub in list(self._subs.values()):
                await sub.queue.join()

    def subscriber_count(self, channel: str | None = None) -> int:
        """Active subscriptions (of one channel, when given)."""
        if channel is None:
            return len(self._subs)
        return len(self._by_channel.get(channel, {}))

    async def close(self) -> None:
        """Stop every subscription."""
        subs = list(self._subs.values())
        self._subs.clear()
        self._by_channel.clear()
        for sub in subs:
            await self._stop(sub)
