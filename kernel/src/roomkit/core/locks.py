"""Per-room locking: the contract and the in-process implementation."""

from __future__ import annotations

import asyncio
from abc import ABC, abstractmethod
from contextlib import AbstractAsyncContextManager

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
    """One ``asyncio.Lock`` per room, dropped again when nobody holds or waits for it.

    The context manager is a small class rather than a generator: it sits on the path of every
    message, and a plain ``__aenter__`` / ``__aexit__`` pair costs a fraction of a generator.
    """

    def __init__(self) -> None:
        self._locks: dict[str, asyncio.Lock] = {}
        self._users: dict[str, int] = {}

    def locked(
        self, room_id: str, timeout: float | None = None
    ) -> AbstractAsyncContextManager[None]:
        return _Hold(self, room_id, timeout)

    def _release_user(self, room_id: str) -> None:
        remaining = self._users[room_id] - 1
        if remaining:
            self._users[room_id] = remaining
        else:
            del self._users[room_id]
            del self._locks[room_id]


class _Hold:
    __slots__ = ("_lock", "_manager", "_room_id", "_timeout")

    def __init__(self, manager: InMemoryLockManager, room_id: str, timeout: float | None) -> None:
        self._manager = manager
        self._room_id = room_id
        self._timeout = timeout
        self._lock: asyncio.Lock | None = None

    async def __aenter__(self) -> None:
        manager = self._manager
        room_id = self._room_id
        lock = manager._locks.get(room_id)
        if lock is None:
            lock = manager._locks[room_id] = asyncio.Lock()
        manager._users[room_id] = manager._users.get(room_id, 0) + 1
        try:
            if self._timeout is None:
                await lock.acquire()
            else:
                try:
                    async with asyncio.timeout(self._timeout):
                        await lock.acquire()
                except TimeoutError:
                    raise RoomLockTimeoutError(
                        f"room {room_id!r} stayed locked for more than {self._timeout}s"
                    ) from None
        except BaseException:
            manager._release_user(room_id)
            raise
        self._lock = lock

    async def __aexit__(self, *exc_info: object) -> None:
        lock = self._lock
        if lock is not None:
            self._lock = None
            lock.release()
            self._manager._release_user(self._room_id)
