"""Pooled connections the store keeps checked out between two of its calls.

Taking a connection from an asyncpg pool and giving it back costs more client CPU than the
statement it runs for the store's short calls: the release runs in a task of its own
(``asyncio.shield``), which costs event-loop iterations, and each acquire and release creates
a proxy and a future and re-arms an inactivity timer. A message makes two or three store calls
one after the other, so :class:`Leases` keeps the connection a successful call ran on and the
next call takes it without touching the pool.

A connection is kept only while the pool could still hand out another one at once (an idle
connection, or room to open one): whoever else waits on the pool is never made to wait for a
kept connection. Kept connections go back to the pool once the store made no call for
``idle`` seconds (one timer for the whole idle period, not one per call), when
:meth:`Leases.drain` is called (on close, and after a lost connection, when the pool renews its
connections), and a connection a call failed on is given back to the pool (which resets it)
instead of being kept.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from typing import Any

import asyncpg  # type: ignore[import-untyped]

__all__ = ["Leases"]

log = logging.getLogger("roomkit_postgres")


class Leases:
    """Up to ``keep`` connections of ``pool`` kept between calls (see the module docstring)."""

    __slots__ = (
        "_closed",
        "_free",
        "_idle",
        "_keep",
        "_pool",
        "_queue",
        "_releasing",
        "_timer",
        "_used",
    )

    def __init__(self, pool: asyncpg.Pool, *, keep: int = 2, idle: float = 1.0) -> None:
        self._pool = pool
        self._free: list[Any] = []
        self._keep = keep
        self._idle = idle
        self._timer: asyncio.TimerHandle | None = None
        self._used = 0.0
        self._releasing: set[asyncio.Task[None]] = set()
        self._closed = False
        # asyncpg's queue of holders not checked out: empty exactly when an acquire would wait.
        # Asking it costs O(1), where the public get_idle_size() / get_size() walk every
        # holder; without it (another asyncpg) those are asked.
        queue = getattr(pool, "_queue", None)
        self._queue: asyncio.Queue[Any] | None = queue if isinstance(queue, asyncio.Queue) else None

    def __len__(self) -> int:
        return len(self._free)

    def take(self) -> Any | None:
        """A kept connection (removed from the kept ones), or ``None``."""
        free = self._free
        while free:
            conn = free.pop()
            if not conn.is_closed():
                return conn
            self._release_later(conn)
        return None

    def give(self, conn: Any) -> bool:
        """Keep ``conn`` (after a successful call); ``False``: the caller gives it back to the
        pool."""
        if len(self._free) >= self._keep or self._closed or conn.is_in_transaction():
            return False
        queue = self._queue
        if queue is not None:
            if queue.empty():
                return False
        else:
            pool = self._pool
            if not (pool.get_idle_size() or pool.get_size() < pool.get_max_size()):
                return False
        self._free.append(conn)
        self._used = time.monotonic()
        if self._timer is None:
            self._timer = asyncio.get_running_loop().call_later(self._idle, self._check_idle)
        return True

    def _check_idle(self) -> None:
        wait = self._used + self._idle - time.monotonic()
        if wait > 0 and self._free:
            self._timer = asyncio.get_running_loop().call_later(wait, self._check_idle)
            return
        self._timer = None
        free, self._free = self._free, []
        for conn in free:
            self._release_later(conn)

    def _release_later(self, conn: Any) -> None:
        task = asyncio.get_running_loop().create_task(self._release(conn))
        self._releasing.add(task)
        task.add_done_callback(self._releasing.discard)

    async def _release(self, conn: Any) -> None:
        try:
            await self._pool.release(conn)
        except Exception as exc:  # the pool terminates a connection it cannot reset
            log.debug("releasing a kept PostgreSQL connection failed: %s", exc)

    async def drain(self) -> None:
        """Give every kept connection back to the pool (and wait for those under way)."""
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        free, self._free = self._free, []
        for conn in free:
            await self._release(conn)
        if self._releasing:
            with contextlib.suppress(Exception):
                await asyncio.gather(*self._releasing, return_exceptions=True)

    async def close(self) -> None:
        """:meth:`drain`, and keep nothing from now on."""
        self._closed = True
        await self.drain()
