"""The pieces of the conversation store contract, one per kind of record.

:class:`~roomkit.store.base.ConversationStore` is all six together; a store author implements
them one at a time (the conformance suite has one class of checks per piece). Every piece
follows the rules written on :class:`~roomkit.store.base.ConversationStore` (ordering, missing
objects, validation, what a returned object may share with the store).

=====================  ==============================================================
piece                  abstract methods
=====================  ==============================================================
:class:`RoomStore`     create/get/update/delete a room, ``find_rooms``,
                       ``find_latest_room`` (``list_rooms`` and
                       ``find_room_id_by_channel`` are built on them)
:class:`BindingStore`  add/get/update/remove/list the channels bound to a room
:class:`EventStore`    add/get/update an event, by idempotency key, list, recent,
                       count (``get_event_count``, ``check_idempotency`` and
                       ``add_event_auto_index`` are built on them)
:class:`MemberStore`   participants of a room, identities and their addresses
:class:`TaskStore`     tasks and observations
:class:`ReadStateStore`  how far each channel has read a room
=====================  ==============================================================
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Any

from roomkit.models.enums import RoomStatus, TaskStatus
from roomkit.models.event import RoomEvent
from roomkit.models.participant import Identity, Participant
from roomkit.models.room import ChannelBinding, Room
from roomkit.models.task import Observation, Task

__all__ = [
    "BindingStore",
    "EventStore",
    "MemberStore",
    "MetadataPage",
    "ReadStateStore",
    "RoomStore",
    "TaskStore",
    "metadata_matches",
]


def metadata_matches(metadata: dict[str, Any], wanted: dict[str, Any] | None) -> bool:
    """Whether room ``metadata`` has every key of ``wanted`` with an equal value.

    The rule of :meth:`RoomStore.find_rooms` (top-level keys, Python equality); a wanted value
    of ``None`` also matches a missing key. Stores that filter in their backend must agree.
    """
    if not wanted:
        return True
    return all(metadata.get(key) == value for key, value in wanted.items())


class MetadataPage:
    """One page of the rooms matching a metadata filter, taken from rooms read in order.

    For stores that filter metadata in Python (the one rule, :func:`metadata_matches`) while
    reading rooms from their backend in creation order::

        page = MetadataPage(metadata_filter, offset, limit)
        for row in rows:
            if not page.offer(room_from(row)):
                break  # the page is full: stop reading
        return page.rooms
    """

    __slots__ = ("_limit", "_skip", "_wanted", "rooms")

    def __init__(self, metadata_filter: dict[str, Any] | None, offset: int, limit: int) -> None:
        self._wanted = metadata_filter
        self._skip = offset
        self._limit = limit
        self.rooms: list[Room] = []

    def offer(self, room: Room) -> bool:
        """Keep ``room`` if it matches and is on the page; ``False`` once the page is full."""
        if len(self.rooms) >= self._limit:
            return False
        if metadata_matches(room.metadata, self._wanted):
            if self._skip:
                self._skip -= 1
            else:
                self.rooms.append(room)
        return len(self.rooms) < self._limit


class RoomStore(ABC):
    """Rooms: create, read, replace, delete, and find them."""

    @abstractmethod
    async def create_room(self, room: Room) -> Room:
        """Store a new room; raises :class:`~roomkit.errors.StoreError` if the id is taken."""

    @abstractmethod
    async def get_room(self, room_id: str) -> Room | None:
        """The room with this id (``event_count`` / ``latest_index`` kept by the store)."""

    @abstractmethod
    async def update_room(self, room: Room) -> Room:
        """Replace a stored room (matched by id); its event counters are the store's."""

    @abstractmethod
    async def delete_room(self, room_id: str) -> bool:
        """Delete a room and everything in it; ``False`` if it did not exist."""

    @abstractmethod
    async def find_rooms(
        self,
        organization_id: str | None = None,
        status: RoomStatus | str | None = None,
        metadata_filter: dict[str, Any] | None = None,
        *,
        limit: int = 100,
        offset: int = 0,
    ) -> list[Room]:
        """Rooms in creation order, filtered by organization, status and metadata.

        ``metadata_filter`` keeps the rooms whose metadata has each key with an equal value
        (see :func:`metadata_matches`); ``offset`` / ``limit`` page the filtered list.
        """

    @abstractmethod
    async def find_latest_room(
        self,
        channel_id: str,
        participant_id: str | None = None,
        *,
        status: RoomStatus | None = RoomStatus.ACTIVE,
    ) -> Room | None:
        """The most recently active room that ``channel_id`` is bound to (and, when given,
        where ``participant_id`` has taken part): how inbound messages find their room.
        "Most recently active" is the room whose latest event was stored last."""

    async def list_rooms(
        self,
        offset: int = 0,
        limit: int = 100,
        *,
        status: RoomStatus | None = None,
        organization_id: str | None = None,
    ) -> list[Room]:
        """Rooms in creation order, optionally filtered (:meth:`find_rooms` without metadata)."""
        return await self.find_rooms(organization_id, status, limit=limit, offset=offset)

    async def find_room_id_by_channel(
        self, channel_id: str, status: RoomStatus | str | None = None
    ) -> str | None:
        """The id of the most recently active room ``channel_id`` is bound to, in ``status``
        (any status when ``None``); ``None`` when there is none."""
        wanted = None if status is None else RoomStatus(status)
        room = await self.find_latest_room(channel_id, status=wanted)
        return None if room is None else room.id


class BindingStore(ABC):
    """The channels bound to each room, with their per-room settings."""

    @abstractmethod
    async def add_binding(self, binding: ChannelBinding) -> ChannelBinding:
        """Attach a channel to a room (replacing an existing binding of the same channel)."""

    @abstractmethod
    async def get_binding(self, room_id: str, channel_id: str) -> ChannelBinding | None:
        """The binding of ``channel_id`` in ``room_id``."""

    @abstractmethod
    async def update_binding(self, binding: ChannelBinding) -> ChannelBinding:
        """Replace a stored binding; :class:`~roomkit.errors.StoreError` if not attached."""

    @abstractmethod
    async def remove_binding(self, room_id: str, channel_id: str) -> bool:
        """Detach a channel; ``False`` if it was not attached."""

    @abstractmethod
    async def list_bindings(self, room_id: str) -> list[ChannelBinding]:
        """Bindings of a room in attachment order."""


class EventStore(ABC):
    """The timeline of each room: indexed, idempotent, ordered events."""

    @abstractmethod
    async def add_event(self, event: RoomEvent) -> RoomEvent:
        """Store an event, assigning its index (see the contract's rules on idempotency and on
        the sender of an inbound event joining the room)."""

    @abstractmethod
    async def get_event(self, event_id: str) -> RoomEvent | None:
        """The event with this id."""

    @abstractmethod
    async def update_event(self, event: RoomEvent) -> RoomEvent:
        """Replace a stored event (status, delivery results, metadata); its index is kept."""

    @abstractmethod
    async def get_event_by_idempotency_key(self, room_id: str, key: str) -> RoomEvent | None:
        """The event stored in ``room_id`` with this idempotency key."""

    @abstractmethod
    async def list_events(
        self,
        room_id: str,
        offset: int = 0,
        limit: int = 50,
        visibility_filter: str | None = None,
        *,
        after_index: int | None = None,
        before_index: int | None = None,
    ) -> list[RoomEvent]:
        """Events of a room by index; ``after_index`` / ``before_index`` are exclusive bounds,
        ``visibility_filter`` keeps the events whose ``visibility`` equals it; ``offset`` /
        ``limit`` page what the bounds and the filter leave."""

    @abstractmethod
    async def get_recent_events(self, room_id: str, limit: int = 20) -> list[RoomEvent]:
        """The last ``limit`` events of a room, oldest first. Cost must not grow with history."""

    @abstractmethod
    async def count_events(self, room_id: str) -> int:
        """How many events a room holds (0 for a missing room)."""

    async def get_event_count(self, room_id: str) -> int:
        """How many events a room holds (the name RoomKit 0.6 used)."""
        return await self.count_events(room_id)

    async def check_idempotency(self, room_id: str, key: str) -> bool:
        """Whether an event with this idempotency key is stored in ``room_id``."""
        return await self.get_event_by_idempotency_key(room_id, key) is not None

    async def add_event_auto_index(self, room_id: str, event: RoomEvent) -> RoomEvent:
        """Store ``event`` in ``room_id`` (the store always assigns the index)."""
        if event.room_id != room_id:
            event = event.model_copy(update={"room_id": room_id})
        return await self.add_event(event)


class MemberStore(ABC):
    """Who takes part: the participants of each room, and identities across channels."""

    @abstractmethod
    async def add_participant(self, participant: Participant) -> Participant:
        """Add (or replace) a participant of a room."""

    @abstractmethod
    async def get_participant(self, room_id: str, participant_id: str) -> Participant | None:
        """A participant of a room. Cost must not grow with the room's membership."""

    @abstractmethod
    async def update_participant(self, participant: Participant) -> Participant:
        """Replace a stored participant (added when missing, like :meth:`add_participant`)."""

    @abstractmethod
    async def list_participants(self, room_id: str) -> list[Participant]:
        """Participants of a room in joining order."""

    @abstractmethod
    async def create_identity(self, identity: Identity) -> Identity:
        """Store an identity and index its channel addresses; the id must be new."""

    @abstractmethod
    async def get_identity(self, identity_id: str) -> Identity | None:
        """The identity with this id."""

    @abstractmethod
    async def resolve_identity(self, channel_type: str, address: str) -> Identity | None:
        """The identity reachable at ``address`` on ``channel_type``."""

    @abstractmethod
    async def link_address(self, identity_id: str, channel_type: str, address: str) -> Identity:
        """Add an address to an identity; :class:`~roomkit.errors.StoreError` if it is missing."""


class TaskStore(ABC):
    """What conversations produce: tasks to do and observations made."""

    @abstractmethod
    async def add_task(self, task: Task) -> Task:
        """Store a task; the id must be new."""

    @abstractmethod
    async def get_task(self, task_id: str) -> Task | None:
        """The task with this id."""

    @abstractmethod
    async def update_task(self, task: Task) -> Task:
        """Replace a stored task; :class:`~roomkit.errors.StoreError` if it is missing."""

    @abstractmethod
    async def list_tasks(self, room_id: str, status: TaskStatus | str | None = None) -> list[Task]:
        """Tasks of a room in creation order, optionally only those in ``status``."""

    @abstractmethod
    async def add_observation(self, observation: Observation) -> Observation:
        """Store an observation."""

    @abstractmethod
    async def list_observations(self, room_id: str) -> list[Observation]:
        """Observations of a room in creation order."""


class ReadStateStore(ABC):
    """How far each channel has read each room (read receipts, unread badges).

    A channel's read marker is the index of the last event it has read; events after it are
    unread. A channel that never marked anything has read nothing. Markers belong to the room
    (kept when the channel is detached, deleted with the room).
    """

    @abstractmethod
    async def mark_read(self, room_id: str, channel_id: str, event_id: str) -> None:
        """Set ``channel_id``'s marker in ``room_id`` to ``event_id`` (which may move it back).

        :class:`~roomkit.errors.RoomNotFoundError` for a missing room,
        :class:`~roomkit.errors.StoreError` when the event is not in the room.
        """

    @abstractmethod
    async def mark_all_read(self, room_id: str, channel_id: str) -> None:
        """Set ``channel_id``'s marker to the room's latest event (nothing unread now)."""

    @abstractmethod
    async def get_unread_count(self, room_id: str, channel_id: str) -> int:
        """How many events of ``room_id`` come after ``channel_id``'s marker (0 for a
        missing room)."""
