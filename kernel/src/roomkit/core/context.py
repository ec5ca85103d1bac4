"""Helpers the engine shares: room contexts, lifecycle payloads and error reports."""

from __future__ import annotations

import logging
from typing import Any

from roomkit.core.runtime import Runtime
from roomkit.models._construct import construct, construct_all
from roomkit.models._ids import new_id, utcnow
from roomkit.models.content import SystemContent
from roomkit.models.context import RoomContext
from roomkit.models.enums import ChannelDirection, ChannelType, EventStatus, EventType, HookTrigger
from roomkit.models.event import EventSource, RoomEvent
from roomkit.models.hooks import HookRegistration
from roomkit.models.participant import Participant
from roomkit.models.room import ChannelBinding, Room
from roomkit.store.base import ConversationStore
from roomkit.telemetry.metrics import Metric
from roomkit.telemetry.spans import Attr, SpanKind

__all__ = [
    "LARGE_ROOM",
    "build_context",
    "context_with",
    "load_context",
    "message_context",
    "reads_snapshot_directly",
    "reply_context",
    "report_error",
    "report_hook_failure",
    "snapshot_context",
    "system_event",
]

logger = logging.getLogger("roomkit")

_DEFAULT_SNAPSHOT = ConversationStore.get_room_snapshot
_DEFAULT_MESSAGE_SNAPSHOT = ConversationStore.get_message_snapshot

#: Participants above which a room's messages stop reading every participant (see
#: ``_read_message_snapshot``): around where four keyed reads cost less than parsing them all.
LARGE_ROOM = 200

_SYSTEM_SOURCES: dict[tuple[str, ChannelType], EventSource] = {}

# What a room snapshot told beyond the context it became, by the snapshot's Room object
# (identity checked): the room's event count then and its member ids. Lets reply_context
# know that nothing was stored since, and tell "not a member" from "not read". Bounded.
_MEMBERS: dict[int, tuple[Room, int, frozenset[str]]] = {}
_MEMBERS_KEPT = 1024
_SNAPSHOT_ATTRS = {Attr.STORE_OPERATION: "get_message_snapshot"}


def _has_snapshot(store: ConversationStore) -> bool:
    """Whether ``store`` reads a room snapshot in one round trip (overrides the default)."""
    return type(store).get_room_snapshot is not _DEFAULT_SNAPSHOT


def _context(
    room: Room,
    bindings: list[ChannelBinding],
    participants: list[Participant],
    recent: list[RoomEvent],
) -> RoomContext:
    return construct_all(  # every field, in order
        RoomContext,
        {
            "room": room,
            "bindings": bindings,
            "participants": participants,
            "recent_events": recent,
            "metadata": {},
        },
    )


async def _read_message_snapshot(
    rt: Runtime, room_id: str, participant_id: str | None
) -> RoomContext | None:
    """The message snapshot, read the cheapest way the store offers.

    A store that implements ``get_message_snapshot`` itself is asked for it. A store that only
    implements ``get_room_snapshot`` (one round trip carrying every participant) is asked for
    that while the room is small, and the sender is picked out of it; once a room is seen with
    more than :data:`LARGE_ROOM` participants, its messages use ``get_message_snapshot``'s
    default instead (four reads, each by key), so the cost stops growing with membership.
    """
    store = rt.store
    recent = rt.recent_for(room_id)
    cls = type(store)
    if (
        cls.get_message_snapshot is not _DEFAULT_MESSAGE_SNAPSHOT
        or cls.get_room_snapshot is _DEFAULT_SNAPSHOT
        or room_id in rt.large_rooms
    ):
        return await store.get_message_snapshot(room_id, participant_id, recent=recent)
    snapshot = await store.get_room_snapshot(room_id, recent=recent)
    if snapshot is None:
        return None
    members = snapshot.participants
    if len(members) > LARGE_ROOM:
        rt.note_large_room(room_id)
    else:
        if len(_MEMBERS) >= _MEMBERS_KEPT:
            del _MEMBERS[next(iter(_MEMBERS))]
        room, tail = snapshot.room, snapshot.recent_events
        # the event count when read: from the tail (a store may share a Room it keeps counting)
        count = tail[-1].index + 1 if tail else 0 if recent > 0 else room.event_count
        _MEMBERS[id(room)] = (room, count, frozenset(p.id for p in members))
    sender = None
    if participant_id is not None:
        sender = next((p for p in members if p.id == participant_id), None)
    return _context(
        snapshot.room, snapshot.bindings, [sender] if sender else [], snapshot.recent_events
    )


async def load_context(
    rt: Runtime, room_id: str, participant_id: str | None = None
) -> RoomContext | None:
    """The context of a message in ``room_id`` sent by ``participant_id``; ``None`` if the
    room does not exist.

    One :meth:`ConversationStore.get_message_snapshot` call: the room, its bindings, the last
    ``context_events`` events (more in a room where a bound channel asks for more, see
    :meth:`Runtime.recent_for`) and, in ``participants``, the sender alone (when a member), so
    the cost does not grow with the room's membership. Nothing is cached between calls:
    another process sharing the store may change the room at any time.
    """
    store = rt.store
    tracer = rt.tracer if store.traced_calls else None
    if tracer is None and type(store).get_message_snapshot is not _DEFAULT_MESSAGE_SNAPSHOT:
        snapshot = await store.get_message_snapshot(
            room_id, participant_id, recent=rt.recent_for(room_id)
        )  # the common case, without the call below
    elif tracer is None:
        snapshot = await _read_message_snapshot(rt, room_id, participant_id)
    else:
        snapshot = await tracer.run(
            SpanKind.STORE_QUERY,
            "roomkit.store",
            _read_message_snapshot(rt, room_id, participant_id),
            _SNAPSHOT_ATTRS,
            room_id=room_id,
        )
    if snapshot is None:
        return None
    rt.note_bindings(room_id, snapshot.bindings)
    if store.snapshot_is_context:  # a new context on every call: it is the caller's
        return snapshot
    return _context(snapshot.room, snapshot.bindings, snapshot.participants, snapshot.recent_events)


async def message_context(rt: Runtime, room: Room, participant_id: str | None) -> RoomContext:
    """:func:`load_context` for a room already read (``room`` stands for the one stored)."""
    store = rt.store
    if reads_snapshot_directly(rt):
        snapshot = await store.get_message_snapshot(
            room.id, participant_id, recent=rt.recent_for(room.id)
        )  # the common case, without the call below
    elif rt.tracer is None or not store.traced_calls:
        snapshot = await _read_message_snapshot(rt, room.id, participant_id)
    else:
        snapshot = await rt.tracer.run(
            SpanKind.STORE_QUERY,
            "roomkit.store",
            _read_message_snapshot(rt, room.id, participant_id),
            _SNAPSHOT_ATTRS,
            room_id=room.id,
        )
    return snapshot_context(rt, room, snapshot)


def reads_snapshot_directly(rt: Runtime) -> bool:
    """Whether :func:`message_context` reads with one plain ``get_message_snapshot`` call (the
    store implements it and its calls are not traced); its callers may then make that call
    and :func:`snapshot_context` themselves, without a coroutine around them."""
    store = rt.store
    return (rt.tracer is None or not store.traced_calls) and type(
        store
    ).get_message_snapshot is not _DEFAULT_MESSAGE_SNAPSHOT


def snapshot_context(rt: Runtime, room: Room, snapshot: RoomContext | None) -> RoomContext:
    """The end of :func:`message_context`: the context of a message in ``room`` from the
    message snapshot just read (``None``: the room was deleted meanwhile)."""
    if snapshot is None:  # deleted meanwhile: what the separate reads would have found
        return _context(room, [], [], [])
    rt.note_bindings(room.id, snapshot.bindings)
    if snapshot.room is room and rt.store.snapshot_is_context:  # new on every call, as above
        return snapshot
    return _context(room, snapshot.bindings, snapshot.participants, snapshot.recent_events)


async def build_context(rt: Runtime, room: Room) -> RoomContext:
    """A full context for ``room``: its bindings, every participant and the tail of its
    timeline (for lifecycle hooks and ``RoomKit.build_context``, not for messages)."""
    store = rt.store
    room_id = room.id
    if _has_snapshot(store):
        snapshot = await store.get_room_snapshot(room_id, recent=rt.context_events)
        if snapshot is None:  # deleted meanwhile: what the separate reads would have found
            return _context(room, [], [], [])
        return _context(room, snapshot.bindings, snapshot.participants, snapshot.recent_events)
    recent = await store.get_recent_events(room_id, rt.context_events) if rt.context_events else []
    return _context(
        room,
        await store.list_bindings(room_id),
        await store.list_participants(room_id),
        recent,
    )


def reply_context(
    rt: Runtime, ctx: RoomContext, trigger: RoomEvent, participant_id: str | None
) -> RoomContext | None:
    """The context of the first response to ``trigger`` built from ``ctx`` (the context
    ``trigger`` was admitted with), or ``None`` when only a read can tell it.

    It equals what :func:`message_context` would read (room lock held): the same room and
    bindings, ``trigger`` appended to the recent events (the last ``Runtime.recent_for``), and
    the responder's participant. That holds when nothing was stored in the room between the
    snapshot of ``ctx`` and ``trigger`` (``trigger.index`` is the snapshot's event count:
    indexes are gap-free, so no process wrote in between) and ``ctx`` carries the responder's
    participant or the snapshot's member ids show it is none. Both are known for contexts read
    with ``get_room_snapshot`` (the SQL stores); for others the reply reads the room. The
    caller uses it for a first response only: once a response is stored the tail has moved
    on. Bindings attached or detached since the snapshot are not seen, as the trigger's own
    delivery did not see them.
    """
    room = ctx.room
    note = _MEMBERS.get(id(room))
    if note is None or note[0] is not room or trigger.index != note[1]:
        return None  # not from a room snapshot, or something was stored since
    participants = []
    if participant_id is not None:
        participants = [p for p in ctx.participants if p.id == participant_id]
        if not participants and participant_id in note[2]:
            return None  # a member the context does not carry: read it
    keep = rt.recent_for(room.id)
    recent = [*ctx.recent_events, trigger][-keep:] if keep else []
    return _context(room, ctx.bindings, participants, recent)


def context_with(ctx: RoomContext, **metadata: Any) -> RoomContext:
    """A shallow copy of ``ctx`` whose metadata also holds ``metadata``."""
    data = dict(ctx.__dict__)
    data["metadata"] = {**ctx.metadata, **metadata}
    return construct(RoomContext, data)


def system_event(
    room_id: str,
    code: str,
    body: str,
    *,
    event_type: EventType = EventType.SYSTEM,
    channel_id: str = "system",
    channel_type: ChannelType = ChannelType.SYSTEM,
    data: dict[str, Any] | None = None,
) -> RoomEvent:
    """A system event describing something that happened (the payload of lifecycle hooks)."""
    key = (channel_id, channel_type)
    source = _SYSTEM_SOURCES.get(key)
    if source is None:
        source = EventSource(
            channel_id=channel_id, channel_type=channel_type, direction=ChannelDirection.OUTBOUND
        )
        if len(_SYSTEM_SOURCES) < 4096:
            _SYSTEM_SOURCES[key] = source
    return construct(
        RoomEvent,
        {
            "id": new_id(),
            "room_id": room_id,
            "type": event_type,
            "source": source,
            "content": SystemContent(body=body, code=code, data=data or {}),
            "status": EventStatus.DELIVERED,
            "created_at": utcnow(),
            "delivery_results": {},
            "metadata": {},
        },
    )


async def report_error(
    rt: Runtime,
    stage: str,
    error: BaseException,
    payload: Any,
    ctx: RoomContext,
    **details: Any,
) -> None:
    """Log ``error``, count it in telemetry and hand it to the ``ON_ERROR`` hooks.

    ``ON_ERROR`` hooks receive ``payload`` (the event concerned) and a context whose metadata
    holds ``error`` (the exception), ``error_type``, ``message``, ``stage`` and ``details``.
    """
    logger.warning("%s failed in room %s: %r", stage, ctx.room.id, error)
    tracer = rt.tracer
    if tracer is not None:
        tracer.metric(Metric.ERRORS, 1.0, {"stage": stage, "type": type(error).__name__})
    hooks = rt.hooks
    if not hooks.has(HookTrigger.ON_ERROR):
        return
    err_ctx = context_with(
        ctx,
        error=error,
        error_type=type(error).__name__,
        message=str(error),
        stage=stage,
        details=details,
    )
    await hooks.fire(HookTrigger.ON_ERROR, payload, err_ctx)


async def report_hook_failure(
    rt: Runtime, reg: HookRegistration, payload: Any, ctx: RoomContext, exc: BaseException
) -> None:
    """The kit's ``HookEngine.on_error``: a failed hook is reported like any engine error."""
    await report_error(rt, "hook", exc, payload, ctx, hook=reg.name, trigger=str(reg.trigger))
