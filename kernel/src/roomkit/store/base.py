"""The conversation store contract: rooms, events, bindings, participants, identities, tasks."""

from __future__ import annotations

from abc import ABC, abstractmethod

from roomkit.models.context import RoomContext
from roomkit.models.enums import RoomStatus, TaskStatus
from roomkit.models.event import RoomEvent
from roomkit.models.participant import Identity, Participant
from roomkit.models.room import ChannelBinding, Room
from roomkit.models.task import Observation, Task

__all__ = ["ConversationStore"]


class ConversationStore(ABC):
    """Persistence for everything a room holds.

    Rules every implementation keeps (the conformance suite checks them):

    * :meth:`add_event` assigns ``event.index``: unique and gap-free per room, from 0, even
      under concurrent writers (and across processes for shared stores).
    * An event whose ``(room_id, idempotency_key)`` was stored before is not stored again:
      :meth:`add_event` returns the event stored the first time (so ``returned.id != event.id``
      tells the caller it was a duplicate).
    * Lists of events are ordered by ``index`` ascending.
    * Returned objects may be shared with the store (no defensive copies): callers that want
      to change one call the matching ``update_*`` method with the changed object.
    * Missing objects are ``None`` / ``False``, never an exception; writes that reference a
      missing room raise :class:`roomkit.errors.RoomNotFoundError`.
    """

    # -- rooms ---------------------------------------------------------------------------
    @abstractmethod
    async def create_room(self, room: Room) -> Room:
        """Store a new room; raises :class:`roomkit.errors.StoreError` if the id is taken."""

    @abstractmethod
    async def get_room(self, room_id: str) -> Room | None:
        """The room with this id."""

    @abstractmethod
    async def update_room(self, room: Room) -> Room:
        """Replace a stored room (matched by id)."""

    @abstractmethod
    async def delete_room(self, room_id: str) -> bool:
        """Delete a room and everything in it; ``False`` if it did not exist."""

    @abstractmethod
    async def list_rooms(
        self,
        *,
        status: RoomStatus | None = None,
        organization_id: str | None = None,
        offset: int = 0,
        limit: int = 100,
    ) -> list[Room]:
        """Rooms ordered by creation time, optionally filtered."""

    @abstractmethod
    async def find_latest_room(
        self,
        channel_id: str,
        participant_id: str | None = None,
        *,
        status: RoomStatus | None = RoomStatus.ACTIVE,
    ) -> Room | None:
        """The most recently active room that ``channel_id`` is bound to (and, when given,
        where ``participant_id`` has taken part): how inbound messages find their room."""

    # -- events --------------------------------------------------------------------------
    @abstractmethod
    async def add_event(self, event: RoomEvent) -> RoomEvent:
        """Store an event, assigning its index (see the class rules on idempotency)."""

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
        *,
        offset: int = 0,
        limit: int = 50,
        after_index: int | None = None,
        before_index: int | None = None,
    ) -> list[RoomEvent]:
        """Events of a room by index; ``after_index`` / ``before_index`` are exclusive bounds."""

    @abstractmethod
    async def get_recent_events(self, room_id: str, limit: int = 20) -> list[RoomEvent]:
        """The last ``limit`` events of a room, oldest first. Cost must not grow with history."""

    @abstractmethod
    async def count_events(self, room_id: str) -> int:
        """How many events a room holds."""

    # -- snapshots -----------------------------------------------------------------------
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

    # -- bindings ------------------------------------------------------------------------
    @abstractmethod
    async def add_binding(self, binding: ChannelBinding) -> ChannelBinding:
        """Attach a channel to a room (replacing an existing binding of the same channel)."""

    @abstractmethod
    async def get_binding(self, room_id: str, channel_id: str) -> ChannelBinding | None:
        """The binding of ``channel_id`` in ``room_id``."""

    @abstractmethod
    async def update_binding(self, binding: ChannelBinding) -> ChannelBinding:
        """Replace a stored binding."""

    @abstractmethod
    async def remove_binding(self, room_id: str, channel_id: str) -> bool:
        """Detach a channel; ``False`` if it was not attached."""

    @abstractmethod
    async def list_bindings(self, room_id: str) -> list[ChannelBinding]:
        """Bindings of a room in attachment order."""

    # -- participants --------------------------------------------------------------------
    @abstractmethod
    async def add_participant(self, participant: Participant) -> Participant:
        """Add (or replace) a participant of a room."""

    @abstractmethod
    async def get_participant(self, room_id: str, participant_id: str) -> Participant | None:
        """A participant of a room."""

    @abstractmethod
    async def update_participant(self, participant: Participant) -> Participant:
        """Replace a stored participant."""

    @abstractmethod
    async def list_participants(self, room_id: str) -> list[Participant]:
        """Participants of a room in joining order."""

    # -- identities ----------------------------------------------------------------------
    @abstractmethod
    async def create_identity(self, identity: Identity) -> Identity:
        """Store an identity and index its channel addresses."""

    @abstractmethod
    async def get_identity(self, identity_id: str) -> Identity | None:
        """The identity with this id."""

    @abstractmethod
    async def resolve_identity(self, channel_type: str, address: str) -> Identity | None:
        """The identity reachable at ``address`` on ``channel_type``."""

    @abstractmethod
    async def link_address(self, identity_id: str, channel_type: str, address: str) -> Identity:
        """Add an address to an identity."""

    # -- tasks and observations ------------------------------------------------------------
    @abstractmethod
    async def add_task(self, task: Task) -> Task:
        """Store a task."""

    @abstractmethod
    async def get_task(self, task_id: str) -> Task | None:
        """The task with this id."""

    @abstractmethod
    async def update_task(self, task: Task) -> Task:
        """Replace a stored task."""

    @abstractmethod
    async def list_tasks(self, room_id: str, *, status: TaskStatus | None = None) -> list[Task]:
        """Tasks of a room in creation order."""

    @abstractmethod
    async def add_observation(self, observation: Observation) -> Observation:
        """Store an observation."""

    @abstractmethod
    async def list_observations(self, room_id: str) -> list[Observation]:
        """Observations of a room in creation order."""

    async def close(self) -> None:  # noqa: B027 - optional hook
        """Close connections."""
