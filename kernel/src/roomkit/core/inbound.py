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
6. per-room lock           - everything below runs one message at a time per room; when a
                             room status changed through the kit since the snapshot, the
                             status is read again inside it (closed -> ``RoomClosedError``);
                             a paused room is made ACTIVE here
7. :func:`find_duplicate`  - a repeated idempotency key returns the first event, stores nothing
                             (read ahead only when BEFORE_BROADCAST hooks would run first;
                             otherwise ``add_event`` detects the duplicate atomically)
8. ``admit_event``         - BEFORE_BROADCAST hooks, store, broadcast, responses, AFTER_BROADCAST
"""

from __future__ import annotations

import asyncio
import json
import typing
from typing import Any

from pydantic import ValidationError
from pydantic_core import PydanticSerializationError

from roomkit.channels.base import Channel
from roomkit.core._text import short_id
from roomkit.core.broadcast import admit_event
from roomkit.core.context import build_context, load_context, report_error
from roomkit.core.locks import room_lock
from roomkit.core.rate_limiter import TokenBucketRateLimiter
from roomkit.core.runtime import Runtime
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
from roomkit.models._construct import construct
from roomkit.models._ids import new_id, utcnow
from roomkit.models.content import EventContent, TextContent
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

__all__ = [
    "check_message",
    "check_rate",
    "find_duplicate",
    "find_room",
    "process_inbound",
    "resolve_identity",
    "to_event",
]

_BASE_HANDLE_INBOUND = Channel.handle_inbound
_ACTIVE = RoomStatus.ACTIVE
_CONTENT_TYPES: frozenset[type] = frozenset(typing.get_args(typing.get_args(EventContent)[0]))
_IDENTITY_TRIGGERS = {
    IdentificationStatus.IDENTIFIED: HookTrigger.ON_PARTICIPANT_IDENTIFIED,
    IdentificationStatus.AMBIGUOUS: HookTrigger.ON_IDENTITY_AMBIGUOUS,
    IdentificationStatus.UNKNOWN: HookTrigger.ON_IDENTITY_UNKNOWN,
}


def _result(room_id: str, event: RoomEvent | None, **values: Any) -> InboundResult:
    values.setdefault("responses", [])
    return construct(InboundResult, {"room_id": room_id, "event": event, **values})


def _utf8_size(text: str) -> int:
    """Bytes of ``text`` in UTF-8; refuses text no store or transport can encode."""
    try:
        return len(text.encode("utf-8"))
    except UnicodeEncodeError as exc:
        raise InvalidContentError(
            f"message text contains a lone surrogate at position {exc.start} "
            f"({text[exc.start]!r}), which UTF-8 cannot encode; send valid Unicode text"
        ) from None


def _content_size(message: InboundMessage) -> int:
    """Bytes of a non-text content as JSON; checks the content type and that it serialises.

    Messages built without validation (``model_construct``) reach here too: the content must
    be one of the :data:`~roomkit.models.content.EventContent` models and serialisable (no
    lone surrogates, no foreign objects), as every store and transport needs it to be.
    """
    content = message.content
    content_type = type(content)
    if content_type not in _CONTENT_TYPES:
        raise InvalidContentError(
            f"message content must be one of the EventContent models (TextContent, ...), "
            f"not {content_type.__name__}; build the message with InboundMessage(...)"
        )
    try:
        return len(content.model_dump_json())
    except (TypeError, AttributeError, ValueError, PydanticSerializationError) as exc:
        raise InvalidContentError(
            f"message content is malformed ({type(exc).__name__}); "
            "build the message with InboundMessage(...) so it is validated"
        ) from None


def _metadata_size(metadata: Any) -> int:
    """Bytes of the metadata as JSON; refuses metadata that JSON cannot represent."""
    if type(metadata) is not dict:
        raise InvalidContentError(f"message metadata must be a dict, not {type(metadata).__name__}")
    try:
        return len(json.dumps(metadata))  # ASCII output: characters are bytes
    except (TypeError, ValueError, RecursionError) as exc:
        raise InvalidContentError(
            f"message metadata is not JSON-serialisable ({type(exc).__name__}: {exc}); "
            "keep metadata to str, int, float, bool, None, lists and dicts"
        ) from None


def check_message(rt: Runtime, message: Any) -> tuple[InboundMessage, Channel]:
    """Validate the message shape and size; return it with its registered channel."""
    if not isinstance(message, InboundMessage):
        try:
            message = InboundMessage.model_validate(message)
        except ValidationError as exc:
            raise InvalidContentError(f"malformed inbound message: {exc}") from None
    channel_id = message.channel_id
    sender_id = message.sender_id
    if type(channel_id) is not str or type(sender_id) is not str or not channel_id or not sender_id:
        raise InvalidContentError("message channel_id and sender_id must be non-empty str")
    limit = rt.max_payload_bytes
    content = message.content
    if type(content) is TextContent:  # the common case, inlined
        body = content.body
        if type(body) is not str:
            raise InvalidContentError(
                "TextContent.body must be a str; build the message with InboundMessage(...)"
            )
        size = len(body) if body.isascii() else _utf8_size(body)  # isascii() is O(1)
    else:
        size = _content_size(message)
    metadata = message.metadata
    if metadata:
        size += _metadata_size(metadata)
    if limit is not None and size > limit:
        what = "content and metadata are" if metadata else "content is"
        raise PayloadTooLargeError(
            f"message {what} {size} bytes; the limit is {limit} (max_payload_bytes)"
        )
    channel = rt.channels.get(channel_id)
    if channel is None:
        raise ChannelNotRegisteredError(
            f"channel {short_id(channel_id)} is not registered; call rt.register_channel first"
        )
    return message, channel


def check_rate(rt: Runtime, message: InboundMessage) -> None:
    """Apply the kit's ``inbound_rate_limit`` per (channel, sender)."""
    limit = rt.inbound_rate_limit
    if limit is None:
        return
    key = (message.channel_id, message.sender_id)
    limiters = rt.inbound_limiters
    limiter = limiters.get(key)
    if limiter is None:
        if len(limiters) >= 10_000:  # bounded: forget the oldest sender
            del limiters[next(iter(limiters))]
        limiter = limiters[key] = TokenBucketRateLimiter(limit)
    if not limiter.try_acquire():
        wait = limiter.time_until_available()
        raise RateLimitedError(
            f"sender {short_id(message.sender_id)} on {short_id(message.channel_id)} is over "
            f"the inbound rate limit; retry in {wait:.2f}s",
            retry_after=wait,
        )


async def find_room(
    rt: Runtime, message: InboundMessage, room_id: str | None
) -> tuple[Room, RoomContext]:
    """The room the message belongs to, and its context (bindings, participants, recent
    events), read fresh from the store: one ``get_room_snapshot`` call for a known room id.

    Without a room id (and no router answer) the sender's latest room is used, else the
    channel's latest room, else a new room with the channel attached. Finding none is
    serialised per (channel, sender) under the lock manager and looked up again inside the
    lock, so concurrent first messages of a new sender share one new room.
    """
    room: Room | None = None
    ctx: RoomContext | None = None
    room_id = room_id or message.room_id
    if room_id is None and rt.room_router is not None:
        room_id = await rt.room_router(message)
    if room_id is not None:
        ctx = await load_context(rt, room_id)
        if ctx is None:
            raise RoomNotFoundError(f"room {short_id(room_id)} does not exist")
        room = ctx.room
    else:
        store = rt.store
        room = await store.find_latest_room(message.channel_id, message.sender_id)
        if room is None:
            room = await store.find_latest_room(message.channel_id)
        if room is None:  # maybe a new sender's first message: one at a time per sender
            channel_id = message.channel_id
            key = f"route:{channel_id}:{message.sender_id}"
            async with rt.lock_manager.locked(key, rt.lock_timeout):
                room = await _latest_room(rt, message)
                if room is None:
                    room = await rt.engine.create_room()
                    await rt.engine.attach_channel(room.id, channel_id)
    if room.status == RoomStatus.CLOSED:
        raise RoomClosedError(f"room {short_id(room.id)} is closed and accepts no messages")
    if ctx is None:
        ctx = await build_context(rt, room)
    return room, ctx


async def _latest_room(rt: Runtime, message: InboundMessage) -> Room | None:
    """The sender's latest active room on the channel, else the channel's latest one."""
    store = rt.store
    room = await store.find_latest_room(message.channel_id, message.sender_id)
    if room is None:
        room = await store.find_latest_room(message.channel_id)
    return room


async def _check_open(rt: Runtime, room: Room) -> None:
    """Under the room lock: refuse a room closed since the snapshot; wake a paused one.

    The snapshot was read before the lock. ``process_inbound`` calls this only when a room
    status changed through this kit since then (``rt.status_epoch`` moved on;
    ``close_room`` bumps it after its write) or the snapshot's room is not ACTIVE; otherwise
    the snapshot's status still holds and nothing is read. The status is read here, inside
    the lock (one ``get_room``); a paused room is made ACTIVE from it, so a concurrent close
    is never undone.
    """
    store = rt.store
    current = await store.get_room(room.id)
    if current is None:
        raise RoomNotFoundError(f"room {short_id(room.id)} was deleted")
    status = current.status
    if status == RoomStatus.CLOSED:
        room.status = status
        raise RoomClosedError(f"room {short_id(room.id)} is closed and accepts no messages")
    if status == RoomStatus.PAUSED:
        current.status = RoomStatus.ACTIVE
        await store.update_room(current)
        status = RoomStatus.ACTIVE
    room.status = status


async def to_event(
    rt: Runtime, channel: Channel, message: InboundMessage, ctx: RoomContext
) -> RoomEvent:
    """``channel.handle_inbound``; the base implementation is inlined without re-validation."""
    if type(channel).handle_inbound is not _BASE_HANDLE_INBOUND:
        try:
            event = await channel.handle_inbound(message, ctx)
        except ValidationError as exc:
            raise InvalidContentError(
                f"channel {short_id(channel.channel_id)} could not convert the message: {exc}"
            ) from None
        if not isinstance(event, RoomEvent):
            raise InvalidContentError(
                f"channel {short_id(channel.channel_id)}: handle_inbound returned "
                f"{type(event).__name__}, not a RoomEvent; return the event built from the message"
            )
        if event.room_id != ctx.room.id:
            event = event.model_copy(update={"room_id": ctx.room.id})
        return event
    sources = rt.sources
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
            "id": new_id(),
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
    rt: Runtime, message: InboundMessage, event: RoomEvent, ctx: RoomContext
) -> tuple[bool, str | None, Participant | None]:
    """Resolve the sender (skipped once identified in this room).

    Returns (blocked, reason, joining): ``joining`` is a new sender's participant with the
    resolver's answer, to write once the event is stored. A new sender is not written here:
    the store adds the sender of an inbound event in the same write as the event, so a
    message the store refuses leaves no participant behind.
    """
    store = rt.store
    sender_id = message.sender_id
    participant = next((p for p in ctx.participants if p.id == sender_id), None)
    joining = participant is None
    resolver = rt.identity_resolver
    if participant is None:
        if resolver is None:
            return False, None, None
        participant = Participant(id=sender_id, room_id=ctx.room.id, channel_id=message.channel_id)
    if resolver is None or participant.identification == IdentificationStatus.IDENTIFIED:
        return False, None, None
    try:
        async with asyncio.timeout(rt.identity_timeout):
            result = await resolver.resolve(message, ctx)
    except Exception as exc:
        if isinstance(exc, TimeoutError):
            exc = IdentityResolutionError(
                f"identity resolution took longer than {rt.identity_timeout}s"
            )
        await report_error(rt, "identity", exc, event, ctx)
        result = IdentityResult(status=IdentificationStatus.UNKNOWN, metadata={"error": str(exc)})
    ctx.metadata["identity_result"] = result
    if result.status == IdentificationStatus.IDENTIFIED and result.identity is not None:
        participant.identity_id = result.identity.id
        participant.display_name = result.identity.display_name or participant.display_name
    participant.identification = result.status
    if not joining:
        await store.update_participant(participant)
    pending = participant if joining else None
    trigger = _IDENTITY_TRIGGERS.get(result.status)
    if trigger is None or not rt.hooks.has(trigger):
        return False, None, pending
    outcome = await rt.hooks.fire(trigger, event, ctx)
    if outcome is not None and outcome.blocked:
        return True, outcome.reason, pending
    return False, None, pending


async def _save_joining(
    rt: Runtime, participant: Participant, event: RoomEvent, ctx: RoomContext
) -> None:
    """Write a new sender's identity once its event is stored; a failure is reported, not
    raised (the event is committed: raising would invite a retry that stores it twice)."""
    try:
        await rt.store.update_participant(participant)
    except Exception as exc:
        await report_error(rt, "identity", exc, event, ctx)


async def find_duplicate(rt: Runtime, event: RoomEvent) -> RoomEvent | None:
    """The event stored earlier with this event's idempotency key, if any.

    Read (under the room lock) only when BEFORE_BROADCAST sync hooks would run before the
    event is stored: a duplicate must not run them. Otherwise ``add_event`` detects the
    duplicate atomically (it returns the first event) and nothing else happens first.
    """
    key = event.idempotency_key
    if key is None or not rt.hooks.has_sync(HookTrigger.BEFORE_BROADCAST):
        return None
    return await rt.store.get_event_by_idempotency_key(event.room_id, key)


async def process_inbound(
    rt: Runtime, message: InboundMessage, room_id: str | None = None
) -> InboundResult:
    """Run one inbound message through the whole pipeline (see the module docstring)."""
    message, channel = check_message(rt, message)
    check_rate(rt, message)
    epoch = rt.status_epoch  # before the snapshot: a later close is seen under the lock
    room, ctx = await find_room(rt, message, room_id)
    binding = ctx.binding_for(message.channel_id)
    if binding is None:
        raise ChannelNotFoundError(
            f"channel {short_id(message.channel_id)} is not attached to room {short_id(room.id)}; "
            "call rt.attach_channel first"
        )
    if not binding.can_write:
        reason = (
            f"channel {short_id(binding.channel_id)} has {binding.access} access "
            f"in room {short_id(room.id)}"
        )
        return _result(room.id, None, blocked=True, reason=reason)
    if binding.muted:
        reason = f"channel {short_id(binding.channel_id)} is muted in room {short_id(room.id)}"
        return _result(room.id, None, blocked=True, reason=reason)
    event = await to_event(rt, channel, message, ctx)
    if event.visibility == "all" and binding.visibility != "all":
        event.visibility = binding.visibility
    blocked, why, joining = await resolve_identity(rt, message, event, ctx)

    async with room_lock(rt.lock_manager, room.id, rt.lock_timeout):
        if rt.status_epoch != epoch or room.status != _ACTIVE:
            await _check_open(rt, room)
        first = await find_duplicate(rt, event)
        if first is not None:
            return _result(room.id, first, duplicate=True)
        if blocked:
            event.status = EventStatus.BLOCKED
            event.blocked_by = "identity"
            stored = await rt.store.add_event(event)
            if stored.id != event.id:  # the key was seen before: the first event stands
                return _result(room.id, stored, duplicate=True)
            if joining is not None:
                await _save_joining(rt, joining, stored, ctx)
            return _result(room.id, stored, blocked=True, reason=why)
        admitted = await admit_event(rt, event, ctx)
        if joining is not None and not admitted.duplicate:
            await _save_joining(rt, joining, admitted.event, ctx)
    hooks = rt.hooks
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
