"""Per-room locking: the contract, the in-process implementation, and the engine's room lock.

:func:`room_lock` is how the engine takes a room's lock: re-entrant per task, so a hook or
channel that posts into the room it is already handling does not wait for itself.
"""

from __future__ import annotations

import asyncio
import time
from abc import ABC, abstractmethod
from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Any

from roomkit.errors import ConfigurationError, RoomLockTimeoutError

__all__ = [
    "HELD_ROOMS",
    "InMemoryLockManager",
    "RoomLockManager",
    "SharedRoomLockManager",
    "lock_timeout_error",
    "room_lock",
]


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

    @property
    def size(self) -> int:
        """How many rooms have a lock now (held or waited for; idle locks are dropped)."""
        return len(self._locks)

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
                    raise lock_timeout_error(room_id, self._timeout) from None
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


def lock_timeout_error(room_id: str, timeout: float) -> RoomLockTimeoutError:
    """The error for a room lock that could not be had within ``timeout`` seconds."""
    return RoomLockTimeoutError(f"room {room_id!r} stayed locked for more than {timeout}s")


class SharedRoomLockManager(RoomLockManager):
    """Base for lock managers whose locks live in a backend shared by processes.

    It provides :meth:`locked`: ``timeout=None`` means ``default_timeout`` seconds, one
    deadline covers the whole acquisition, and tasks of this process waiting for the same room
    first queue on a local ``asyncio.Lock``, so a busy room costs one backend waiter per
    process, not one per task. Subclasses implement :meth:`_backend_lock`, which takes and
    gives back the lock in the backend (a PostgreSQL advisory lock, a Redis lease, ...).

    Raises:
        ConfigurationError: ``default_timeout`` is not a positive number of seconds.
    """

    def __init__(self, *, default_timeout: float) -> None:
        if default_timeout <= 0:
            raise ConfigurationError("default_timeout must be a positive number of seconds")
        #: Seconds :meth:`locked` waits when called with ``timeout=None``.
        self._default_timeout = default_timeout
        self._local: dict[str, asyncio.Lock] = {}
        self._local_users: dict[str, int] = {}

    def locked(
        self, room_id: str, timeout: float | None = None
    ) -> AbstractAsyncContextManager[None]:
        """Hold the shared lock of ``room_id`` for the ``async with`` block."""
        return self._hold(room_id, self._default_timeout if timeout is None else timeout)

    @abstractmethod
    def _backend_lock(
        self, room_id: str, deadline: float, timeout: float
    ) -> AbstractAsyncContextManager[None]:
        """Hold the backend lock of ``room_id`` for the ``async with`` block.

        Called once this process's turn for the room has come. ``deadline`` is the
        :func:`time.monotonic` time by which the lock must be held; past it, raise
        ``lock_timeout_error(room_id, timeout)``. The lock must be given back when the block
        exits, also on error or cancellation.
        """

    @asynccontextmanager
    async def _hold(self, room_id: str, timeout: float) -> AsyncIterator[None]:
        deadline = time.monotonic() + max(timeout, 0.0)
        local = self._local.setdefault(room_id, asyncio.Lock())
        self._local_users[room_id] = self._local_users.get(room_id, 0) + 1
        try:
            try:
                await asyncio.wait_for(local.acquire(), max(deadline - time.monotonic(), 0))
            except TimeoutError:
                raise lock_timeout_error(room_id, timeout) from None
            try:
                async with self._backend_lock(room_id, deadline, timeout):
                    yield
            finally:
                local.release()
        finally:
            users = self._local_users[room_id] - 1
            if users:
                self._local_users[room_id] = users
            else:
                del self._local_users[room_id]
                del self._local[room_id]


HELD_ROOMS: set[tuple[asyncio.Task[Any] | None, str]] = set()
"""(task, room id) pairs: the room locks each task holds, so nested calls in the same task (a
hook or channel posting into the same room) do not wait for a lock they already own. Keyed by
task rather than a context variable so that tasks started under the lock do not inherit it."""


class _HeldLock:
    """The room lock, marked as held by this task so nested posts do not wait for it."""

    __slots__ = ("_inner", "_key")

    def __init__(self, inner: AbstractAsyncContextManager[None], key: tuple[Any, str]) -> None:
        self._inner = inner
        self._key = key

    async def __aenter__(self) -> None:
        await self._inner.__aenter__()
        HELD_ROOMS.add(self._key)

    async def __aexit__(self, *exc: Any) -> None:
        HELD_ROOMS.discard(self._key)
        await self._inner.__aexit__(*exc)


class _AlreadyHeld:
    __slots__ = ()

    async def __aenter__(self) -> None:
        return None

    async def __aexit__(self, *exc: Any) -> None:
        return None


_ALREADY_HELD = _AlreadyHeld()


def room_lock(
    manager: RoomLockManager, room_id: str, timeout: float | None
) -> AbstractAsyncContextManager[None]:
    """``manager``'s lock of ``room_id``, or a no-op when the current task already holds it."""
    key = (asyncio.current_task(), room_id)
    if key in HELD_ROOMS:
        return _ALREADY_HELD
    return _HeldLock(manager.locked(room_id, timeout), key)
