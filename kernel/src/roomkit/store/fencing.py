"""Fencing tokens of the room locks held by the running task, for stores that check them.

A lock manager shared between processes gives every acquisition of a room a fencing token
(see :class:`roomkit.core.locks.RoomLockManager`). While the engine holds such a lock, it
records the token here for the task that holds it; a store that supports fencing reads it
with :func:`write_fence` when it writes an event of that room, keeps the greatest token it
has accepted for the room in the same transaction, and refuses an older one with
:class:`~roomkit.errors.RoomLockLostError`, writing nothing. A holder that lost its lock to a
newer holder therefore cannot write once the newer holder has written.

Tokens are kept per task (not in a context variable) so that tasks started under the lock do
not inherit a lock they do not hold.
"""

from __future__ import annotations

import asyncio

__all__ = ["clear_write_fence", "set_write_fence", "write_fence"]

_FENCES: dict[tuple[asyncio.Task[object] | None, str], int] = {}


def _task() -> asyncio.Task[object] | None:
    try:
        return asyncio.current_task()
    except RuntimeError:  # no running loop
        return None


def write_fence(room_id: str) -> int | None:
    """The fencing token of the lock of ``room_id`` the current task holds (``None``: unfenced)."""
    if not _FENCES:
        return None
    return _FENCES.get((_task(), room_id))


def set_write_fence(room_id: str, token: int) -> None:
    """Record that the current task holds the lock of ``room_id`` with ``token``."""
    _FENCES[(_task(), room_id)] = token


def clear_write_fence(room_id: str) -> None:
    """Forget the current task's token for ``room_id`` (its lock was given back)."""
    _FENCES.pop((_task(), room_id), None)
