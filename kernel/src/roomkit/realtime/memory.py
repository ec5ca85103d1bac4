"""The in-process realtime backend: one bounded queue and one worker task per subscriber.

``publish`` never waits for subscribers: it puts the event on each subscriber's queue and
returns. Each subscriber's worker calls its callback in publication order, so a slow or
failing callback delays or affects only itself. A full queue (``max_queue_size`` events) drops the
subscriber's oldest event - ephemeral events are worth less the older they get - and counts it
in :attr:`InMemoryRealtime.dropped`. The queues and workers are a
:class:`~roomkit.realtime.fanout.Fanout`.
"""

from __future__ import annotations

import logging

from roomkit.errors import ConfigurationError
from roomkit.models.event import EphemeralEvent
from roomkit.realtime.base import EphemeralCallback, RealtimeBackend
from roomkit.realtime.fanout import Fanout

__all__ = ["InMemoryRealtime"]

logger = logging.getLogger("roomkit.realtime")

DEFAULT_MAX_QUEUE_SIZE = 1000


class InMemoryRealtime(RealtimeBackend):
    """Fan-out of ephemeral events inside one process (the default backend)."""

    def __init__(self, max_queue_size: int | None = None, *, max_queue: int | None = None) -> None:
        """``max_queue_size`` bounds each subscriber's queue (default 1000); ``max_queue`` is
        the same setting under the name the Redis and PostgreSQL backends use."""
        if max_queue_size is not None and max_queue is not None and max_queue != max_queue_size:
            raise ConfigurationError(
                "give max_queue_size or max_queue, not both with different values"
            )
        if max_queue_size is None:
            max_queue_size = DEFAULT_MAX_QUEUE_SIZE if max_queue is None else max_queue
        self._fanout = Fanout(max_queue=max_queue_size, log=logger, warn_drops=False)
        self.max_queue_size = max_queue_size

    @property
    def max_queue(self) -> int:
        """Same as :attr:`max_queue_size`."""
        return self.max_queue_size

    @property
    def dropped(self) -> int:
        """Events dropped so far because a subscriber's queue was full."""
        return self._fanout.dropped

    async def publish(self, channel: str, event: EphemeralEvent) -> None:
        self._fanout.deliver(channel, event)

    async def subscribe(self, channel: str, callback: EphemeralCallback) -> str:
        if not callable(callback):
            raise TypeError("callback must be an async callable taking an EphemeralEvent")
        return self._fanout.add(channel, callback)

    async def unsubscribe(self, subscription_id: str) -> bool:
        return await self._fanout.discard(subscription_id) is not None

    async def flush(self, timeout: float | None = 5.0) -> None:
        """Wait until every event published so far has reached its callbacks."""
        await self._fanout.flush(timeout)

    def subscriber_count(self, channel: str | None = None) -> int:
        """Active subscriptions (of one channel, when given)."""
        return self._fanout.count(channel)

    @property
    def subscription_count(self) -> int:
        """Active subscriptions on every channel."""
        return self._fanout.count(None)

    async def close(self) -> None:
        """Stop every subscription."""
        await self._fanout.close()
