"""The in-process conversation store: dictionaries and per-room lists, no copies.

Everything lives in plain Python containers. Objects are stored and returned as they are (no
defensive copies, see :class:`~roomkit.store.base.ConversationStore`): a stored event is the
same object the engine handed in. Per-room event lists make the tail of a timeline and index
ranges O(k) reads, whatever the room's age. The methods never await, so under asyncio every
call is atomic: indexes stay unique and gap-free however many writers run concurrently.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from roomkit.errors import RoomNotFoundError, StoreError
from roomkit.models._construct import construct
from roomkit.models.context import RoomContext
from roomkit.models.enums import RoomStatus, TaskStatus
from roomkit.models.event import RoomEvent
from roomkit.models.participant import Identity, Participant
from roomkit.models.room import ChannelBinding, Room
from roomkit.models.task import Observation, Task
from roomkit.store.base import ConversationStore

__all__ = ["InMemoryStore"]


@dataclass(slots=True)
class _RoomData:
    room: Room
    seq: int  # creation order, for stable listing
    activity: int = 0  # logical clock of the last event, for find_latest_room
    events: list[RoomEvent] = field(default_factory=list)
    bindings: dict[str, ChannelBinding] = field(default_factory=dict)
    participants: dict[str, Participant] = field(default_factory=dict)
    idempotency: dict[str, RoomEvent] = field(default_factory=dict)
    tasks: list[Task] = field(default_factory=list)
    observations: list[Observation] = field(default_factory=list)


class InMemoryStore(ConversationStore):
    """A :class:`~roomkit.store.base.ConversationStore` kept in memory (the default).

    Good for development, tests and single-process deployments that can lose their history on
    restart. ``add_event`` also keeps the room's ``event_count``, ``latest_index`` and
    ``last_activity_at`` up to date.
    """

    def __init__(self) -> None:
        self._rooms: dict[str, _RoomData] = {}
        self._events: dict[str, RoomEvent] = {}
        self._identities: dict[str, Identity] = {}
        self._addresses: dict[tuple[str, str], str] = {}
        self._tasks: dict[str, Task] = {}
        # (channel_id, participant_id) -> room ids the participant wrote in, in first-use order
        self._rooms_by_sender: dict[tuple[str, str], dict[str, None]] = {}
        # channel_id -> ids of rooms the channel is bound to
        self._rooms_by_channel: dict[str, dict[str, None]] = {}
        self._seq = 0
        self._clock = 0

    def _data(self, room_id: str) -> _RoomData:
        data = self._rooms.get(room_id)
        if data is None:
            raise RoomNotFoundError(f"room {room_id!r} does not exist")
        return data

    # -- rooms ---------------------------------------------------------------------------
    async def create_room(self, room: Room) -> Room:
        if room.id in self._rooms:
            raise StoreError(f"a room with id {room.id!r} already exists")
        self._seq += 1
        self._rooms[room.id] = _RoomData(room=room, seq=self._seq)
        return room

    async def get_room(self, room_id: str) -> Room | None:
        data = self._rooms.get(room_id)
        return None if data is None else data.room

    async def update_room(self, room: Room) -> Room:
        self._data(room.id).room = room
        return room

    async def delete_room(self, room_id: str) -> bool:
        data = self._rooms.pop(room_id, None)
        if data is None:
            return False
        for event in data.events:
            self._events.pop(event.id, None)
        for task in data.tasks:
            self._tasks.pop(task.id, None)
        for channel_id in data.bindings:
            self._rooms_by_channel.get(channel_id, {}).pop(room_id, None)
        for rooms in self._rooms_by_sender.values():
            rooms.pop(room_id, None)
        return True

    async def list_rooms(
        self,
        *,
        status: RoomStatus | None = None,
        organization_id: str | None = None,
        offset: int = 0,
        limit: int = 100,
    ) -> list[Room]:
        rooms = [
            d.room
            for d in self._rooms.values()
            if (status is None or d.room.status == status)
            and (organization_id is None or d.room.organization_id == organization_id)
        ]
        return rooms[offset : offset + limit]

    async def find_latest_room(
        self,
        channel_id: str,
        participant_id: str | None = None,
        *,
        status: RoomStatus | None = RoomStatus.ACTIVE,
    ) -> Room | None:
        if participant_id is not None:
            candidates = self._rooms_by_sender.get((channel_id, participant_id))
        else:
            candidates = self._rooms_by_channel.get(channel_id)
        if not candidates:
            return None
        best: _RoomData | None = None
        for room_id in candidates:
            data = self._rooms.get(room_id)
            if data is None or channel_id not in data.bindings:
                continue
            if status is not None and data.room.status != status:
                continue
            if best is None or (data.activity, data.seq) > (best.activity, best.seq):
                best = data
        return None if best is None else best.room

    # -- events --------------------------------------------------------------------------
    async def add_event(self, event: RoomEvent) -> RoomEvent:
        data = self._data(event.room_id)
        key = event.idempotency_key
        if key is not None:
            first = data.idempotency.get(key)
            if first is not None:
                return first
        if event.id in self._events:
            raise StoreError(f"an event with id {event.id!r} is already stored")
        if key is not None:
            data.idempotency[key] = event
        events = data.events
        event.index = len(events)
        events.append(event)
        self._events[event.id] = event
        self._clock += 1
        data.activity = self._clock
        room = data.room
        room.event_count = len(events)
        room.latest_index = event.index
        room.last_activity_at = event.created_at
        participant_id = event.source.participant_id
        if participant_id is not None:
            rooms = self._rooms_by_sender.get((event.source.channel_id, participant_id))
            if rooms is None:
                self._rooms_by_sender[(event.source.channel_id, participant_id)] = {
                    event.room_id: None
                }
            elif event.room_id not in rooms:
                rooms[event.room_id] = None
        return event

    async def get_event(self, event_id: str) -> RoomEvent | None:
        return self._events.get(event_id)

    async def update_event(self, event: RoomEvent) -> RoomEvent:
        stored = self._events.get(event.id)
        if stored is None:
            raise StoreError(f"event {event.id!r} is not stored")
        if stored is not event:
            event.index = stored.index
            self._data(event.room_id).events[stored.index] = event
            self._events[event.id] = event
        return event

    async def get_event_by_idempotency_key(self, room_id: str, key: str) -> RoomEvent | None:
        data = self._rooms.get(room_id)
        return None if data is None else data.idempotency.get(key)

    async def list_events(
        self,
        room_id: str,
        *,
        offset: int = 0,
        limit: int = 50,
        after_index: int | None = None,
        before_index: int | None = None,
    ) -> list[RoomEvent]:
        data = self._rooms.get(room_id)
        if data is None:
            return []
        # Index i sits at position i, so the bounds are slice positions.
        start = 0 if after_index is None else max(after_index + 1, 0)
        stop = len(data.events) if before_index is None else max(before_index, 0)
        start += max(offset, 0)
        if limit < 0:
            limit = 0
        return data.events[start : min(stop, start + limit)]

    async def get_recent_events(self, room_id: str, limit: int = 20) -> list[RoomEvent]:
        data = self._rooms.get(room_id)
        if data is None or limit <= 0:
            return []
        return data.events[-limit:]

    async def count_events(self, room_id: str) -> int:
        data = self._rooms.get(room_id)
        return 0 if data is None else len(data.events)

    async def get_event_count(self, room_id: str) -> int:
        """Alias of :meth:`count_events` (the name earlier RoomKit versions used)."""
        return await self.count_events(room_id)

    # -- snapshots -----------------------------------------------------------------------
    async def get_room_snapshot(self, room_id: str, *, recent: int = 20) -> RoomContext | None:
        data = self._rooms.get(room_id)
        if data is None:
            return None
        return construct(
            RoomContext,
            {
                "room": data.room,
                "bindings": list(data.bindings.values()),
                "participants": list(data.participants.values()),
                "recent_events": data.events[-recent:] if recent > 0 else [],
                "metadata": {},
            },
        )

    # -- bindings ------------------------------------------------------------------------
    async def add_binding(self, binding: ChannelBinding) -> ChannelBinding:
        data = self._data(binding.room_id)
        data.bindings[binding.channel_id] = binding
        self._rooms_by_channel.setdefault(binding.channel_id, {})[binding.room_id] = None
        return binding

    async def get_binding(self, room_id: str, channel_id: str) -> ChannelBinding | None:
        data = self._rooms.get(room_id)
        return None if data is None else data.bindings.get(channel_id)

    async def update_binding(self, binding: ChannelBinding) -> ChannelBinding:
        data = self._data(binding.room_id)
        if binding.channel_id not in data.bindings:
            raise StoreError(
                f"channel {binding.channel_id!r} is not attached to room {binding.room_id!r}"
            )
        data.bindings[binding.channel_id] = binding
        return binding

    async def remove_binding(self, room_id: str, channel_id: str) -> bool:
        data = self._rooms.get(room_id)
        if data is None or data.bindings.pop(channel_id, None) is None:
            return False
        self._rooms_by_channel.get(channel_id, {}).pop(room_id, None)
        return True

    async def list_bindings(self, room_id: str) -> list[ChannelBinding]:
        data = self._rooms.get(room_id)
        return [] if data is None else list(data.bindings.values())

    # -- participants --------------------------------------------------------------------
    async def add_participant(self, participant: Participant) -> Participant:
        data = self._data(participant.room_id)
        data.participants[participant.id] = participant
        rooms = self._rooms_by_sender.setdefault((participant.channel_id, participant.id), {})
        rooms.setdefault(participant.room_id, None)
        return participant

    async def get_participant(self, room_id: str, participant_id: str) -> Participant | None:
        data = self._rooms.get(room_id)
        return None if data is None else data.participants.get(participant_id)

    async def update_participant(self, participant: Participant) -> Participant:
        data = self._data(participant.room_id)
        if participant.id not in data.participants:
            raise StoreError(
                f"participant {participant.id!r} is not in room {participant.room_id!r}"
            )
        data.participants[participant.id] = participant
        return participant

    async def list_participants(self, room_id: str) -> list[Participant]:
        data = self._rooms.get(room_id)
        return [] if data is None else list(data.participants.values())

    # -- identities ----------------------------------------------------------------------
    async def create_identity(self, identity: Identity) -> Identity:
        if identity.id in self._identities:
            raise StoreError(f"an identity with id {identity.id!r} already exists")
        self._identities[identity.id] = identity
        for channel_type, addresses in identity.channel_addresses.items():
            for address in addresses:
                self._addresses[(str(channel_type), address)] = identity.id
        return identity

    async def get_identity(self, identity_id: str) -> Identity | None:
        return self._identities.get(identity_id)

    async def resolve_identity(self, channel_type: str, address: str) -> Identity | None:
        identity_id = self._addresses.get((str(channel_type), address))
        return None if identity_id is None else self._identities.get(identity_id)

    async def link_address(self, identity_id: str, channel_type: str, address: str) -> Identity:
        identity = self._identities.get(identity_id)
        if identity is None:
            raise StoreError(f"identity {identity_id!r} does not exist")
        addresses = identity.channel_addresses.setdefault(str(channel_type), [])
        if address not in addresses:
            addresses.append(address)
        self._addresses[(str(channel_type), address)] = identity_id
        return identity

    # -- tasks and observations ------------------------------------------------------------
    async def add_task(self, task: Task) -> Task:
        data = self._data(task.room_id)
        if task.id in self._tasks:
            raise StoreError(f"a task with id {task.id!r} already exists")
        data.tasks.append(task)
        self._tasks[task.id] = task
        return task

    async def get_task(self, task_id: str) -> Task | None:
        return self._tasks.get(task_id)

    async def update_task(self, task: Task) -> Task:
        stored = self._tasks.get(task.id)
        if stored is None:
            raise StoreError(f"task {task.id!r} does not exist")
        if stored is not task:
            tasks = self._data(task.room_id).tasks
            tasks[tasks.index(stored)] = task
            self._tasks[task.id] = task
        return task

    async def list_tasks(self, room_id: str, *, status: TaskStatus | None = None) -> list[Task]:
        data = self._rooms.get(room_id)
        if data is None:
            return []
        return [t for t in data.tasks if status is None or t.status == status]

    async def add_observation(self, observation: Observation) -> Observation:
        self._data(observation.room_id).observations.append(observation)
        return observation

    async def list_observations(self, room_id: str) -> list[Observation]:
        data = self._rooms.get(room_id)
        return [] if data is None else list(data.observations)
