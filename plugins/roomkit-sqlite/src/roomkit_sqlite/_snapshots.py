"""Room snapshots kept decoded between messages while no other connection writes the file.

Every message reads its room's snapshot (the room, its bindings and participants, the newest
events) and then adds one event. Read from the file, that is four statements, the texts of up
to ``recent`` events and a copy of each; yet between two messages of a busy room the only
change is, most of the time, the event this store itself added.

:class:`SnapshotCache` keeps each room's snapshot as decoded models and appends the events
this connection stores (:meth:`SnapshotCache.stored`). It is valid only while no *other*
connection has committed to the file: SQLite's ``PRAGMA data_version`` changes exactly then
(another process, or another connection of this one), and :meth:`SnapshotCache.check` - run
before every cached read and inside every ``add_event`` transaction - forgets every room when
it did. Writes of this connection that change a snapshot other than by adding an event
(``update_room``, ``update_event``, bindings, participants, ``delete_room``) forget that
room (:meth:`SnapshotCache.drop`). So a cached snapshot is always what reading the file would
return, whoever wrote it; with several processes writing one file, most reads find the cache
forgotten and read the file as before.

Handed-out snapshots share the kept models, as the in-memory and PostgreSQL stores do (the
store contract: returned objects may be shared; changing one means calling the matching
``update_*`` method, which forgets the room here): each call returns a new
:class:`RoomContext` with new lists, so a caller may keep it as its own context
(``snapshot_is_context``), but the room, bindings, participants and events in it are the
kept objects. A shallow copy of each of a room's 20 newest events per message cost about a
fifth of the store's instructions. The event ``add_event`` returned is never the kept one:
the cache keeps its own copy, with its own ``delivery_results`` and ``metadata``, because the
engine goes on changing the returned event while delivering it.
"""

from __future__ import annotations

import sqlite3
from typing import Any

from roomkit.models._construct import construct
from roomkit.models.context import RoomContext
from roomkit.models.event import RoomEvent
from roomkit.models.participant import Participant
from roomkit.models.room import ChannelBinding, Room
from roomkit.store.decoded import copy_model

__all__ = ["RoomSnapshot", "SnapshotCache"]

_VERSION = "PRAGMA data_version"


class RoomSnapshot:
    """One room's snapshot as last read or written by this connection.

    ``events`` holds the room's newest events (oldest first), at most ``window`` of them:
    every event when the room has fewer. ``members`` maps participant ids to participants in
    joining order: every participant when ``complete`` (read by ``get_room_snapshot``), else
    only those looked up by id so far (read by ``get_message_snapshot``, whose cost must not
    grow with the room's membership). ``senders`` are the (channel, participant) pairs known
    to be recorded for ``find_latest_room``.
    """

    __slots__ = (
        "bindings",
        "complete",
        "events",
        "members",
        "next_index",
        "room",
        "senders",
        "window",
    )

    def __init__(
        self,
        room: Room,
        bindings: list[ChannelBinding],
        members: dict[str, Participant],
        events: list[RoomEvent],
        window: int,
        *,
        complete: bool,
    ) -> None:
        self.room = room
        self.next_index: int = room.event_count
        self.bindings = bindings
        self.members = members
        self.complete = complete
        self.events = events
        self.senders: set[tuple[str, str]] = set()
        self.window = window

    def context(self, recent: int) -> RoomContext:
        """The snapshot as :meth:`SQLiteStore.get_room_snapshot` returns it (``complete``
        only): a new context and new lists, holding the kept models (see the module
        docstring)."""
        return construct(
            RoomContext,
            {
                "room": self.room,
                "bindings": list(self.bindings),
                "participants": list(self.members.values()),
                "recent_events": self.events[-recent:] if recent else [],
                "metadata": {},
            },
        )

    def message_context(self, recent: int, sender: Participant | None) -> RoomContext:
        """The snapshot as :meth:`SQLiteStore.get_message_snapshot` returns it: ``sender``
        (a member, or ``None``) alone in ``participants``."""
        return construct(
            RoomContext,
            {
                "room": self.room,
                "bindings": list(self.bindings),
                "participants": [sender] if sender is not None else [],
                "recent_events": self.events[-recent:] if recent else [],
                "metadata": {},
            },
        )


class SnapshotCache:
    """Decoded room snapshots by room id, at most ``rooms`` of them (oldest out first)."""

    __slots__ = ("_rooms", "_snapshots", "version")

    def __init__(self, rooms: int = 256) -> None:
        self._snapshots: dict[str, RoomSnapshot] = {}
        self._rooms = rooms
        self.version: Any = None  # the file's data_version the snapshots are valid for

    def check(self, conn: sqlite3.Connection | sqlite3.Cursor) -> Any:
        """Forget every snapshot when another connection committed since the last check;
        returns the file's ``data_version``."""
        version = conn.execute(_VERSION).fetchone()[0]
        if version != self.version:
            self._snapshots.clear()
            self.version = version
        return version

    def get(self, room_id: str, recent: int, *, complete: bool = True) -> RoomSnapshot | None:
        """The snapshot of ``room_id`` if it holds the newest ``recent`` events (and every
        participant, when ``complete``)."""
        snapshot = self._snapshots.get(room_id)
        if snapshot is None or recent > snapshot.window or (complete and not snapshot.complete):
            return None
        return snapshot

    def known(self, room_id: str) -> RoomSnapshot | None:
        """The snapshot of ``room_id``, whatever its window."""
        return self._snapshots.get(room_id)

    def put(self, room_id: str, snapshot: RoomSnapshot) -> None:
        """Keep ``snapshot`` (read in one piece, at :attr:`version`)."""
        snapshots = self._snapshots
        if room_id not in snapshots and len(snapshots) >= self._rooms:
            del snapshots[next(iter(snapshots))]
        snapshots[room_id] = snapshot

    def drop(self, room_id: str) -> None:
        """Forget ``room_id``'s snapshot (this connection changed it)."""
        self._snapshots.pop(room_id, None)

    def clear(self) -> None:
        """Forget every snapshot."""
        self._snapshots.clear()
        self.version = None

    def stored(
        self,
        event: RoomEvent,
        sender: tuple[str, str] | None,
        joined: Participant | None,
    ) -> None:
        """After the commit of ``add_event``: ``event`` is the room's newest event, ``sender``
        is recorded, ``joined`` became a participant."""
        room_id = event.room_id
        snapshot = self._snapshots.get(room_id)
        if snapshot is None:
            return
        index = event.index
        if index != snapshot.next_index:  # not what this snapshot expected: read again
            del self._snapshots[room_id]
            return
        kept = copy_model(event)
        fields = kept.__dict__
        fields["delivery_results"] = dict(event.delivery_results)  # the caller's dicts may change
        fields["metadata"] = dict(event.metadata)
        events = snapshot.events
        events.append(kept)
        if len(events) > snapshot.window:
            del events[0]
        snapshot.next_index = index + 1
        room = snapshot.room.__dict__
        room["event_count"] = index + 1
        room["latest_index"] = index
        if sender is not None:
            snapshot.senders.add(sender)
        if joined is not None:  # the newest member: last in joining order
            snapshot.members[joined.id] = joined
