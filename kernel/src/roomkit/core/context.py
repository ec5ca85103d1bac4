"""Helpers the engine shares: room contexts, lifecycle payloads and error reports."""

from __future__ import annotations

import logging
from typing import Any

from roomkit.core.runtime import Runtime
from roomkit.models._construct import construct
from roomkit.models._ids import new_id, utcnow
from roomkit.models.content import SystemContent
from roomkit.models.context import RoomContext
from roomkit.models.enums import ChannelDirection, ChannelType, EventStatus, EventType, HookTrigger
from roomkit.models.event import EventSource, RoomEvent
from roomkit.models.hooks import HookRegistration
from roomkit.models.participant import Participant
from roomkit.models.room import ChannelBinding, Room
from roomkit.store.base import ConversationStore

__all__ = [
    "build_context",
    "context_with",
    "load_context",
    "report_error",
    "report_hook_failure",
    "system_event",
]

logger = logging.getLogger("roomkit")

_DEFAULT_SNAPSHOT = ConversationStore.get_room_snapshot

_SYSTEM_SOURCES: dict[tuple[str, ChannelType], EventSource] = {}


def _has_snapshot(store: ConversationStore) -> bool:
    """Whether ``store`` reads a room snapshot in one round trip (overrides the default)."""
    return type(store).get_room_snapshot is not _DEFAULT_SNAPSHOT


def _context(
    room: Room,
    bindings: list[ChannelBinding],
    participants: list[Participant],
    recent: list[RoomEvent],
) -> RoomContext:
    return construct(
        RoomContext,
        {
            "room": room,
            "bindings": bindings,
            "participants": participants,
            "recent_events": recent,
            "metadata": {},
        },
    )


async def load_context(rt: Runtime, room_id: str) -> RoomContext | None:
    """The room ``room_id`` with its context in one store call; ``None`` if it does not exist.

    Reads through :meth:`ConversationStore.get_room_snapshot` (one round trip on stores that
    override it, the four reads it stands for on the others). Nothing is cached between calls:
    another process sharing the store may change the room at any time.
    """
    snapshot = await rt.store.get_room_snapshot(room_id, recent=rt.context_events)
    if snapshot is None:
        return None
    return _context(snapshot.room, snapshot.bindings, snapshot.participants, snapshot.recent_events)


async def build_context(rt: Runtime, room: Room) -> RoomContext:
    """A context for ``room``: its bindings, participants and the tail of its timeline."""
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
    telemetry = rt.telemetry
    if telemetry is not None:
        try:
            telemetry.record_metric(
                "roomkit.errors", 1.0, attributes={"stage": stage, "type": type(error).__name__}
            )
        except Exception:  # telemetry must never break the room
            logger.exception("telemetry failed while recording an error")
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
