"""``process_inbound``: one inbound message, from the channel to every other channel.

The pipeline reads top to bottom in :func:`process_inbound`; each step is a named function:

1. :func:`check_message`   - type, size (``PayloadTooLargeError``), channel registered
2. :func:`check_rate`      - the kit's inbound rate limit, per (channel, sender)
3. :func:`find_room`       - explicit room id, the room router, the sender's latest room,
                             the channel's latest room, or a new room with the channel attached;
                             read with its context (bindings, the sender's participant, recent
                             events) in one ``get_message_snapshot`` call, whose cost does not
                             grow with the room's membership; the sender's binding comes from it
4. :func:`to_event`        - ``channel.handle_inbound`` turns the message into a RoomEvent
5. ``resolve_identity``    - the identity resolver (with timeout), identity hooks and triggers
                             (:mod:`roomkit.core.identity`)
6. per-room lock           - everything below runs one message at a time per room; when a
                             room status changed through the kit since the snapshot, the
                             status is read again inside it (closed -> ``RoomClosedError``);
                             a paused room is made ACTIVE here
7. :func:`find_duplicate`  - a repeated idempotency key returns the first event, stores nothing
                             (read ahead only when BEFORE_BROADCAST hooks would run first;
                             otherwise ``add_event`` detects the duplicate atomically)
8. ``admit_event``         - BEFORE_BROADCAST hooks, store, broadcast, responses, AFTER_BROADCAST

With telemetry, the message is one ``roomkit.inbound`` span (sampled here, per the kit's
``TelemetryConfig``) holding the steps' spans: ``roomkit.route``, ``roomkit.identity``,
``roomkit.store``, ``roomkit.hook``, ``roomkit.broadcast`` and ``roomkit.delivery``. With
framework-event observers (``RoomKit.on``), ``session_started``, ``event_processed`` and
``event_blocked`` are emitted.
"""

from __future__ import annotations

import json
import typing
from typing import Any

from pydantic import ValidationError
from pydantic_core import PydanticSerializationError

from roomkit.channels.base import Channel
from roomkit.core._text import short_id
from roomkit.core.broadcast import add_event, admit_event, admit_injected
from roomkit.core.context import (
    load_context,
    message_context,
    reads_snapshot_directly,
    snapshot_context,
)
from roomkit.core.identity import NO_IDENTITY, resolve_identity, save_joining
from roomkit.core.locks import room_lock
from roomkit.core.rate_limiter import TokenBucketRateLimiter
from roomkit.core.runtime import Runtime
from roomkit.errors import (
    ChannelNotFoundError,
    ChannelNotRegisteredError,
    InvalidContentError,
    PayloadTooLargeError,
    RateLimitedError,
    RoomClosedError,
    RoomNotFoundError,
)
from roomkit.models._construct import construct, construct_all
from roomkit.models._ids import new_id, utcnow
from roomkit.models.content import EventContent, TextContent
from roomkit.models.context import RoomContext
from roomkit.models.enums import (
    ChannelDirection,
    ChannelType,
    EventStatus,
    EventType,
    HookTrigger,
    RoomStatus,
)
from roomkit.models.event import ChannelData, EventSource, InboundMessage, InboundResult, RoomEvent
from roomkit.models.room import Room
from roomkit.telemetry.spans import Attr, SpanKind
from roomkit.telemetry.tracer import Tracer

__all__ = [
    "base_event",
    "check_message",
    "check_rate",
    "find_duplicate",
    "find_room",
    "process_inbound",
    "run_pipeline",
    "storable_as_built",
    "to_event",
]

_BASE_HANDLE_INBOUND = Channel.handle_inbound
_DUPLICATE_ATTRS = {Attr.STORE_OPERATION: "get_event_by_idempotency_key"}
_ACTIVE = RoomStatus.ACTIVE
_CLOSED = RoomStatus.CLOSED
_INBOUND = ChannelDirection.INBOUND
_BEFORE = HookTrigger.BEFORE_BROADCAST
# a message without metadata, vendor payload, vendor message id or thread (storable_as_built)
_NO_EXTRAS: tuple[dict[str, Any], dict[str, Any], None, None] = ({}, {}, None, None)
_ROUTE = SpanKind.CUSTOM  # the kind of the roomkit.route span
_CONTENT_TYPES: frozenset[type] = frozenset(typing.get_args(typing.get_args(EventContent)[0]))


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
    if type(message) is not InboundMessage and not isinstance(message, InboundMessage):
        try:
            message = InboundMessage.model_validate(message)
        except ValidationError as exc:
            raise InvalidContentError(f"malformed inbound message: {exc}") from None
    fields = message.__dict__  # the field values, read without pydantic's attribute hook
    channel_id = fields.get("channel_id")  # a model_construct-ed message may lack one
    sender_id = fields.get("sender_id")
    if type(channel_id) is not str or type(sender_id) is not str or not channel_id or not sender_id:
        raise InvalidContentError("message channel_id and sender_id must be non-empty str")
    limit = rt.max_payload_bytes
    content = fields.get("content")
    if type(content) is TextContent:  # the common case, inlined
        body = content.__dict__["body"]
        if type(body) is not str:
            raise InvalidContentError(
                "TextContent.body must be a str; build the message with InboundMessage(...)"
            )
        size = len(body) if body.isascii() else _utf8_size(body)  # isascii() is O(1)
    else:
        size = _content_size(message)
    metadata = fields.get("metadata")
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


async def _traced_find_room(
    rt: Runtime, tracer: Tracer, message: InboundMessage, room_id: str | None
) -> tuple[Room, RoomContext, str]:
    """:func:`find_room` in a ``roomkit.route`` span."""
    span = tracer.start(SpanKind.CUSTOM, "roomkit.route")
    try:
        room, ctx, source = await find_room(rt, message, room_id)
    except BaseException as exc:
        tracer.fail(span, exc)
        raise
    if span:
        tracer.end(span, {Attr.ROUTE_SOURCE: source, Attr.ROOM_ID: room.id})
    return room, ctx, source


async def find_room(
    rt: Runtime, message: InboundMessage, room_id: str | None
) -> tuple[Room, RoomContext, str]:
    """The room the message belongs to, its context and how it was found (``route.source``:
    ``explicit``, ``router``, ``sender``, ``channel`` or ``created``).

    A known room id is read with its context in one ``get_message_snapshot`` call. Without
    one (and no router answer) the sender's latest room is used, else the channel's latest
    room, else a new room with the channel attached. Finding none is serialised per
    (channel, sender) under the lock manager and looked up again inside the lock, so
    concurrent first messages of a new sender share one new room.
    """
    room: Room | None = None
    ctx: RoomContext | None = None
    source = "explicit"
    room_id = room_id or message.room_id
    if room_id is None and rt.room_router is not None:
        room_id = await rt.room_router(message)
        source = "router"
    if room_id is not None:
        ctx = await load_context(rt, room_id, message.sender_id)
        if ctx is None:
            raise RoomNotFoundError(f"room {short_id(room_id)} does not exist")
        room = ctx.room
    else:
        store = rt.store  # the sender's latest room, else the channel's (inline: hot path)
        source, room = "sender", await store.find_latest_room(message.channel_id, message.sender_id)
        if room is None:
            source, room = "channel", await store.find_latest_room(message.channel_id)
        if room is None:  # maybe a new sender's first message: one at a time per sender
            channel_id = message.channel_id
            key = f"route:{channel_id}:{message.sender_id}"
            async with rt.lock_manager.locked(key, rt.lock_timeout):
                source, room = await _latest_room(rt, message)
                if room is None:
                    room = await rt.engine.create_room()
                    await rt.engine.attach_channel(room.id, channel_id)
                    source = "created"
                    if rt.observers:
                        await rt.observers.emit(
                            "session_started",
                            room_id=room.id,
                            channel_id=channel_id,
                            channel_type=str(rt.channels[channel_id].channel_type),
                            participant_id=message.sender_id,
                        )
    if room.status == _CLOSED:
        raise RoomClosedError(f"room {short_id(room.id)} is closed and accepts no messages")
    if ctx is None:
        sender = message.sender_id
        if reads_snapshot_directly(rt):  # message_context's common case, in line
            snapshot = await rt.store.get_message_snapshot(
                room.id, sender, recent=rt.recent_for(room.id)
            )
            ctx = snapshot_context(rt, room, snapshot)
        else:
            ctx = await message_context(rt, room, sender)
    return room, ctx, source


async def _latest_room(rt: Runtime, message: InboundMessage) -> tuple[str, Room | None]:
    """The sender's latest active room on the channel, else the channel's latest one."""
    store = rt.store
    room = await store.find_latest_room(message.channel_id, message.sender_id)
    if room is not None:
        return "sender", room
    return "channel", await store.find_latest_room(message.channel_id)


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
    return base_event(rt, channel, message, ctx)


def base_event(
    rt: Runtime, channel: Channel, message: InboundMessage, ctx: RoomContext
) -> RoomEvent:
    """What the base ``Channel.handle_inbound`` makes of ``message``, built without
    re-validation (its values are the validated message's; the source is shared per sender)."""
    sources = rt.sources
    m = message.__dict__  # the field values, read without pydantic's attribute hook
    external_id = m["external_id"]
    key = (channel.channel_id, m["sender_id"], external_id)
    raw = m["raw_payload"]
    source = None if raw else sources.get(key)
    if source is None:
        fields: dict[str, Any] = {
            "channel_id": channel.channel_id,
            "channel_type": channel.channel_type,
            "direction": ChannelDirection.INBOUND,
            "participant_id": m["sender_id"],
            "external_id": external_id,
            "provider_message_id": external_id,
        }
        if raw:
            fields["raw_payload"] = raw
        source = construct(EventSource, fields)
        if external_id is None and not raw:
            if len(sources) >= 50_000:
                sources.clear()
            sources[key] = source
    metadata = m["metadata"]
    values = {
        "id": new_id(),
        "room_id": ctx.room.id,
        "type": m["event_type"],
        "source": source,
        "content": m["content"],
        "idempotency_key": m["idempotency_key"],
        "created_at": utcnow(),
        "delivery_results": {},
        "metadata": dict(metadata) if metadata else {},
    }
    if m["thread_id"] is not None or external_id is not None:
        values["channel_data"] = channel_data(message)
    return construct(RoomEvent, values)


def storable_as_built(message: InboundMessage, event: RoomEvent) -> bool:
    """Whether ``event``, just built by :func:`base_event` from ``message`` (already through
    :func:`check_message`), certainly passes the store's input check as it is.

    Only the common shape is recognised: text content without a language, no metadata, no
    vendor payload or ids, ASCII ids and key without NUL, the event's fields as built, and
    the sender's source as made (a shared source is compared again with what it was made
    from: code may have changed it since). Anything else answers ``False`` and the store
    checks the event in full, with its errors.
    """
    m = message.__dict__
    content = m["content"]
    if (
        type(content) is not TextContent
        or (m["metadata"], m["raw_payload"], m["external_id"], m["thread_id"]) != _NO_EXTRAS
        or type(m["event_type"]) is not EventType
    ):
        return False
    body = content.__dict__
    if (
        len(body) != 3
        or body["language"] is not None
        or body["type"] != "text"
        or "\x00" in body["body"]  # a str that encodes: check_message tested it
    ):
        return False
    e = event.__dict__
    key = m["idempotency_key"]
    room_id = e["room_id"]
    sender = m["sender_id"]
    if type(key) is not str:
        if key is not None:
            return False
        key = ""
    if type(room_id) is not str or e["visibility"] != "all":
        return False
    channel_id = m["channel_id"]
    ids = room_id + channel_id + sender + key  # all ASCII without NUL, in one test
    if not ids.isascii() or "\x00" in ids:
        return False
    source = e["source"].__dict__
    kind = source["channel_type"]
    return type(kind) is ChannelType and (
        tuple(source.values()) == (channel_id, kind, _INBOUND, sender, None, None, {}, None)
    )  # EventSource's fields, in order, as base_event makes them for such a message


def channel_data(message: InboundMessage) -> ChannelData:
    """The :class:`ChannelData` of an inbound message's event (thread, vendor message id)."""
    return construct(
        ChannelData,
        {"external_id": message.external_id, "thread_id": message.thread_id, "extra": {}},
    )


async def find_duplicate(rt: Runtime, event: RoomEvent) -> RoomEvent | None:
    """The event stored earlier with this event's idempotency key, if any.

    Read (under the room lock) only when BEFORE_BROADCAST sync hooks would run before the
    event is stored: a duplicate must not run them. Otherwise ``add_event`` detects the
    duplicate atomically (it returns the first event) and nothing else happens first.
    """
    key = event.idempotency_key
    if key is None or not rt.hooks.has_sync(HookTrigger.BEFORE_BROADCAST):
        return None
    tracer = rt.tracer
    if tracer is None or not rt.store.traced_calls:
        return await rt.store.get_event_by_idempotency_key(event.room_id, key)
    return await tracer.run(
        SpanKind.STORE_QUERY,
        "roomkit.store",
        rt.store.get_event_by_idempotency_key(event.room_id, key),
        _DUPLICATE_ATTRS,
        room_id=event.room_id,
    )


async def process_inbound(
    rt: Runtime, message: InboundMessage, room_id: str | None = None
) -> InboundResult:
    """Run one inbound message through the whole pipeline (see the module docstring)."""
    tracer = rt.tracer
    if tracer is None:
        if not rt.observers:
            return await run_pipeline(rt, message, room_id)
        result = await run_pipeline(rt, message, room_id)
    else:  # in a ``roomkit.inbound`` span, the root of the message's trace (in line: no
        # coroutine more per message)
        channel_id = getattr(message, "channel_id", None)
        token, span = tracer.start_message(channel_id)
        try:
            result = await run_pipeline(rt, message, room_id)
        except BaseException as exc:
            tracer.fail_message(token, span, channel_id, exc)
            raise
        tracer.end_message(token, span, channel_id, result)  # the root and the sampling
    if rt.observers:
        await _observe(rt, result)
    return result


async def _observe(rt: Runtime, result: InboundResult) -> None:
    """``event_processed`` / ``event_blocked`` framework events for a message."""
    event = result.event
    if event is None or result.duplicate:
        return
    if result.blocked:
        await rt.observers.emit(
            "event_blocked",
            room_id=result.room_id,
            event_id=event.id,
            reason=result.reason,
            blocked_by=event.blocked_by,
        )
    else:
        await rt.observers.emit("event_processed", room_id=result.room_id, event_id=event.id)


async def run_pipeline(
    rt: Runtime, message: InboundMessage, room_id: str | None = None
) -> InboundResult:
    """The pipeline itself, without the message's root span and framework events."""
    message, channel = check_message(rt, message)
    if rt.inbound_rate_limit is not None:
        check_rate(rt, message)
    epoch = rt.status_epoch  # before the snapshot: a later close is seen under the lock
    tracer = rt.tracer
    if (
        tracer is None
        or ((only := tracer.below()) is not None and _ROUTE not in only)  # kinds recorded
        or not tracer.records(_ROUTE)
    ):  # no roomkit.route span
        room, ctx, _ = await find_room(rt, message, room_id)
    else:
        room, ctx, _ = await _traced_find_room(rt, tracer, message, room_id)
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
    built = False  # storable as built: the store need not check it (see admit_event)
    if type(channel).handle_inbound is _BASE_HANDLE_INBOUND:  # to_event, without a coroutine
        event = base_event(rt, channel, message, ctx)
        built = rt.identity_resolver is None and storable_as_built(message, event)
    else:
        event = await to_event(rt, channel, message, ctx)
    if event.visibility == "all" and binding.visibility != "all":
        event.visibility = binding.visibility
        built = False
    identity = (  # no resolver: nothing to resolve (no coroutine for it)
        NO_IDENTITY
        if rt.identity_resolver is None
        else await resolve_identity(rt, message, event, ctx, rt.identity_hooks)
    )

    async with room_lock(rt.lock_manager, room.id, rt.lock_timeout):
        if rt.status_epoch != epoch or room.status != _ACTIVE:
            await _check_open(rt, room)
        if event.idempotency_key is not None and rt.hooks.has_sync(_BEFORE):
            first = await find_duplicate(rt, event)  # (the conditions it reads ahead under)
            if first is not None:
                return _result(room.id, first, duplicate=True)
        joining = identity.joining
        if identity.blocked:
            event.status = EventStatus.BLOCKED
            event.blocked_by = "identity"
            stored = await add_event(rt, event) if tracer else await rt.store.add_event(event)
            if stored.id != event.id:  # the key was seen before: the first event stands
                return _result(room.id, stored, duplicate=True)
            if joining is not None:
                await save_joining(rt, joining, stored, ctx)
            responses = []
            if identity.inject is not None:
                responses = await admit_injected(rt, stored, ctx, [identity.inject])
            return _result(
                room.id, stored, blocked=True, reason=identity.reason, responses=responses
            )
        admitted = await admit_event(rt, event, ctx, built=built)
        if joining is not None and not admitted.duplicate:
            await save_joining(rt, joining, admitted.event, ctx)
    hooks = rt.hooks
    if hooks.pending > hooks.soft_pending:  # outside the lock: hook tasks may need it
        await hooks.relieve()
    return construct_all(  # every field, in order
        InboundResult,
        {
            "room_id": room.id,
            "event": admitted.event,
            "blocked": admitted.blocked,
            "reason": admitted.reason,
            "duplicate": admitted.duplicate,
            "responses": admitted.responses,
        },
    )
