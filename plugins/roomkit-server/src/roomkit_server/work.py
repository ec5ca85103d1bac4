"""The bounded queue between answering a webhook and processing what it carried.

Requests are answered as soon as their items are queued; ``workers`` tasks hand each item to
the kit. The queue is bounded: :meth:`WorkQueue.offer` takes all of a request's items or none
(so a refused request can be retried whole by the vendor). Counters feed ``/healthz``.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field

from roomkit.errors import RoomKitError
from roomkit.messaging.webhook import WebhookItem

__all__ = ["Job", "WorkQueue", "WorkStats"]

logger = logging.getLogger("roomkit.server")

Processor = Callable[[str, WebhookItem], Awaitable[object]]


@dataclass(frozen=True, slots=True)
class Job:
    """One item to process for the route of ``channel_id``; ``key`` is its dedupe key."""

    channel_id: str
    item: WebhookItem
    key: str | None = None


@dataclass
class WorkStats:
    """Counters since the queue started."""

    processed: int = 0
    failed: int = 0
    dropped: int = 0
    failures: dict[str, int] = field(default_factory=dict)


class WorkQueue:
    """A bounded queue of :class:`Job` served by ``workers`` tasks calling ``process``.

    ``on_failure(job)`` is called when processing a job failed (the server forgets its dedupe
    key, so the vendor's next retry is accepted).
    """

    def __init__(
        self,
        process: Processor,
        *,
        capacity: int,
        workers: int,
        item_timeout: float,
        on_failure: Callable[[Job], None] | None = None,
    ) -> None:
        self._process = process
        self.capacity = capacity
        self._workers = workers
        self._item_timeout = item_timeout
        self._on_failure = on_failure
        self._queue: asyncio.Queue[Job] | None = None
        self._tasks: list[asyncio.Task[None]] = []
        self.stats = WorkStats()

    @property
    def running(self) -> bool:
        """Whether the workers are running."""
        return bool(self._tasks)

    @property
    def depth(self) -> int:
        """Jobs waiting (not counting the ones being processed)."""
        return self._queue.qsize() if self._queue is not None else 0

    @property
    def workers(self) -> int:
        """How many worker tasks run."""
        return len(self._tasks)

    def start(self) -> None:
        """Start the workers in the running event loop (idempotent)."""
        if self._tasks:
            return
        if self._queue is None:
            self._queue = asyncio.Queue(self.capacity)
        self._tasks = [
            asyncio.create_task(self._work(), name=f"roomkit-webhook-worker-{n}")
            for n in range(self._workers)
        ]

    def offer(self, jobs: Sequence[Job]) -> bool:
        """Queue every job, or none of them when they do not all fit (returns ``False``)."""
        queue = self._queue
        if queue is None:
            raise RuntimeError("the work queue is not started")
        if self.capacity - queue.qsize() < len(jobs):
            return False
        for job in jobs:
            queue.put_nowait(job)
        return True

    async def _work(self) -> None:
        queue = self._queue
        assert queue is not None
        while True:
            job = await queue.get()
            try:
                async with asyncio.timeout(self._item_timeout):
                    await self._process(job.channel_id, job.item)
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                self._failed(job, exc)
            else:
                self.stats.processed += 1
            finally:
                queue.task_done()

    def _failed(self, job: Job, exc: Exception) -> None:
        stats = self.stats
        stats.failed += 1
        kind = "timeout" if isinstance(exc, TimeoutError) else type(exc).__name__
        stats.failures[kind] = stats.failures.get(kind, 0) + 1
        # Typed RoomKit errors say what went wrong without echoing payloads; anything else is
        # logged by type only, since its message may quote the webhook's content.
        detail = str(exc)[:200] if isinstance(exc, RoomKitError) else "(details withheld)"
        logger.warning("webhook item for channel %s failed: %s: %s", job.channel_id, kind, detail)
        if self._on_failure is not None:
            self._on_failure(job)

    async def drain(self, timeout: float | None) -> bool:
        """Wait until every queued job is processed; ``False`` when ``timeout`` ran out."""
        queue = self._queue
        if queue is None or not self._tasks:
            return queue is None or queue.qsize() == 0
        try:
            async with asyncio.timeout(timeout):
                await queue.join()
        except TimeoutError:
            return False
        return True

    async def stop(self) -> None:
        """Cancel the workers; jobs still queued are counted as dropped."""
        tasks, self._tasks = self._tasks, []
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        queue = self._queue
        if queue is not None and queue.qsize():
            self.stats.dropped += queue.qsize()
            logger.warning("%d webhook items dropped at shutdown", queue.qsize())
            self._queue = asyncio.Queue(self.capacity)
