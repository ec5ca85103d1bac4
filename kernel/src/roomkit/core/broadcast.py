"""From an admitted event to every channel that may receive it.

:func:`admit_event` is the part of the pipeline shared by inbound messages, events posted by
code (``RoomKit.send_event``) and intelligence responses: BEFORE_BROADCAST sync hooks ->
store -> :func:`broadcast` -> injected events. :func:`broadcast` delivers to transports (with
content transcoding), schedules AFTER_BROADCAST hooks, then lets intelligence channels answer;
their answers are admitted in turn one chain level deeper, up to ``max_chain_depth``.
The caller holds the room lock.

Transport retries do not run here: a failed first attempt with retries left comes back
``PENDING`` and :func:`_record` hands it to the binding's outbox (:mod:`roomkit.core.outbox`);
deliveries to a binding whose outbox holds work are queued behind it, never made in line.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

from roomkit.channels.base import Channel
from roomkit.channels.streaming import reply_fanout
from roomkit.core._text import short_id
from roomkit.core.context import context_with, message_context, reply_context, report_error
from roomkit.core.delivery import DeliveryOutcome, call_channel, deliver_transport
from roomkit.core.outbox import DeliveryGroup, queued_result
from roomkit.core.runtime import Runtime
from roomkit.errors import ChainDepthExceededError, DeliveryError, InvalidContentError
from roomkit.models._ids import new_id, utcnow
from roomkit.models.content import TextContent
from roomkit.models.context import RoomContext
from roomkit.models.enums import (
    ChannelCategory,
    ChannelDirection,
    DeliveryStatus,
    EventStatus,
    HookTrigger,
)
from roomkit.models.event import DeliveryResult, EventSource, RoomEvent
from roomkit.models.hooks import ChannelOutput, InjectedEvent
from roomkit.models.keys import STREAMED_KEY
from roomkit.models.room import ChannelBinding
from roomkit.models.task import Observation, Task
from roomkit.store.validation import vouch
from roomkit.telemetry.spans import Attr, SpanKind

__all__ = [
    "Admitted",
    "add_event",
    "admit_event",
    "admit_injected",
    "broadcast",
    "is_visible",
    "respond",
]

_INTELLIGENCE = ChannelCategory.INTELLIGENCE
_PENDING = DeliveryStatus.PENDING
_DELIVERED = EventStatus.DELIVERED
_BEFORE = HookTrigger.BEFORE_BROADCAST
_AFTER = HookTrigger.AFTER_BROADCAST
_STATUS_HOOK = HookTrigger.ON_DELIVERY_STATUS
_BROADCAST = SpanKind.BROADCAST
_ADD_ATTRS = {Attr.STORE_OPERATION: "add_event"}
_visibility_sets: dict[str, frozenset[str]] = {}


@dataclass(slots=True)
class Admitted:
    """What became of one event: stored (maybe blocked or a duplicate) and what it caused."""

    event: RoomEvent
    blocked: bool = False
    reason: str | None = None
    duplicate: bool = False
    responses: list[RoomEvent] = field(default_factory=list)


def is_visible(visibility: str, binding: ChannelBinding) -> bool:
    """Whether an event with ``visibility`` reaches ``binding``."""
    if visibility == "all":
        return True
    if visibility == "none":
        return False
    if visibility == "transport":
        return binding.category != _INTELLIGENCE
    if visibility == "intelligence":
        return binding.category == _INTELLIGENCE
    ids = _visibility_sets.get(visibility)
    if ids is None:
        ids = frozenset(part.strip() for part in visibility.split(",") if part.strip())
        if len(_visibility_sets) < 4096:
            _visibility_sets[visibility] = ids
    return binding.channel_id in ids


async def store_side_effects(
    rt: Runtime,
    event: RoomEvent,
    ctx: RoomContext,
    tasks: list[Task],
    observations: list[Observation],
) -> None:
    """Store tasks and observations and fire ON_TASK_CREATED / ON_OBSERVATION for each."""
    store = rt.store
    hooks = rt.hooks
    for task in tasks:
        await store.add_task(task)
        if hooks.has(HookTrigger.ON_TASK_CREATED):
            await hooks.fire(HookTrigger.ON_TASK_CREATED, event, context_with(ctx, task=task))
    for observation in observations:
        await store.add_observation(observation)
        if hooks.has(HookTrigger.ON_OBSERVATION):
            await hooks.fire(
                HookTrigger.ON_OBSERVATION, event, context_with(ctx, observation=observation)
            )


async def add_event(rt: Runtime, event: RoomEvent) -> RoomEvent:
    """``store.add_event`` (in a ``roomkit.store`` span with telemetry, for stores whose calls
    are traced)."""
    tracer = rt.tracer
    if tracer is None or not rt.store.traced_calls:
        return await rt.store.add_event(event)
    span = tracer.start(SpanKind.STORE_QUERY, "roomkit.store", _ADD_ATTRS, room_id=event.room_id)
    try:
        stored = await rt.store.add_event(event)
    except BaseException as exc:
        tracer.fail(span, exc)
        raise
    tracer.end(span, {Attr.EVENT_ID: stored.id})
    return stored


async def admit_event(
    rt: Runtime,
    event: RoomEvent,
    ctx: RoomContext,
    *,
    run_hooks: bool = True,
    built: bool = False,
) -> Admitted:
    """Hooks, store, broadcast and chained responses for one event (room lock held).

    ``built``: the engine built ``event`` from values it checked and no other code has seen
    it (:func:`~roomkit.core.inbound.storable_as_built`); unless hooks see it first, the store
    is told not to check it again (:func:`~roomkit.store.validation.vouch`).
    """
    hooks = rt.hooks
    injected: list[RoomEvent | InjectedEvent] = []
    if run_hooks and hooks.has_sync(_BEFORE):
        built = False  # the hooks may change it
        outcome = await hooks.run_sync(HookTrigger.BEFORE_BROADCAST, event, ctx)
        modified = outcome.event
        if modified is not event and isinstance(modified, RoomEvent):
            if modified.room_id != event.room_id:
                modified = modified.model_copy(update={"room_id": event.room_id})
            event = modified
        if outcome.tasks or outcome.observations:
            await store_side_effects(rt, event, ctx, outcome.tasks, outcome.observations)
        injected = outcome.injected_events
        if outcome.blocked:
            event.status = EventStatus.BLOCKED
            event.blocked_by = outcome.blocked_by
            stored = await (
                rt.store.add_event(event) if rt.tracer is None else add_event(rt, event)
            )
            return Admitted(
                stored, blocked=True, reason=outcome.reason, duplicate=stored.id != event.id
            )
    if type(event) is RoomEvent:  # ``event.status = ...`` for this model, written directly
        event.__dict__["status"] = _DELIVERED
        event.__pydantic_fields_set__.add("status")
    else:
        event.status = _DELIVERED
    if built:
        vouch(event)
    try:
        if rt.tracer is None or not rt.store.traced_calls:  # no roomkit.store span
            stored = await rt.store.add_event(event)
        else:
            stored = await add_event(rt, event)
    finally:
        if built:
            vouch(None)
    if stored.id != event.id:  # the key was seen before: the store returned the first event
        return Admitted(stored, duplicate=True)
    event = stored  # a store may return a copy: carry on with the stored object (and index)
    responses = await broadcast(rt, event, ctx)
    if injected:
        responses.extend(await admit_injected(rt, event, ctx, injected))
    return Admitted(event, responses=responses)


async def admit_injected(
    rt: Runtime,
    event: RoomEvent,
    ctx: RoomContext,
    injected: list[RoomEvent | InjectedEvent],
) -> list[RoomEvent]:
    """Store and broadcast the events hooks injected while ``event`` was handled (no hooks
    run on them); returns them with the responses they caused."""
    produced: list[RoomEvent] = []
    for item in injected:
        extra = item.as_event() if isinstance(item, InjectedEvent) else item
        if extra.room_id != event.room_id:
            extra = extra.model_copy(update={"room_id": event.room_id})
        if extra.parent_event_id is None:
            extra.parent_event_id = event.id
        try:
            extra_ctx = await message_context(rt, ctx.room, extra.source.participant_id)
            done = await admit_event(rt, extra, extra_ctx, run_hooks=False)
        except Exception as exc:  # a malformed injected event must not break the room
            await report_error(rt, "injected_event", exc, event, ctx)
            continue
        produced.append(done.event)
        produced.extend(done.responses)
    return produced


async def _deliver_all(
    rt: Runtime,
    event: RoomEvent,
    ctx: RoomContext,
    transports: list[tuple[Channel, ChannelBinding]],
) -> list[DeliveryOutcome]:
    """Deliver to every transport; outcomes in ``transports`` order.

    Channels marked ``inline_delivery = True`` (in-process callbacks such as the WebSocket
    channel) are awaited one after another: a task each would cost more than the call. The
    others (network transports) run concurrently, so one slow provider does not add its
    latency to the rest.
    """
    if len(transports) == 1:
        channel, binding = transports[0]
        return [await deliver_transport(rt, channel, event, binding, ctx)]
    outcomes: list[DeliveryOutcome | None] = [None] * len(transports)
    remote: list[int] = []
    for i, (channel, binding) in enumerate(transports):
        if channel.inline_delivery:
            outcomes[i] = await deliver_transport(rt, channel, event, binding, ctx)
        else:
            remote.append(i)
    if len(remote) == 1:
        channel, binding = transports[remote[0]]
        outcomes[remote[0]] = await deliver_transport(rt, channel, event, binding, ctx)
    elif remote:
        done = await asyncio.gather(
            *(deliver_transport(rt, transports[i][0], event, transports[i][1], ctx) for i in remote)
        )
        for i, outcome in zip(remote, done, strict=True):
            outcomes[i] = outcome
    assert all(o is not None for o in outcomes)
    return outcomes  # type: ignore[return-value]


def _quiet(outcomes: list[DeliveryOutcome]) -> bool:
    """Whether every delivery went through and asked for nothing more (no failure, no output
    with effects): :func:`_record` would then only fire ON_DELIVERY_STATUS hooks."""
    for output, failed in outcomes:
        if failed is not None or (output is not None and output.has_effects):
            return False
    return True


async def _record(
    rt: Runtime,
    event: RoomEvent,
    ctx: RoomContext,
    targets: list[tuple[Channel, ChannelBinding]],
    outcomes: list[DeliveryOutcome],
    group: DeliveryGroup | None,
    delivered: bool,
) -> tuple[list[tuple[ChannelBinding, ChannelOutput]], DeliveryGroup | None]:
    """Record failures on the event, fire delivery hooks; return the outputs to act on.

    ``group`` tracks the event's failed and deferred deliveries across the calls of one
    broadcast (transports, then intelligence channels); it is made at the first failure,
    ``delivered`` saying whether an earlier call delivered in line. :func:`_settle` decides
    the event's status once every in-line delivery ran.
    """
    acted: list[tuple[ChannelBinding, ChannelOutput]] = []
    failed_any = False
    status_hooks = rt.hooks.has(_STATUS_HOOK)
    for (_, binding), (output, failed) in zip(targets, outcomes, strict=True):
        if failed is not None:
            failed_any = True
            if group is None:
                group = DeliveryGroup(delivered=delivered or any(f is None for _, f in outcomes))
            if failed.status == _PENDING:
                failed = rt.outbox.submit(event, binding, failed, group)
                if failed.status == _PENDING:  # queued: the outbox records and reports it
                    event.delivery_results[binding.channel_id] = failed
                    continue
            event.delivery_results[binding.channel_id] = failed
            if output is None or output.error is None:  # else the channel reported it itself
                await report_error(
                    rt,
                    "delivery",
                    DeliveryError(
                        f"delivery to {short_id(binding.channel_id)} failed: {failed.error}"
                    ),
                    event,
                    ctx,
                    channel_id=binding.channel_id,
                    attempts=failed.attempts,
                )
        elif group is not None:
            group.delivered = True
        if status_hooks:
            result = failed or DeliveryResult(
                channel_id=binding.channel_id, status=DeliveryStatus.SENT
            )
            await rt.hooks.fire(
                HookTrigger.ON_DELIVERY_STATUS, event, context_with(ctx, delivery_result=result)
            )
        if output is not None and output.has_effects:
            acted.append((binding, output))
    if failed_any:
        await rt.store.update_event(event)
    return acted, group


async def _settle(rt: Runtime, event: RoomEvent, group: DeliveryGroup) -> None:
    """After the in-line deliveries of a broadcast with failures: the event is FAILED when
    none of its deliveries succeeded and none is left in an outbox; with deliveries still
    deferred, the outbox decides when the last one ends (``fail_event``)."""
    group.fail_event = True
    if not group.delivered and group.remaining == 0:
        event.status = EventStatus.FAILED
        await rt.store.update_event(event)


async def respond(
    rt: Runtime,
    event: RoomEvent,
    ctx: RoomContext,
    binding: ChannelBinding,
    output: ChannelOutput,
    *,
    first: bool = False,
) -> list[RoomEvent]:
    """Store the tasks, observations and response events a channel produced, and apply its
    room metadata updates.

    ``first``: nothing was stored since ``event``, so the first response's context may be
    built from ``ctx`` (:func:`~roomkit.core.context.reply_context`) instead of read again.
    """
    if output.tasks or output.observations:
        await store_side_effects(rt, event, ctx, output.tasks, output.observations)
    if output.metadata_updates:
        await _update_room_metadata(rt, event, ctx, binding, output.metadata_updates)
    produced: list[RoomEvent] = []
    if binding.muted:
        return produced
    depth = event.chain_depth + 1
    responses = output.response_events
    if output.response_stream is not None:
        reply = await _stream_reply(rt, event, ctx, binding, output.response_stream)
        if reply is not None:
            responses = [*responses, reply]
    for response in responses:
        update: dict[str, Any] = {}
        if response.room_id != event.room_id:
            update["room_id"] = event.room_id
        if update:
            response = response.model_copy(update=update)
        if response.chain_depth != depth:  # AIChannel builds its replies at this depth
            response.chain_depth = depth
        if response.parent_event_id is None:
            response.parent_event_id = event.id
        if response.visibility == "all" and binding.visibility != "all":
            response.visibility = binding.visibility
        if depth > rt.max_chain_depth:
            first = False
            response.status = EventStatus.BLOCKED
            response.blocked_by = "chain_depth"
            stored = await add_event(rt, response)
            produced.append(stored)
            await report_error(
                rt,
                "chain_depth",
                ChainDepthExceededError(
                    f"response of {binding.channel_id!r} at chain depth {depth} exceeds "
                    f"max_chain_depth={rt.max_chain_depth}; stored as blocked"
                ),
                stored,
                ctx,
                channel_id=binding.channel_id,
            )
            continue
        try:
            responder = response.source.participant_id
            response_ctx = reply_context(rt, ctx, event, responder) if first else None
            first = False
            if response_ctx is None:
                response_ctx = await message_context(rt, ctx.room, responder)
            done = await admit_event(rt, response, response_ctx)
        except Exception as exc:  # a malformed response must not break the room
            await report_error(rt, "response", exc, event, ctx, channel_id=binding.channel_id)
            continue
        produced.append(done.event)
        produced.extend(done.responses)
    return produced


async def _stream_reply(
    rt: Runtime,
    event: RoomEvent,
    ctx: RoomContext,
    binding: ChannelBinding,
    stream: AsyncIterator[str],
) -> RoomEvent | None:
    """Stream a channel's ``response_stream`` to the room's streaming channels; the complete
    reply (``None`` when it is empty or the stream failed, which is reported)."""
    channel = rt.channels.get(binding.channel_id)
    if channel is None:
        return None
    fanout = reply_fanout(rt.engine, channel, new_id(), ctx)
    text: list[str] = []
    try:
        async for piece in stream:
            if not isinstance(piece, str):
                raise InvalidContentError(
                    f"response_stream of {binding.channel_id!r} yielded "
                    f"{type(piece).__name__}, not str"
                )
            text.append(piece)
            if fanout:
                await fanout.push(piece)
    except Exception as exc:
        if fanout:
            await fanout.fail(exc)
        await report_error(rt, "response_stream", exc, event, ctx, channel_id=binding.channel_id)
        return None
    streamed = await fanout.finish() if fanout else []
    body = "".join(text)
    if not body.strip():
        return None
    return RoomEvent(
        id=fanout.event_id if fanout else new_id(),
        room_id=event.room_id,
        source=EventSource(
            channel_id=binding.channel_id,
            channel_type=channel.channel_type,
            direction=ChannelDirection.OUTBOUND,
            participant_id=binding.channel_id,
            provider=channel.provider_name,
        ),
        content=TextContent(body=body),
        metadata={STREAMED_KEY: streamed} if streamed else {},
    )


async def _update_room_metadata(
    rt: Runtime,
    event: RoomEvent,
    ctx: RoomContext,
    binding: ChannelBinding,
    updates: dict[str, Any],
) -> None:
    """Merge a channel's ``metadata_updates`` into the stored room (top-level keys)."""
    try:
        room = await rt.store.get_room(event.room_id)
        if room is None:
            return
        room.metadata = {**room.metadata, **updates}
        room.updated_at = utcnow()
        await rt.store.update_room(room)
        ctx.room.metadata = room.metadata
    except Exception as exc:  # a bad update is the channel's failure, not the room's
        await report_error(rt, "metadata_updates", exc, event, ctx, channel_id=binding.channel_id)


async def broadcast(rt: Runtime, event: RoomEvent, ctx: RoomContext) -> list[RoomEvent]:
    """Deliver ``event`` to the room's bindings; returns the responses it caused.

    With telemetry the deliveries are one ``roomkit.broadcast`` span (target, delivered and
    failed counts); the responses are admitted after it, in the message's span.
    """
    tracer = rt.tracer
    span = ""
    if tracer is not None:
        only = tracer.below()  # the kinds this message records (None: all)
        if only is None or _BROADCAST in only:
            span = tracer.start(_BROADCAST, "roomkit.broadcast", room_id=event.room_id)
    try:
        source_id = event.source.channel_id
        visibility = event.visibility
        channels = rt.channels
        transports: list[tuple[Channel, ChannelBinding]] = []
        intelligence: list[tuple[Channel, ChannelBinding]] = []
        queued: list[tuple[Channel, ChannelBinding]] | None = None
        boxes = rt.outbox.boxes  # bindings with deliveries waiting: queue behind them
        streamed = event.metadata.get(STREAMED_KEY) if event.metadata else None
        for binding in ctx.bindings:
            channel_id = binding.channel_id
            if channel_id == source_id or not binding.can_read:
                continue
            if streamed and channel_id in streamed:
                continue  # it received this reply piece by piece (deliver_stream)
            if visibility != "all" and not is_visible(visibility, binding):
                continue
            channel = channels.get(channel_id)
            if channel is None:
                continue
            if binding.category == _INTELLIGENCE:
                if not binding.muted:
                    intelligence.append((channel, binding))
            elif boxes and (binding.room_id, channel_id) in boxes:
                if queued is None:
                    queued = []
                queued.append((channel, binding))
            else:
                transports.append((channel, binding))

        acted: list[tuple[ChannelBinding, ChannelOutput]] = []
        group: DeliveryGroup | None = None
        failures = 0
        if transports or queued:
            if len(transports) == 1:  # _deliver_all's first case, without its coroutine
                channel, binding = transports[0]
                outcomes = [await deliver_transport(rt, channel, event, binding, ctx)]
            else:
                outcomes = await _deliver_all(rt, event, ctx, transports) if transports else []
            if queued:
                transports.extend(queued)
                outcomes.extend((None, queued_result(b.channel_id)) for _, b in queued)
            if span:
                failures += sum(failed is not None for _, failed in outcomes)
            if not _quiet(outcomes) or rt.hooks.has(_STATUS_HOOK):  # else nothing to record
                acted, group = await _record(rt, event, ctx, transports, outcomes, None, False)

        hooks = rt.hooks
        if hooks.has_sync(_AFTER):
            await hooks.fire(_AFTER, event, ctx)
        elif hooks.has_async(_AFTER):  # fire's part, without a coroutine
            hooks.schedule_async(_AFTER, event, ctx)

        if intelligence:
            outcomes = [await call_channel(rt, c, event, b, ctx) for c, b in intelligence]
            if span:
                failures += sum(failed is not None for _, failed in outcomes)
            delivered = group is None and bool(transports)  # no failure so far: all delivered
            more, group = await _record(rt, event, ctx, intelligence, outcomes, group, delivered)
            acted.extend(more)
        if group is not None:
            await _settle(rt, event, group)
    except BaseException as exc:
        if tracer is not None:
            tracer.fail(span, exc)
        raise
    targets = len(transports) + len(intelligence)
    if span:
        assert tracer is not None
        tracer.end(
            span,
            {
                Attr.BROADCAST_TARGETS: targets,
                Attr.BROADCAST_DELIVERED: targets - failures,
                Attr.BROADCAST_FAILED: failures,
                Attr.EVENT_ID: event.id,
            },
        )
    if rt.observers and event.delivery_results:
        await _report_failures(rt, event, targets)
    responses: list[RoomEvent] = []
    for i, (binding, output) in enumerate(acted):
        responses.extend(await respond(rt, event, ctx, binding, output, first=i == 0))
    return responses


async def _report_failures(rt: Runtime, event: RoomEvent, targets: int) -> None:
    """``delivery_failed`` per failed binding and ``broadcast_partial_failure`` (framework
    events, for observers registered with ``RoomKit.on``)."""
    errors = {
        channel_id: result.error or ""
        for channel_id, result in event.delivery_results.items()
        if result.status == DeliveryStatus.FAILED
    }
    for channel_id, error in errors.items():
        await rt.observers.emit(
            "delivery_failed",
            room_id=event.room_id,
            channel_id=channel_id,
            event_id=event.id,
            error=error,
        )
    if errors:
        await rt.observers.emit(
            "broadcast_partial_failure",
            room_id=event.room_id,
            event_id=event.id,
            failed=len(errors),
            total=targets,
            errors=errors,
        )
