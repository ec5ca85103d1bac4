"""Room lifecycle timers: ACTIVE -> PAUSED -> CLOSED after periods without activity.

A room's last activity is the latest of ``room.last_activity_at``,
``room.timers.last_activity_at`` and its newest event's ``created_at``, so the sweep works with
stores that do not maintain ``last_activity_at``. ``closed_after_seconds`` counts from the last
activity too (not from the pause). :func:`due_transitions` finds what is due;
:class:`TimersMixin` gives the kit ``check_room_timers`` (one room), ``check_all_timers`` and
``sweep_room_timers`` (every room), which close or pause rooms through the kit so lifecycle
hooks fire.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, cast

from roomkit.models._ids import utcnow
from roomkit.models.enums import RoomStatus
from roomkit.models.room import Room
from roomkit.store.base import ConversationStore

if TYPE_CHECKING:
    from roomkit.core.framework import RoomKit

__all__ = ["TimersMixin", "due_status", "due_transitions"]

_PAGE = 500


def due_status(room: Room, last_activity: datetime, now: datetime) -> RoomStatus | None:
    """The status ``room`` should move to at ``now``, or ``None`` to stay as it is."""
    timers = room.timers
    if timers is None or room.status == RoomStatus.CLOSED:
        return None
    idle = (now - last_activity).total_seconds()
    closed_after = timers.closed_after_seconds
    if closed_after is not None and idle >= closed_after:
        return RoomStatus.CLOSED
    inactive_after = timers.inactive_after_seconds
    if room.status == RoomStatus.ACTIVE and inactive_after is not None and idle >= inactive_after:
        return RoomStatus.PAUSED
    return None


async def _last_activity(store: ConversationStore, room: Room) -> datetime:
    latest = room.last_activity_at
    marked = room.timers.last_activity_at if room.timers is not None else None
    if marked is not None and marked > latest:
        latest = marked
    recent = await store.get_recent_events(room.id, 1)
    if recent and recent[-1].created_at > latest:
        latest = recent[-1].created_at
    return latest


async def due_transitions(store: ConversationStore, now: datetime) -> list[tuple[Room, RoomStatus]]:
    """Every room with timers whose status is due to change at ``now``, and its new status."""
    candidates: list[Room] = []
    for status in (RoomStatus.ACTIVE, RoomStatus.PAUSED):
        offset = 0
        while True:
            page = await store.list_rooms(status=status, offset=offset, limit=_PAGE)
            candidates.extend(r for r in page if r.timers is not None)
            if len(page) < _PAGE:
                break
            offset += _PAGE
    due: list[tuple[Room, RoomStatus]] = []
    for room in candidates:
        target = due_status(room, await _last_activity(store, room), now)
        if target is not None:
            due.append((room, target))
    return due


class TimersMixin:
    """``check_room_timers``, ``check_all_timers`` and ``sweep_room_timers`` of
    :class:`~roomkit.core.framework.RoomKit`."""

    async def check_room_timers(self, room_id: str, now: datetime | None = None) -> Room:
        """Apply the timers of one room; returns the room (PAUSED or CLOSED when due).
        Raises :class:`~roomkit.errors.RoomNotFoundError` for a missing room."""
        kit = self._kit()
        room = await kit.get_room(room_id)
        target = due_status(room, await _last_activity(kit.store, room), now or utcnow())
        if target == RoomStatus.CLOSED:
            return await kit.close_room(room_id)
        if target == RoomStatus.PAUSED:
            return await kit.pause_room(room_id)
        return room

    async def sweep_room_timers(self, now: datetime | None = None) -> list[Room]:
        """Apply room timers (ACTIVE -> PAUSED -> CLOSED); returns the rooms that changed."""
        kit = self._kit()
        changed: list[Room] = []
        for room, status in await due_transitions(kit.store, now or utcnow()):
            if status == RoomStatus.CLOSED:
                changed.append(await kit.close_room(room.id))
            else:
                changed.append(await kit.pause_room(room.id))
        return changed

    async def check_all_timers(self, now: datetime | None = None) -> list[Room]:
        """RoomKit 0.6.7's name of :meth:`sweep_room_timers`."""
        return await self.sweep_room_timers(now)

    def _kit(self) -> RoomKit:
        return cast("RoomKit", self)  # this mixin is only ever part of RoomKit
