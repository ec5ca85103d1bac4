"""The in-process conversation store: dictionaries and per-room lists, no copies.

Everything lives in plain Python containers. Objects are stored and returned as they are (no
defensive copies, see :class:`~roomkit.store.base.ConversationStore`): a stored event is the
same object the engine handed in, once :func:`~roomkit.store.validation.check_storable` has
accepted it (the same rules as every other store). Per-room event lists make the tail of a
timeline and index ranges O(k) reads, whatever the room's age; participants are a dict per room,
so finding or adding one costs the same in a room of any size. The methods never await, so
under asyncio every call is atomic: indexes stay unique and gap-free however many writers run.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from roomkit.errors import RoomNotFoundError, StoreError
from roomkit.models._construct import construct_all
from roomkit.models.context import RoomContext
from roomkit.models.enums import ChannelDirection, RoomStatus, TaskStatus
from roomkit.models.event import RoomEvent
from roomkit.models.participant import Identity, Participant
from roomkit.models.room import ChannelBinding, Room
from roomkit.models.task import Observation, Task
from roomkit.store.base import ConversationStore
from roomkit.store.contracts import MetadataPage
from roomkit.store.validation import (
    INT64_MAX,
    check_index,
    check_page,
    check_recent,
    check_storable,
    check_text,
    readable_key,
)

__all__ = ["InMemoryStore"]

_INBOUND = ChannelDirection.INBOUND
_ROOM_COUNTERS = ("event_count", "latest_index", "last_activity_at")


@dataclass(slots=True)
class _RoomData:
    room: Room
    seq: int  # creation order, for stable listing
    activity: int = 0  # logical clock of the last event, for find_latest_room
    events: list[RoomEvent] = field(default_factory=list)
    bindings: dict[str, ChannelBinding] = field(default_factory=dict)
    participants: dict[str, Participant] = field(default_factory=dict)
    members: list[Participant] | None = None  # participants as a list, until the next change
    senders: set[tuple[str, str]] = field(default_factory=set)  # keys in _rooms_by_sender
    idempotency: dict[str, RoomEvent] = field(default_factory=dict)
    tasks: list[Task] = field(default_factory=list)
    observations: list[Observation] = field(default_factory=list)
    read_markers: dict[str, int] = field(default_factory=dict)

    def member_list(self) -> list[Participant]:
        """The participants in joining order; shared until a participant changes."""
        members = self.members
        if members is None:
            members = self.members = list(self.participants.values())
        return members


class InMemoryStore(ConversationStore):
    """A :class:`~roomkit.store.base.ConversationStore` kept in memory (the default).

    Good for development, tests and single-process deployments that can lose their history on
    restart. ``add_event`` also keeps the room's ``event_count``, ``latest_index`` and
    ``last_activity_at`` up to date.
    """

    traced_calls = False  # dictionary work: no span per call (see ConversationStore)
    snapshot_is_context = True  # each snapshot is built on the call (see ConversationStore)

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

    # A ``str`` key (exactly) is looked up as it is: one nothing can be stored under (see
    # ``readable_key``) is simply not found. Other keys are tested first (a list is unhashable).
    def _data(self, room_id: str) -> _RoomData:
        data = self._rooms.get(room_id) if type(room_id) is str or readable_key(room_id) else None
        if data is None:
            raise RoomNotFoundError(f"room {room_id!r} does not exist")
        return data

    def _find(self, room_id: str) -> _RoomData | None:
        return self._rooms.get(room_id) if type(room_id) is str or readable_key(room_id) else None

    def _note_sender(self, data: _RoomData, channel_id: str, participant_id: str) -> None:
        key = (channel_id, participant_id)
        rooms = self._rooms_by_sender.get(key)
        if rooms is None:
            self._rooms_by_sender[key] = {data.room.id: None}
        elif data.room.id not in rooms:
            rooms[data.room.id] = None
        data.senders.add(key)

    # -- rooms ---------------------------------------------------------------------------
    async def create_room(self, room: Room) -> Room:
        check_storable(room)
        if room.id in self._rooms:
            raise StoreError(f"a room with id {room.id!r} already exists")
        self._seq += 1
        self._rooms[room.id] = _RoomData(room=room, seq=self._seq)
        return room

    async def get_room(self, room_id: str) -> Room | None:
        data = self._find(room_id)
        return None if data is None else data.room

    async def update_room(self, room: Room) -> Room:
        check_storable(room)
        data = self._data(room.id)
        room.event_count = len(data.events)
        room.latest_index = len(data.events) - 1
        data.room = room
        return room

    async def delete_room(self, room_id: str) -> bool:
        data = self._find(room_id)
        if data is None:
            return False
        del self._rooms[room_id]
        for event in data.events:
            self._events.pop(event.id, None)
        for task in data.tasks:
            self._tasks.pop(task.id, None)
        for channel_id in data.bindings:
            self._rooms_by_channel.get(channel_id, {}).pop(room_id, None)
        for key in data.senders:
            rooms = self._rooms_by_sender.get(key)
            if rooms is not None:
                rooms.pop(room_id, None)
                if not rooms:
                    del self._rooms_by_sender[key]
        return True

    async def find_rooms(
        self,
        organization_id: str | None = None,
        status: RoomStatus | str | None = None,
        metadata_filter: dict[str, Any] | None = None,
        *,
        limit: int = 100,
        offset: int = 0,
    ) -> list[Room]:
        offset, limit = check_page(offset, limit)
        wanted = None if status is None else RoomStatus(status)
        page = MetadataPage(metadata_filter, offset, limit)
        for data in self._rooms.values():
            room = data.room
            if wanted is not None and room.status != wanted:
                continue
            if organization_id is not None and room.organization_id != organization_id:
                continue
            if not page.offer(room):
                break
        return page.rooms

    async def find_latest_room(
        self,
        channel_id: str,
        participant_id: str | None = None,
        *,
        status: RoomStatus | None = RoomStatus.ACTIVE,
    ) -> Room | None:
        if type(channel_id) is not str and not readable_key(channel_id):
            return None
        if participant_id is not None:
            if type(participant_id) is not str and not readable_key(participant_id):
                return None
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
        check_storable(event)
        room_id = event.room_id
        data = self._rooms.get(room_id) if type(room_id) is str else None  # _data, in line
        if data is None:
            data = self._data(room_id)
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
        index = len(events)
        # What ``event.index = index`` etc. do for these models (no assignment validation),
        # written directly: this runs for every stored event.
        event.__dict__["index"] = index
        event.__pydantic_fields_set__.add("index")
        events.append(event)
        self._events[event.id] = event
        self._clock += 1
        data.activity = self._clock
        room = data.room
        fields = room.__dict__
        fields["event_count"] = index + 1
        fields["latest_index"] = index
        fields["last_activity_at"] = event.created_at
        room.__pydantic_fields_set__.update(_ROOM_COUNTERS)
        source = event.source
        participant_id = source.participant_id
        if participant_id is not None:
            if (source.channel_id, participant_id) not in data.senders:
                self._note_sender(data, source.channel_id, participant_id)
            if participant_id not in data.participants and source.direction == _INBOUND:
                data.participants[participant_id] = Participant(
                    id=participant_id,
                    room_id=event.room_id,
                    channel_id=source.channel_id,
                    joined_at=event.created_at,
                )
                data.members = None
        return event

    async def get_event(self, event_id: str) -> RoomEvent | None:
        return self._events.get(event_id) if readable_key(event_id) else None

    async def update_event(self, event: RoomEvent) -> RoomEvent:
        check_storable(event)
        stored = self._events.get(event.id)
        if stored is None:
            self._data(event.room_id)
            raise StoreError(f"event {event.id!r} is not stored; add it with add_event")
        if stored is not event:
            event.index = stored.index
            self._data(stored.room_id).events[stored.index] = event
            self._events[event.id] = event
        return event

    async def get_event_by_idempotency_key(self, room_id: str, key: str) -> RoomEvent | None:
        data = self._find(room_id)
        if data is None or not readable_key(key):
            return None
        return data.idempotency.get(key)

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
        offset, limit = check_page(offset, limit)
        after = check_index(after_index, "after_index")
        before = check_index(before_index, "before_index")
        data = self._find(room_id)
        if data is None:
            return []
        # Index i sits at position i, so the bounds are slice positions.
        start = 0 if after is None else max(after + 1, 0)
        stop = len(data.events) if before is None else max(before, 0)
        if visibility_filter is None:
            start += offset
            return data.events[start : min(stop, start + limit)]
        matching = (e for e in data.events[start:stop] if e.visibility == visibility_filter)
        page: list[RoomEvent] = []
        for n, event in enumerate(matching):
            if n >= offset + limit:
                break
            if n >= offset:
                page.append(event)
        return page

    async def get_recent_events(self, room_id: str, limit: int = 20) -> list[RoomEvent]:
        _, limit = check_page(0, limit)
        data = self._find(room_id)
        if data is None or limit == 0:
            return []
        return data.events[-limit:]

    async def count_events(self, room_id: str) -> int:
        data = self._find(room_id)
        return 0 if data is None else len(data.events)

    # -- snapshots -----------------------------------------------------------------------
    async def get_room_snapshot(self, room_id: str, *, recent: int = 20) -> RoomContext | None:
        if type(recent) is not int or not 0 <= recent <= INT64_MAX:
            recent = check_recent(recent)
        data = self._find(room_id)
        if data is None:
            return None
        return construct_all(  # every field, in order
            RoomContext,
            {
                "room": data.room,
                "bindings": list(data.bindings.values()),
                "participants": list(data.member_list()),  # the caller's own list
                "recent_events": data.events[-recent:] if recent > 0 else [],
                "metadata": {},
            },
        )

    async def get_message_snapshot(
        self, room_id: str, participant_id: str | None, *, recent: int = 20
    ) -> RoomContext | None:
        if type(recent) is not int or not 0 <= recent <= INT64_MAX:
            recent = check_recent(recent)
        data = self._rooms.get(room_id) if type(room_id) is str else self._find(room_id)
        if data is None:
            return None
        sender = data.participants.get(participant_id) if participant_id else None
        return construct_all(  # every field, in order
            RoomContext,
            {
                "room": data.room,
                "bindings": list(data.bindings.values()),
                "participants": [sender] if sender is not None else [],
                "recent_events": data.events[-recent:] if recent > 0 else [],
                "metadata": {},
            },
        )

    # -- bindings ------------------------------------------------------------------------
    async def add_binding(self, binding: ChannelBinding) -> ChannelBinding:
        check_storable(binding)
        data = self._data(binding.room_id)
        data.bindings[binding.channel_id] = binding
        self._rooms_by_channel.setdefault(binding.channel_id, {})[binding.room_id] = None
        return binding

    async def get_binding(self, room_id: str, channel_id: str) -> ChannelBinding | None:
        data = self._find(room_id)
        if data is None or not readable_key(channel_id):
            return None
        return data.bindings.get(channel_id)

    async def update_binding(self, binding: ChannelBinding) -> ChannelBinding:
        check_storable(binding)
        data = self._data(binding.room_id)
        if binding.channel_id not in data.bindings:
            raise StoreError(
                f"channel {binding.channel_id!r} is not attached to room {binding.room_id!r}"
            )
        data.bindings[binding.channel_id] = binding
        return binding

    async def remove_binding(self, room_id: str, channel_id: str) -> bool:
        data = self._find(room_id)
        if data is None or not readable_key(channel_id):
            return False
        if data.bindings.pop(channel_id, None) is None:
            return False
        self._rooms_by_channel.get(channel_id, {}).pop(room_id, None)
        return True

    async def list_bindings(self, room_id: str) -> list[ChannelBinding]:
        data = self._find(room_id)
        return [] if data is None else list(data.bindings.values())

    # -- participants --------------------------------------------------------------------
    async def add_participant(self, participant: Participant) -> Participant:
        check_storable(participant)
        data = self._data(participant.room_id)
        data.participants[participant.id] = participant
        data.members = None
        self._note_sender(data, participant.channel_id, participant.id)
        return participant

    async def get_participant(self, room_id: str, participant_id: str) -> Participant | None:
        data = self._find(room_id)
        if data is None or not readable_key(participant_id):
            return None
        return data.participants.get(participant_id)

    async def update_participant(self, participant: Participant) -> Participant:
        return await self.add_participant(participant)

    async def list_participants(self, room_id: str) -> list[Participant]:
        data = self._find(room_id)
        return [] if data is None else list(data.participants.values())

    # -- identities ----------------------------------------------------------------------
    async def create_identity(self, identity: Identity) -> Identity:
        check_storable(identity)
        if identity.id in self._identities:
            raise StoreError(f"an identity with id {identity.id!r} already exists")
        self._identities[identity.id] = identity
        for channel_type, addresses in identity.channel_addresses.items():
            for address in addresses:
                self._addresses[(str(channel_type), address)] = identity.id
        return identity

    async def get_identity(self, identity_id: str) -> Identity | None:
        return self._identities.get(identity_id) if readable_key(identity_id) else None

    async def resolve_identity(self, channel_type: str, address: str) -> Identity | None:
        if not readable_key(str(channel_type)) or not readable_key(address):
            return None
        identity_id = self._addresses.get((str(channel_type), address))
        return None if identity_id is None else self._identities.get(identity_id)

    async def link_address(self, identity_id: str, channel_type: str, address: str) -> Identity:
        check_text(str(channel_type), "channel_type")
        check_text(address, "address")
        identity = self._identities.get(identity_id) if readable_key(identity_id) else None
        if identity is None:
            raise StoreError(f"identity {identity_id!r} does not exist; create it first")
        addresses = identity.channel_addresses.setdefault(str(channel_type), [])
        if address not in addresses:
            addresses.append(address)
        self._addresses[(str(channel_type), address)] = identity_id
        return identity

    # -- tasks and observations ------------------------------------------------------------
    async def add_task(self, task: Task) -> Task:
        check_storable(task)
        data = self._data(task.room_id)
        if task.id in self._tasks:
            raise StoreError(f"a task with id {task.id!r} already exists")
        data.tasks.append(task)
        self._tasks[task.id] = task
        return task

    async def get_task(self, task_id: str) -> Task | None:
        return self._tasks.get(task_id) if readable_key(task_id) else None

    async def update_task(self, task: Task) -> Task:
        check_storable(task)
        stored = self._tasks.get(task.id)
        if stored is None:
            raise StoreError(f"task {task.id!r} does not exist; add it with add_task")
        if stored is not task:
            tasks = self._data(stored.room_id).tasks
            tasks[tasks.index(stored)] = task
            self._tasks[task.id] = task
        return task

    async def list_tasks(self, room_id: str, status: TaskStatus | str | None = None) -> list[Task]:
        data = self._find(room_id)
        if data is None:
            return []
        wanted = None if status is None else TaskStatus(status)
        return [t for t in data.tasks if wanted is None or t.status == wanted]

    async def add_observation(self, observation: Observation) -> Observation:
        check_storable(observation)
        self._data(observation.room_id).observations.append(observation)
        return observation

    async def list_observations(self, room_id: str) -> list[Observation]:
        data = self._find(room_id)
        return [] if data is None else list(data.observations)

    # -- read state ----------------------------------------------------------------------
    async def mark_read(self, room_id: str, channel_id: str, event_id: str) -> None:
        check_text(channel_id, "channel_id")
        data = self._data(room_id)
        event = self._events.get(event_id) if readable_key(event_id) else None
        if event is None or event.room_id != room_id:
            raise StoreError(f"event {event_id!r} is not in room {room_id!r}")
        data.read_markers[channel_id] = event.index

    async def mark_all_read(self, room_id: str, channel_id: str) -> None:
        check_text(channel_id, "channel_id")
        data = self._data(room_id)
        data.read_markers[channel_id] = len(data.events) - 1

    async def get_unread_count(self, room_id: str, channel_id: str) -> int:
        data = self._find(room_id)
        if data is None:
            return 0
        marker = data.read_markers.get(channel_id, -1) if readable_key(channel_id) else -1
        return max(len(data.events) - 1 - marker, 0)
