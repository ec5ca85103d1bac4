"""The conversation store contract: the six pieces of :mod:`roomkit.store.contracts` together."""

from __future__ import annotations

from typing import ClassVar

from roomkit.models.context import RoomContext
from roomkit.store.contracts import (
    BindingStore,
    EventStore,
    MemberStore,
    ReadStateStore,
    RoomStore,
    TaskStore,
)

__all__ = ["ConversationStore"]


class ConversationStore(
    RoomStore, BindingStore, EventStore, MemberStore, TaskStore, ReadStateStore
):
    """Persistence for everything a room holds: the pieces of :mod:`roomkit.store.contracts`.

    Rules every implementation keeps (the conformance suite checks them):

    * :meth:`add_event` assigns ``event.index``: unique and gap-free per room, from 0, even
      under concurrent writers (and across processes for shared stores).
    * An event whose ``(room_id, idempotency_key)`` was stored before is not stored again:
      :meth:`add_event` returns the event stored the first time (so ``returned.id != event.id``
      tells the caller it was a duplicate).
    * The sender of an inbound event joins the room with it: when ``event.source.direction``
      is ``INBOUND`` and ``event.source.participant_id`` is not a participant of the room yet,
      :meth:`add_event` adds ``Participant(id=participant_id, channel_id=source.channel_id,
      joined_at=event.created_at)`` in the same write, so a rejected event leaves no
      participant behind and a stored one never lacks its sender.
    * Lists are ordered: events by ``index``, rooms, tasks and observations by creation,
      bindings by attachment, participants by joining.
    * Returned objects may be shared with the store (no defensive copies): callers that want
      to change one call the matching ``update_*`` method with the changed object.
    * Missing objects are ``None`` / ``False`` / ``[]`` / ``0``, never an exception; writes that
      reference a missing room raise :class:`roomkit.errors.RoomNotFoundError`.

    Input validation (one function for every store, :mod:`roomkit.store.validation`):

    * A write validates what it is handed before it stores anything: a model left invalid by
      ``model_copy(update=...)``, a NUL character or lone surrogate in a string, free-form data
      that is not plain JSON (NaN, infinity, bytes, tuples, sets, non-str keys, integers beyond
      64 bits, nesting beyond 64 levels) raise :class:`roomkit.errors.StoreInputError`, and
      nothing is stored. Every store keeps exactly what it accepted: what is read back equals
      what was written, with the same types.
    * Page and index bounds that are not ints within 64 bits (``limit=2**63``, ``offset=-1``,
      ``limit="10"``) raise :class:`~roomkit.errors.StoreInputError`; ``recent`` of a snapshot
      below 0 means 0.
    * Reads by a key nothing can be stored under (a NUL character, a lone surrogate, not a
      ``str``) answer "missing"; they never raise.
    * Backend failures (connection lost, disk full, a lock wait timed out) raise
      :class:`~roomkit.errors.StoreError`: nothing but a :class:`~roomkit.errors.RoomKitError`
      ever leaves a store method.
    """

    #: Whether the engine's telemetry records a ``roomkit.store`` span per call on the message
    #: path. Stores whose calls are in-process dictionary work (the in-memory store) say
    #: ``False``: a span would cost far more than the call it measures.
    traced_calls: ClassVar[bool] = True

    #: Whether every :meth:`get_room_snapshot` / :meth:`get_message_snapshot` call returns a
    #: new :class:`RoomContext` (new lists, empty metadata) that the caller may keep as its
    #: own: the engine then uses it as the message's context instead of building another.
    #: ``False`` (the default) is always safe; a store that hands out one kept context object
    #: must leave it ``False``.
    snapshot_is_context: ClassVar[bool] = False

    async def get_room_snapshot(self, room_id: str, *, recent: int = 20) -> RoomContext | None:
        """The room with its bindings, participants and last ``recent`` events; ``None`` if
        the room does not exist. What the engine reads for every inbound message.

        The default calls :meth:`get_room`, :meth:`list_bindings`, :meth:`list_participants`
        and :meth:`get_recent_events`; a store that can read it all in one round trip
        overrides this (the engine then prefers it). Like those calls, the parts are read
        without a lock: no more consistent with each other than four separate reads.
        """
        room = await self.get_room(room_id)
        if room is None:
            return None
        return RoomContext(
            room=room,
            bindings=await self.list_bindings(room_id),
            participants=await self.list_participants(room_id),
            recent_events=await self.get_recent_events(room_id, recent) if recent > 0 else [],
        )

    async def get_message_snapshot(
        self, room_id: str, participant_id: str | None, *, recent: int = 20
    ) -> RoomContext | None:
        """What the engine reads for every message: the room, its bindings, the participant
        ``participant_id`` (the sender) and the last ``recent`` events; ``None`` if the room
        does not exist. ``participants`` holds that one participant, or nothing when it is
        not a member (or ``participant_id`` is ``None``).

        Unlike :meth:`get_room_snapshot` its cost must not grow with the room's membership:
        the participant is found by id (:meth:`get_participant`). The default makes those
        four reads; a store that can do it in one round trip overrides this.
        """
        room = await self.get_room(room_id)
        if room is None:
            return None
        bindings = await self.list_bindings(room_id)
        sender = await self.get_participant(room_id, participant_id) if participant_id else None
        return RoomContext(
            room=room,
            bindings=bindings,
            participants=[sender] if sender is not None else [],
            recent_events=await self.get_recent_events(room_id, recent) if recent > 0 else [],
        )

    async def close(self) -> None:
        """Close connections."""
