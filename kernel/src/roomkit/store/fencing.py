"""Fencing tokens of the room locks held by the running task, for stores that check them.

A lock manager shared between processes gives every acquisition of a room a fencing token
(see :class:`roomkit.core.locks.RoomLockManager`). While the engine holds such a lock, it
records the lock's handle here for the task that holds it; a store that supports fencing calls
:func:`write_fence` right before it writes an event of that room, keeps the greatest token it
has accepted for the room in the same transaction as the write, and refuses an older one with
:class:`~roomkit.errors.RoomLockLostError`, writing nothing. A holder that lost its lock to a
newer holder therefore cannot write once the newer holder has written; one whose lock manager
already noticed the loss (a closed database session, a refused lease renewal) cannot write at
all, as :func:`write_fence` raises.

Handles are kept per task (not in a context variable) so that tasks started under the lock do
not inherit a lock they do not hold.
"""

from __future__ import annotations

import asyncio
from typing import Protocol

from roomkit.errors import RoomLockLostError

__all__ = ["FencedLock", "clear_write_fence", "set_write_fence", "write_fence"]


class FencedLock(Protocol):
    """What the store needs of a held lock (a :class:`~roomkit.core.locks.RoomLockHandle`)."""

    @property
    def fencing_token(self) -> int | None: ...

    @property
    def lost(self) -> bool: ...

    @property
    def lost_reason(self) -> str | None: ...


_FENCES: dict[tuple[asyncio.Task[object] | None, str], FencedLock] = {}


def _task() -> asyncio.Task[object] | None:
    try:
        return asyncio.current_task()
    except RuntimeError:  # no running loop
        return None


def write_fence(room_id: str) -> int | None:
    """The fencing token of the current task's lock of ``room_id`` (``None``: unfenced).

    Raises:
        RoomLockLostError: the lock manager already knows the lock was lost.
    """
    if not _FENCES:
        return None
    held = _FENCES.get((_task(), room_id))
    if held is None:
        return None
    if held.lost:
        raise RoomLockLostError(
            f"the lock of room {room_id!r} was lost before the write: {held.lost_reason}; "
            "nothing was stored"
        )
    return held.fencing_token


def set_write_fence(room_id: str, held: FencedLock) -> None:
    """Record that the current task holds the lock of ``room_id`` (called by the engine)."""
    _FENCES[(_task(), room_id)] = held


def clear_write_fence(room_id: str) -> None:
    """Forget the current task's lock of ``room_id`` (it was given back)."""
    _FENCES.pop((_task(), room_id), None)
