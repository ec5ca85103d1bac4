"""Per-room locking: the contract and its fenced handle, the in-process implementation, the
base of shared (cross-process) lock managers, and the engine's room lock.

:func:`room_lock` is how the engine takes a room's lock: re-entrant per task, so a hook or
channel that posts into the room it is already handling does not wait for itself.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from abc import ABC, abstractmethod
from collections import deque
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Any

from roomkit.errors import ConfigurationError, RoomLockLostError, RoomLockTimeoutError
from roomkit.store.fencing import clear_write_fence, set_write_fence

__all__ = [
    "HELD_ROOMS",
    "InMemoryLockManager",
    "RoomLockHandle",
    "RoomLockManager",
    "SharedRoomLockManager",
    "lock_timeout_error",
    "room_lock",
]

log = logging.getLogger("roomkit.locks")


class RoomLockHandle:
    """Proof that a room lock is held: what :meth:`RoomLockManager.hold` yields.

    ``fencing_token`` is ``None`` for locks that cannot be lost while their block runs (those
    of one process). Lock managers shared between processes give every acquisition of a room
    a token greater than the token of any earlier acquisition of that room, and can tell when
    the lock was lost (see :class:`RoomLockManager` for the full rule).

    Lock managers create handles with ``verify``: an async callable asking the backend whether
    this acquisition still holds the lock (it may raise
    :class:`~roomkit.errors.LockBackendError` when the backend cannot be asked). A manager
    that notices the loss by itself (a lease renewal refused, the holding connection closed)
    calls :meth:`mark_lost`. Lease-based managers also keep ``valid_until`` up to date: the
    :func:`time.monotonic` time after which the lease may have run out unless it was renewed
    (past it, the handle counts as lost, even if the holder's event loop was blocked and no
    renewal ever got to run).
    """

    __slots__ = (
        "_lost_reason",
        "_released",
        "_verify",
        "fencing_token",
        "room_id",
        "valid_until",
    )

    def __init__(
        self,
        room_id: str,
        fencing_token: int | None = None,
        *,
        verify: Callable[[], Awaitable[bool]] | None = None,
    ) -> None:
        #: The locked room (or other key) id.
        self.room_id = room_id
        #: Increases with every acquisition of this room; ``None`` when the lock is not fenced.
        self.fencing_token = fencing_token
        #: Monotonic time past which a lease-based lock has lapsed unless renewed (or None).
        self.valid_until: float | None = None
        self._verify = verify
        self._lost_reason: str | None = None
        self._released = False

    @property
    def lost(self) -> bool:
        """Whether the lock is known to be lost, without asking the backend.

        True once a manager marked it lost, or once ``valid_until`` has passed.
        """
        if (
            self._lost_reason is None
            and self.valid_until is not None
            and time.monotonic() >= self.valid_until
        ):
            self._lost_reason = "its lease may have run out before it could be renewed"
        return self._lost_reason is not None

    @property
    def lost_reason(self) -> str | None:
        """Why the lock was lost, once it was noticed."""
        return self._lost_reason

    def mark_lost(self, reason: str) -> None:
        """Record that the lock was lost (called by lock managers; the first reason is kept)."""
        if self._lost_reason is None:
            self._lost_reason = reason

    def mark_released(self) -> None:
        """Record that the block exited and the lock was given back (called by lock managers)."""
        self._released = True

    async def still_held(self) -> bool:
        """Ask the backend whether this acquisition still holds the lock.

        ``False`` once the lock was lost or given back. Raises
        :class:`~roomkit.errors.LockBackendError` when the backend cannot answer.
        """
        if self._released or self.lost:
            return False
        if self._verify is not None and not await self._verify():
            self.mark_lost("the backend no longer holds it for this holder")
            return False
        return not self.lost

    async def ensure_held(self) -> None:
        """Raise :class:`~roomkit.errors.RoomLockLostError` unless the lock is still held."""
        if not await self.still_held():
            reason = "it was already given back" if self._released else self._lost_reason
            raise RoomLockLostError(f"the lock of room {self.room_id!r} was lost: {reason}")

    def __repr__(self) -> str:
        state = "released" if self._released else "lost" if self.lost else "held"
        return f"RoomLockHandle({self.room_id!r}, fencing_token={self.fencing_token}, {state})"


class RoomLockManager(ABC):
    """Serialises work on one room. Different rooms never wait for each other.

    ``locked(room_id, timeout)`` is an async context manager; when the lock cannot be had in
    ``timeout`` seconds it raises :class:`roomkit.errors.RoomLockTimeoutError`. The lock is
    released when the block exits, also on error or cancellation. Implementations raise
    :class:`roomkit.errors.LockBackendError` (a :class:`~roomkit.errors.StoreError`) when
    their backend fails or cannot be reached, and they never take longer than ``timeout`` to
    give up. Giving a lock back never raises: a failure there is logged (the lock then ends
    with its lease or its connection).

    ``hold(room_id, timeout)`` is the same lock, yielding a :class:`RoomLockHandle`. Lock
    managers shared between processes fence their locks:

    * Every acquisition of a room gets a ``fencing_token`` greater than the token of every
      earlier acquisition of that room through the same backend and namespace, also when an
      earlier holder lost the lock (lease expiry, ended database session) or the backend
      restarted. Tokens of different backends are not comparable.
    * ``handle.lost`` turns true when the manager notices the loss by itself;
      ``await handle.still_held()`` / ``await handle.ensure_held()`` ask the backend now.
    * A store protects its event writes with the token: while the engine holds a room lock,
      :func:`roomkit.store.fencing.write_fence` gives the store the acquisition's token; in the
      same transaction as the event write, the store keeps the greatest token it has accepted
      for the room and refuses (with :class:`~roomkit.errors.RoomLockLostError`, nothing
      written) a write whose token is smaller. A holder that lost its lock to a newer holder
      therefore cannot write once the newer holder has written. A ``None`` token means "not
      fenced" and is not checked.

    Managers whose locks live in one process (``InMemoryLockManager``, custom subclasses that
    only implement ``locked``) yield a handle without a token that is never lost.
    """

    @abstractmethod
    def locked(
        self, room_id: str, timeout: float | None = None
    ) -> AbstractAsyncContextManager[None]:
        """Hold the lock of ``room_id`` for the duration of the ``async with`` block."""

    def hold(
        self, room_id: str, timeout: float | None = None
    ) -> AbstractAsyncContextManager[RoomLockHandle]:
        """Hold the lock of ``room_id`` like :meth:`locked`, yielding its handle."""
        return _HandleAround(self.locked(room_id, timeout), room_id)

    async def close(self) -> None:  # noqa: B027 - optional hook
        """Release connections."""


class _HandleAround:
    """``hold`` for managers that only implement ``locked``: an unfenced handle."""

    __slots__ = ("_handle", "_inner")

    def __init__(self, inner: AbstractAsyncContextManager[None], room_id: str) -> None:
        self._inner = inner
        self._handle = RoomLockHandle(room_id)

    async def __aenter__(self) -> RoomLockHandle:
        await self._inner.__aenter__()
        return self._handle

    async def __aexit__(self, *exc_info: Any) -> bool | None:
        self._handle.mark_released()
        return await self._inner.__aexit__(*exc_info)


class InMemoryLockManager(RoomLockManager):
    """One first-come-first-served lock per room, kept only while the room is held.

    A held room maps to its waiters (``None`` until one waits); a free room has no entry. An
    uncontended take is one dictionary insertion and a release one deletion, with no
    ``asyncio.Lock`` and no coroutine of its own: this sits on the path of every message.
    Releasing a room with waiters hands it straight to the first one still waiting, so a task
    arriving meanwhile cannot overtake the queue.
    """

    def __init__(self) -> None:
        #: Held rooms -> the futures of the tasks waiting for them, in arrival order.
        self._locks: dict[str, deque[asyncio.Future[None]] | None] = {}

    def locked(
        self, room_id: str, timeout: float | None = None
    ) -> AbstractAsyncContextManager[None]:
        return _Hold(self, room_id, timeout)

    @property
    def size(self) -> int:
        """How many rooms have a lock now (held or waited for; idle locks are dropped)."""
        return len(self._locks)

    async def _wait(self, room_id: str, timeout: float | None) -> None:
        """Wait in line for ``room_id`` (held by another task) until it is handed over."""
        waiters = self._locks[room_id]
        if waiters is None:
            waiters = self._locks[room_id] = deque()
        turn: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        waiters.append(turn)
        try:
            if timeout is None:
                await turn
            else:
                try:
                    async with asyncio.timeout(timeout):
                        await turn
                except TimeoutError:
                    raise lock_timeout_error(room_id, timeout) from None
        except BaseException:
            if turn.done() and not turn.cancelled():
                self._release(room_id)  # handed over, then cancelled: pass it on
            else:
                turn.cancel()
                with contextlib.suppress(ValueError):  # already skipped by a release
                    waiters.remove(turn)
            raise

    def _take(self, room_id: str) -> bool:
        """Take ``room_id``'s lock if it is free (``True``); ``False`` if it is held."""
        locks = self._locks
        if room_id in locks:
            return False
        locks[room_id] = None
        return True

    def _release(self, room_id: str) -> None:
        """Give ``room_id``'s lock back: to the first task still waiting, else drop it."""
        waiters = self._locks[room_id]
        while waiters:
            turn = waiters.popleft()
            if not turn.done():
                turn.set_result(None)  # the room stays held, now by that task
                return
        del self._locks[room_id]


class _Hold:
    __slots__ = ("_manager", "_room_id", "_timeout")

    def __init__(self, manager: InMemoryLockManager, room_id: str, timeout: float | None) -> None:
        self._manager = manager
        self._room_id = room_id
        self._timeout = timeout

    async def __aenter__(self) -> None:
        if not self._manager._take(self._room_id):
            await self._manager._wait(self._room_id, self._timeout)

    async def __aexit__(self, *exc_info: object) -> None:
        self._manager._release(self._room_id)


def lock_timeout_error(room_id: str, timeout: float) -> RoomLockTimeoutError:
    """The error for a room lock that could not be had within ``timeout`` seconds."""
    return RoomLockTimeoutError(f"room {room_id!r} stayed locked for more than {timeout}s")


class SharedRoomLockManager(RoomLockManager):
    """Base for lock managers whose locks live in a backend shared by processes.

    It provides :meth:`locked` and :meth:`hold`: ``timeout=None`` means ``default_timeout``
    seconds, one deadline covers the whole acquisition, and tasks of this process waiting for
    the same room first queue on a local ``asyncio.Lock``, so a busy room costs one backend
    waiter per process, not one per task. Subclasses implement :meth:`hold_in_backend`, which
    takes and gives back the lock in the backend (a PostgreSQL advisory lock, a Redis lease,
    ...) and yields its fenced :class:`RoomLockHandle`. ``lost_locks`` counts the handles
    found lost by the time their block exited.

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
        #: How many locks were lost while their block ran (lease taken over, session ended).
        self.lost_locks = 0

    def locked(
        self, room_id: str, timeout: float | None = None
    ) -> AbstractAsyncContextManager[None]:
        """Hold the shared lock of ``room_id`` for the ``async with`` block."""
        return self._hold_without_handle(room_id, timeout)

    def hold(
        self, room_id: str, timeout: float | None = None
    ) -> AbstractAsyncContextManager[RoomLockHandle]:
        """Hold the shared lock of ``room_id`` for the ``async with`` block, yielding its
        fenced handle."""
        return self._hold(room_id, self._default_timeout if timeout is None else timeout)

    @abstractmethod
    def hold_in_backend(
        self, room_id: str, deadline: float, timeout: float
    ) -> AbstractAsyncContextManager[RoomLockHandle]:
        """Take the backend lock of ``room_id``, yield its handle, give it back on exit.

        Called once this process's turn for the room has come. ``deadline`` is the
        :func:`time.monotonic` time by which the lock must be held: no backend call may run
        past it. When the room is still locked then, raise
        ``lock_timeout_error(room_id, timeout)``; when the backend failed or did not answer,
        raise :class:`~roomkit.errors.LockBackendError`. The handle carries the acquisition's
        fencing token and a ``verify`` callable (see :class:`RoomLockHandle`). The lock must be
        given back when the block exits, also on error or cancellation, and giving it back
        must not raise: log the failure (and mark the handle lost if the backend says the lock
        was no longer this holder's).
        """

    @asynccontextmanager
    async def _hold_without_handle(
        self, room_id: str, timeout: float | None
    ) -> AsyncIterator[None]:
        async with self.hold(room_id, timeout):
            yield

    @asynccontextmanager
    async def _hold(self, room_id: str, timeout: float) -> AsyncIterator[RoomLockHandle]:
        deadline = time.monotonic() + max(timeout, 0.0)
        local = self._local.setdefault(room_id, asyncio.Lock())
        self._local_users[room_id] = self._local_users.get(room_id, 0) + 1
        try:
            try:
                await asyncio.wait_for(local.acquire(), max(deadline - time.monotonic(), 0))
            except TimeoutError:
                raise lock_timeout_error(room_id, timeout) from None
            handle: RoomLockHandle | None = None
            try:
                async with self.hold_in_backend(room_id, deadline, timeout) as handle:
                    try:
                        yield handle
                    finally:
                        handle.mark_released()
            finally:
                local.release()
                if handle is not None and handle.lost:
                    self.lost_locks += 1
                    log.error("the lock of %r was lost while held: %s", room_id, handle.lost_reason)
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
    """The room lock, marked as held by this task so nested posts do not wait for it.

    ``inner`` is the manager's ``locked()`` (yields ``None``) or, for a fencing manager, its
    ``hold()``: the handle of a fenced acquisition is then recorded for the task's store
    writes (:func:`roomkit.store.fencing.write_fence`) while the block runs.
    """

    __slots__ = ("_fenced", "_inner", "_key")

    def __init__(
        self,
        inner: AbstractAsyncContextManager[RoomLockHandle | None],
        key: tuple[Any, str],
        fenced: bool = False,
    ) -> None:
        self._inner = inner
        self._key = key
        self._fenced = fenced

    async def __aenter__(self) -> None:
        handle = await self._inner.__aenter__()
        HELD_ROOMS.add(self._key)
        if handle is not None and handle.fencing_token is not None:
            set_write_fence(self._key[1], handle)

    async def __aexit__(self, *exc: Any) -> None:
        HELD_ROOMS.discard(self._key)
        if self._fenced:
            clear_write_fence(self._key[1])
        await self._inner.__aexit__(*exc)


class _HeldInMemory:
    """:class:`_HeldLock` around an :class:`InMemoryLockManager`'s lock, in one object: the
    per-message path of the in-memory engine (what ``_HeldLock(manager.locked(...))`` does,
    without the second context manager; the uncontended take and release inline)."""

    __slots__ = ("_key", "_manager", "_timeout")

    def __init__(
        self, manager: InMemoryLockManager, key: tuple[Any, str], timeout: float | None
    ) -> None:
        self._manager = manager
        self._key = key
        self._timeout = timeout

    async def __aenter__(self) -> None:
        room_id = self._key[1]
        locks = self._manager._locks
        if room_id in locks:
            await self._manager._wait(room_id, self._timeout)
        else:
            locks[room_id] = None
        HELD_ROOMS.add(self._key)

    async def __aexit__(self, *exc: Any) -> None:
        HELD_ROOMS.discard(self._key)
        room_id = self._key[1]
        locks = self._manager._locks
        if locks[room_id]:
            self._manager._release(room_id)
        else:  # nobody waits
            del locks[room_id]


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
    """``manager``'s lock of ``room_id``, or a no-op when the current task already holds it.

    With a manager that fences its locks (one that implements :meth:`RoomLockManager.hold`
    itself), the acquisition's token is recorded for the task's store writes
    (:func:`roomkit.store.fencing.write_fence`).
    """
    key = (asyncio.current_task(), room_id)
    if key in HELD_ROOMS:
        return _ALREADY_HELD
    if type(manager) is InMemoryLockManager:
        return _HeldInMemory(manager, key, timeout)
    if type(manager).hold is RoomLockManager.hold:
        return _HeldLock(manager.locked(room_id, timeout), key)
    return _HeldLock(manager.hold(room_id, timeout), key, fenced=True)
