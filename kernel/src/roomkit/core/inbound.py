"""``process_inbound``: one inbound message, from the channel to every other channel.

The pipeline reads top to bottom in :func:`process_inbound`; each step is a named function:

1. :func:`check_message`   - type, size (``PayloadTooLargeError``), channel registered
2. :func:`check_rate`      - the kit's inbound rate limit, per (channel, sender)
3. :func:`find_room`       - explicit room id, the room router, the sender's latest room,
                             the channel's latest room, or a new room with the channel attached;
                             read with its context (bindings, participants, recent events) in
                             one ``get_room_snapshot`` call; the sender's binding comes from it
4. :func:`to_event`        - ``channel.handle_inbound`` turns the message into a RoomEvent
5. :func:`resolve_identity`- the identity resolver (with timeout) and the identity hooks
6. per-room lock           - everything below runs one message at a time per room
7. :func:`find_duplicate`  - a repeated idempotency key returns the first event, stores nothing
                             (read ahead only when BEFORE_BROADCAST hooks would run first;
                             otherwise ``add_event`` detects the duplicate atomically)
8. ``admit_event``         - BEFORE_BROADCAST hooks, store, broadcast, responses, AFTER_BROADCAST
"""

from __future__ import annotations

import asyncio
from contextlib import AbstractAsyncContextManager
from typing import TYPE_CHECKING, Any

from pydantic import ValidationError

from roomkit.channels.base import Channel
from roomkit.core._construct import construct, fast_id
from roomkit.core.broadcast import admit_event
from roomkit.core.context import HELD_ROOMS, build_context, load_context, report_error
from roomkit.core.rate_limiter import TokenBucketRateLimiter
from roomkit.errors import (
    ChannelNotFoundError,
    ChannelNotRegisteredError,
    IdentityResolutionError,
    InvalidContentError,
    PayloadTooLargeError,
    RateLimitedError,
    RoomClosedError,
    RoomNotFoundError,
)
from roomkit.models._ids import utcnow
from roomkit.models.content import TextContent
from roomkit.models.context import RoomContext
from roomkit.models.enums import (
    ChannelDirection,
    EventStatus,
    HookTrigger,
    IdentificationStatus,
    RoomStatus,
)
from roomkit.models.event import EventSource, InboundMessage, InboundResult, RoomEvent
from roomkit.models.participant import IdentityResult, Participant
from roomkit.models.room import Room

if TYPE_CHECKING:
    from roomkit.core.framework import RoomKit

__all__ = [
    "check_message",
    "check_rate",
    "find_duplicate",
    "find_room",
    "process_inbound",
    "resolve_identity",
    "room_lock",
    "to_event",
]

_BASE_HANDLE_INBOUND = Channel.handle_inbound
_IDENTITY_TRIGGERS = {
    IdentificationStatus.IDENTIFIED: HookTrigger.ON_PARTICIPANT_IDENTIFIED,
    IdentificationStatus.AMBIGUOUS: HookTrigger.ON_IDENTITY_AMBIGUOUS,
    IdentificationStatus.UNKNOWN: HookTrigger.ON_IDENTITY_UNKNOWN,
}


def _result(room_id: str, event: RoomEvent | None, **values: Any) -> InboundResult:
    values.setdefault("responses", [])
    return construct(InboundResult, {"room_id": room_id, "event": event, **values})


def check_message(kit: RoomKit, message: Any) -> tuple[InboundMessage, Channel]:
    """Validate the message shape and size; return it with its registered channel."""
    if not isinstance(message, InboundMessage):
        try:
            message = InboundMessage.model_validate(message)
        except ValidationError as exc:
            raise InvalidContentError(f"malformed inbound message: {exc}") from None
    limit = kit.max_payload_bytes
    if limit is not None:
        content = message.content
        if type(content) is TextContent:
            body = content.body
            size = len(body) if len(body) * 4 <= limit else len(body.encode("utf-8"))
        else:
            size = len(content.model_dump_json())
        if size > limit:
            raise PayloadTooLargeError(
                f"message content is {size} bytes; the limit is {limit} (max_payload_bytes)"
            )
    channel = kit._channels.get(message.channel_id)
    if channel is None:
        raise ChannelNotRegisteredError(
            f"channel {message.channel_id!r} is not registered; call kit.register_channel first"
        )
    return message, channel


def check_rate(kit: RoomKit, message: InboundMessage) -> None:
    """Apply the kit's ``inbound_rate_limit`` per (channel, sender)."""
    limit = kit.inbound_rate_limit
    if limit is None:
        return
    key = (message.channel_id, message.sender_id)
    limiters = kit._inbound_limiters
    limiter = limiters.get(key)
    if limiter is None:
        if len(limiters) >= 10_000:  # bounded: forget the oldest sender
            del limiters[next(iter(limiters))]
        limiter = limiters[key] = TokenBucketRateLimiter(limit)
    if not limiter.try_acquire():
        wait = limiter.time_until_available()
        raise RateLimitedError(
            f"sender {message.sender_id!r} on {message.channel_id!r} is over the inbound rate "
            f"limit; retry in {wait:.2f}s",
            retry_after=wait,
        )


async def find_room(
    kit: RoomKit, message: InboundMessage, room_id: str | None
) -> tuple[Room, RoomContext]:
    """The room the message belongs to, and its context (bindings, participants, recent
    events), read fresh from the store: one ``get_room_snapshot`` call for a known room id."""
    store = kit.store
    room: Room | None = None
    ctx: RoomContext | None = None
    room_id = room_id or message.room_id
    if room_id is None and kit.room_router is not None:
        room_id = await kit.room_router(message)
    if room_id is not None:
        ctx = await load_context(kit, room_id)
        if ctx is None:
            raise RoomNotFoundError(f"room {room_id!r} does not exist")
        room = ctx.room
    else:
        room = await store.find_latest_room(message.channel_id, message.sender_id)
        if room is None:
            room = await store.find_latest_room(message.channel_id)
        if room is None:
            room = await kit.create_room()
            await kit.attach_channel(room.id, message.channel_id)
    if room.status == RoomStatus.CLOSED:
        raise RoomClosedError(f"room {room.id!r} is closed and accepts no messages")
    if room.status == RoomStatus.PAUSED:
        room.status = RoomStatus.ACTIVE
        await store.update_room(room)
    if ctx is None:
        ctx = await build_context(kit, room)
    return room, ctx


async def to_event(
    kit: RoomKit, channel: Channel, message: InboundMessage, ctx: RoomContext
) -> RoomEvent:
    """``channel.handle_inbound``; the base implementation is inlined without re-validation."""
    if type(channel).handle_inbound is not _BASE_HANDLE_INBOUND:
        try:
            event = await channel.handle_inbound(message, ctx)
        except ValidationError as exc:
            raise InvalidContentError(
                f"channel {channel.channel_id!r} could not convert the message: {exc}"
            ) from None
        if event.room_id != ctx.room.id:
            event = event.model_copy(update={"room_id": ctx.room.id})
        return event
    sources = kit._sources
    key = (channel.channel_id, message.sender_id, message.external_id)
    source = sources.get(key)
    if source is None:
        source = construct(
            EventSource,
            {
                "channel_id": channel.channel_id,
                "channel_type": channel.channel_type,
                "direction": ChannelDirection.INBOUND,
                "participant_id": message.sender_id,
                "external_id": message.external_id,
            },
        )
        if message.external_id is None:
            if len(sources) >= 50_000:
                sources.clear()
            sources[key] = source
    return construct(
        RoomEvent,
        {
            "id": fast_id(),
            "room_id": ctx.room.id,
            "type": message.event_type,
            "source": source,
            "content": message.content,
            "idempotency_key": message.idempotency_key,
            "created_at": utcnow(),
            "delivery_results": {},
            "metadata": dict(message.metadata) if message.metadata else {},
        },
    )


async def resolve_identity(
    kit: RoomKit, message: InboundMessage, event: RoomEvent, ctx: RoomContext
) -> tuple[bool, str | None]:
    """Resolve the sender (skipped once identified in this room); returns (blocked, reason)."""
    store = kit.store
    sender_id = message.sender_id
    participant = next((p for p in ctx.participants if p.id == sender_id), None)
    if participant is None:
        participant = await store.add_participant(
            Participant(id=sender_id, room_id=ctx.room.id, channel_id=message.channel_id)
        )
    resolver = kit.identity_resolver
    if resolver is None or participant.identification == IdentificationStatus.IDENTIFIED:
        return False, None
    try:
        async with asyncio.timeout(kit.identity_timeout):
            result = await resolver.resolve(message, ctx)
    except Exception as exc:
        if isinstance(exc, TimeoutError):
            exc = IdentityResolutionError(
                f"identity resolution took longer than {kit.identity_timeout}s"
            )
        await report_error(kit, "identity", exc, event, ctx)
        result = IdentityResult(status=IdentificationStatus.UNKNOWN, metadata={"error": str(exc)})
    ctx.metadata["identity_result"] = result
    if result.status == IdentificationStatus.IDENTIFIED and result.identity is not None:
        participant.identity_id = result.identity.id
        participant.display_name = result.identity.display_name or participant.display_name
    participant.identification = result.status
    await store.update_participant(participant)
    trigger = _IDENTITY_TRIGGERS.get(result.status)
    if trigger is None or not kit._hooks.has(trigger):
        return False, None
    outcome = await kit._fire(trigger, event, ctx)
    if outcome is not None and outcome.blocked:
        return True, outcome.reason
    return False, None


async def find_duplicate(kit: RoomKit, event: RoomEvent) -> RoomEvent | None:
    """The event stored earlier with this event's idempotency key, if any.

    Read (under the room lock) only when BEFORE_BROADCAST sync hooks would run before the
    event is stored: a duplicate must not run them. Otherwise ``add_event`` detects the
    duplicate atomically (it returns the first event) and nothing else happens first.
    """
    key = event.idempotency_key
    if key is None or not kit._hooks.has_sync(HookTrigger.BEFORE_BROADCAST):
        return None
    return await kit.store.get_event_by_idempotency_key(event.room_id, key)


async def process_inbound(
    kit: RoomKit, message: InboundMessage, room_id: str | None = None
) -> InboundResult:
    """Run one inbound message through the whole pipeline (see the module docstring)."""
    message, channel = check_message(kit, message)
    check_rate(kit, message)
    room, ctx = await find_room(kit, message, room_id)
    binding = ctx.binding_for(message.channel_id)
    if binding is None:
        raise ChannelNotFoundError(
            f"channel {message.channel_id!r} is not attached to room {room.id!r}; "
            "call kit.attach_channel first"
        )
    if not binding.can_write:
        reason = f"channel {binding.channel_id!r} has {binding.access} access in room {room.id!r}"
        return _result(room.id, None, blocked=True, reason=reason)
    if binding.muted:
        reason = f"channel {binding.channel_id!r} is muted in room {room.id!r}"
        return _result(room.id, None, blocked=True, reason=reason)
    event = await to_event(kit, channel, message, ctx)
    if event.visibility == "all" and binding.visibility != "all":
        event.visibility = binding.visibility
    blocked, why = await resolve_identity(kit, message, event, ctx)

    async with room_lock(kit, room.id):
        first = await find_duplicate(kit, event)
        if first is not None:
            return _result(room.id, first, duplicate=True)
        if blocked:
            event.status = EventStatus.BLOCKED
            event.blocked_by = "identity"
            stored = await kit.store.add_event(event)
            if stored.id != event.id:  # the key was seen before: the first event stands
                return _result(room.id, stored, duplicate=True)
            return _result(room.id, stored, blocked=True, reason=why)
        admitted = await admit_event(kit, event, ctx)
    hooks = kit._hooks
    if hooks.pending > hooks.soft_pending:  # outside the lock: hook tasks may need it
        await hooks.relieve()
    return _result(
        room.id,
        admitted.event,
        blocked=admitted.blocked,
        reason=admitted.reason,
        duplicate=admitted.duplicate,
        responses=admitted.responses,
    )


class _HeldLock:
    """The room lock, marked as held by this task so nested posts do not wait for it."""

    __slots__ = ("_inner", "_key")

    def __init__(self, inner: AbstractAsyncContextManager[None], key: tuple[Any, str]) -> None:
        self._inner = inner
        self._key = key

    async def __aenter__(self) -> None:
        await self._inner.__aenter__()
        HELD_ROOMS.add(self._key)

    async def __aexit__(self, *exc: Any) -> None:
        HELD_ROOMS.discard(self._key)
        await self._inner.__aexit__(*exc)


class _AlreadyHeld:
    __slots__ = ()

    async def __aenter__(self) -> None:
        return None

    async def __aexit__(self, *exc: Any) -> None:
        return None


_ALREADY_HELD = _AlreadyHeld()


def room_lock(kit: RoomKit, room_id: str) -> AbstractAsyncContextManager[None]:
    """The room's lock, or a no-op when the current task already holds it."""
    key = (asyncio.current_task(), room_id)
    if key in HELD_ROOMS:
        return _ALREADY_HELD
    return _HeldLock(kit.lock_manager.locked(room_id, kit.lock_timeout), key)
