"""Per-room locking: the contract and the in-process implementation."""

from __future__ import annotations

import asyncio
from abc import ABC, abstractmethod
from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager

from roomkit.errors import RoomLockTimeoutError

__all__ = ["InMemoryLockManager", "RoomLockManager"]


class RoomLockManager(ABC):
    """Serialises work on one room. Different rooms never wait for each other.

    ``locked(room_id, timeout)`` is an async context manager; when the lock cannot be had in
    ``timeout`` seconds it raises :class:`roomkit.errors.RoomLockTimeoutError`. The lock is
    released when the block exits, also on error or cancellation.
    """

    @abstractmethod
    def locked(
        self, room_id: str, timeout: float | None = None
    ) -> AbstractAsyncContextManager[None]:
        """Hold the lock of ``room_id`` for the duration of the ``async with`` block."""

    async def close(self) -> None:  # noqa: B027 - optional hook
        """Release connections."""


class InMemoryLockManager(RoomLockManager):
    """One ``asyncio.Lock`` per room, dropped again when nobody holds or waits for it."""

    def __init__(self) -> None:
        self._locks: dict[str, asyncio.Lock] = {}
        self._users: dict[str, int] = {}

    @asynccontextmanager
    async def _hold(self, room_id: str, timeout: float | None) -> AsyncIterator[None]:
        lock = self._locks.get(room_id)
        if lock is None:
            lock = self._locks[room_id] = asyncio.Lock()
        self._users[room_id] = self._users.get(room_id, 0) + 1
        try:
            if timeout is None:
                await lock.acquire()
            else:
                try:
                    await asyncio.wait_for(lock.acquire(), timeout)
                except TimeoutError:
                    raise RoomLockTimeoutError(
                        f"room {room_id!r} stayed locked for more than {timeout}s"
                    ) from None
            try:
                yield
            finally:
                lock.release()
        finally:
            remaining = self._users[room_id] - 1
            if remaining:
                self._users[room_id] = remaining
            else:
                del self._users[room_id]
                del self._locks[room_id]

    def locked(
        self, room_id: str, timeout: float | None = None
    ) -> AbstractAsyncContextManager[None]:
        return self._hold(room_id, timeout)
