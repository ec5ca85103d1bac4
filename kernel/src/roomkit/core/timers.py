"""Room lifecycle timers: ACTIVE -> PAUSED -> CLOSED after periods without activity.

A room's last activity is the later of ``room.last_activity_at`` and its newest event's
``created_at``, so the sweep works with stores that do not maintain ``last_activity_at``.
``closed_after_seconds`` counts from the last activity too (not from the pause).
:func:`due_transitions` finds what is due; ``RoomKit.sweep_room_timers`` applies it (closing or
pausing each room through the kit, so lifecycle hooks fire).
"""

from __future__ import annotations

from datetime import datetime

from roomkit.models.enums import RoomStatus
from roomkit.models.room import Room
from roomkit.store.base import ConversationStore

__all__ = ["due_status", "due_transitions"]

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
