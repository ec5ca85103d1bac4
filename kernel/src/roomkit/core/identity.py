"""Who sent an inbound message: the identity resolver, identity hooks and identity triggers.

:func:`resolve_identity` is step 5 of the inbound pipeline. It runs only for a sender not yet
identified in the room and only when the kit has an identity resolver:

1. the resolver answers (within ``identity_timeout``; a failure counts as UNKNOWN);
2. for an UNKNOWN or AMBIGUOUS answer, the identity hooks (``RoomKit.identity_hook``) run in
   registration order until one returns an :class:`~roomkit.models.hooks.IdentityHookResult`:
   ``resolved`` identifies the sender, ``pending`` keeps it pending with a display name and
   candidates, ``challenge`` holds the message and sends the hook's question, ``reject``
   refuses the message;
3. the hooks of the matching trigger fire (ON_PARTICIPANT_IDENTIFIED, ON_IDENTITY_AMBIGUOUS,
   ON_IDENTITY_UNKNOWN); a sync hook may block the message.

A new sender's participant is not written here: the store adds it with the message, and the
resolver's answer is written once the message is stored (:func:`save_joining`).
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from dataclasses import dataclass

from roomkit.core.context import report_error
from roomkit.core.runtime import Runtime
from roomkit.errors import ConfigurationError, IdentityResolutionError
from roomkit.models._ids import utcnow
from roomkit.models.context import RoomContext
from roomkit.models.enums import (
    ChannelDirection,
    ChannelType,
    HookExecution,
    HookTrigger,
    IdentificationStatus,
)
from roomkit.models.event import InboundMessage, RoomEvent
from roomkit.models.hooks import (
    HookRegistration,
    IdentityHookFn,
    IdentityHookResult,
    InjectedEvent,
)
from roomkit.models.participant import IdentityResult, Participant
from roomkit.telemetry.spans import Attr, SpanKind

__all__ = ["NO_IDENTITY", "IdentityHooks", "IdentityOutcome", "resolve_identity", "save_joining"]

_IDENTITY_TRIGGERS = {
    IdentificationStatus.IDENTIFIED: HookTrigger.ON_PARTICIPANT_IDENTIFIED,
    IdentificationStatus.AMBIGUOUS: HookTrigger.ON_IDENTITY_AMBIGUOUS,
    IdentificationStatus.UNKNOWN: HookTrigger.ON_IDENTITY_UNKNOWN,
}
_HOOKED = frozenset({HookTrigger.ON_IDENTITY_AMBIGUOUS, HookTrigger.ON_IDENTITY_UNKNOWN})


@dataclass(slots=True)
class IdentityOutcome:
    """What identity resolution decided about one message.

    ``joining`` is a new sender's participant, to write once the message is stored;
    ``inject`` an event an identity hook asked to send (a challenge) after it.
    """

    blocked: bool = False
    reason: str | None = None
    joining: Participant | None = None
    inject: InjectedEvent | None = None


NO_IDENTITY = IdentityOutcome()
"""The outcome when there is nothing to resolve (no resolver, or the sender is identified)."""


class IdentityHooks:
    """The identity hooks of a kit: ``async fn(event, ctx, identity_result)`` functions for
    ON_IDENTITY_UNKNOWN and ON_IDENTITY_AMBIGUOUS, with the usual channel filters."""

    def __init__(self) -> None:
        self._hooks: list[tuple[HookRegistration, IdentityHookFn]] = []

    def add(
        self,
        trigger: HookTrigger,
        fn: IdentityHookFn,
        *,
        channel_types: Iterable[ChannelType] | None = None,
        channel_ids: Iterable[str] | None = None,
        directions: Iterable[ChannelDirection] | None = None,
    ) -> None:
        """Register ``fn`` for ``trigger`` (ON_IDENTITY_UNKNOWN or ON_IDENTITY_AMBIGUOUS)."""
        if trigger not in _HOOKED:
            raise ConfigurationError(
                "identity hooks run for HookTrigger.ON_IDENTITY_UNKNOWN or "
                f"ON_IDENTITY_AMBIGUOUS, not {trigger!r}"
            )
        if not callable(fn):
            raise ConfigurationError("an identity hook must be an async callable")

        async def unused(payload: object, ctx: RoomContext) -> None:  # the filters' holder
            return None

        filters = HookRegistration(
            trigger=trigger,
            execution=HookExecution.SYNC,
            fn=unused,
            name=getattr(fn, "__name__", "identity_hook"),
            channel_types=None if channel_types is None else frozenset(channel_types),
            channel_ids=None if channel_ids is None else frozenset(channel_ids),
            directions=None if directions is None else frozenset(directions),
        )
        self._hooks.append((filters, fn))

    def __bool__(self) -> bool:
        return bool(self._hooks)

    async def decide(
        self,
        rt: Runtime,
        trigger: HookTrigger,
        event: RoomEvent,
        ctx: RoomContext,
        result: IdentityResult,
    ) -> IdentityHookResult | None:
        """The first answer of the hooks of ``trigger`` that match ``event``; a hook that
        fails or returns something else is reported and skipped."""
        for filters, fn in self._hooks:
            if filters.trigger != trigger or not filters.matches(event):
                continue
            try:
                answer = await fn(event, ctx, result)
            except Exception as exc:
                await report_error(rt, "identity_hook", exc, event, ctx, hook=filters.name)
                continue
            if answer is None:
                continue
            if not isinstance(answer, IdentityHookResult):
                error = ConfigurationError(
                    f"identity hook {filters.name!r} returned {type(answer).__name__}; "
                    "return an IdentityHookResult (resolved, pending, challenge, reject) or None"
                )
                await report_error(rt, "identity_hook", error, event, ctx, hook=filters.name)
                continue
            return answer
        return None


def _apply(participant: Participant, answer: IdentityHookResult) -> None:
    """Record an identity hook's answer on the participant."""
    participant.identification = answer.status
    if answer.status == IdentificationStatus.IDENTIFIED and answer.identity is not None:
        participant.identity_id = answer.identity.id
        participant.display_name = answer.identity.display_name or participant.display_name
        participant.resolved_at = utcnow()
        participant.resolved_by = "hook"
    if answer.display_name:
        participant.display_name = answer.display_name
    if answer.candidates:
        participant.candidates = [c.id for c in answer.candidates]


async def _resolve(
    rt: Runtime, message: InboundMessage, event: RoomEvent, ctx: RoomContext
) -> IdentityResult:
    resolver = rt.identity_resolver
    assert resolver is not None
    try:
        async with asyncio.timeout(rt.identity_timeout):
            return await resolver.resolve(message, ctx)
    except Exception as exc:
        if isinstance(exc, TimeoutError):
            exc = IdentityResolutionError(
                f"identity resolution took longer than {rt.identity_timeout}s"
            )
        await report_error(rt, "identity", exc, event, ctx)
        return IdentityResult(status=IdentificationStatus.UNKNOWN, metadata={"error": str(exc)})


async def resolve_identity(
    rt: Runtime,
    message: InboundMessage,
    event: RoomEvent,
    ctx: RoomContext,
    hooks: IdentityHooks | None = None,
) -> IdentityOutcome:
    """Resolve the sender of ``message`` (see the module docstring)."""
    if rt.identity_resolver is None:
        return NO_IDENTITY
    sender_id = message.sender_id
    participant = next((p for p in ctx.participants if p.id == sender_id), None)
    joining = participant is None
    if participant is None:
        participant = Participant(id=sender_id, room_id=ctx.room.id, channel_id=message.channel_id)
    elif participant.identification == IdentificationStatus.IDENTIFIED:
        return NO_IDENTITY
    tracer = rt.tracer
    span = (
        ""
        if tracer is None
        else tracer.start(
            SpanKind.CUSTOM, "roomkit.identity", room_id=ctx.room.id, channel_id=message.channel_id
        )
    )
    try:
        outcome = await _decide(rt, message, event, ctx, hooks, participant, joining)
    except BaseException as exc:
        if tracer is not None:
            tracer.fail(span, exc)
        raise
    if tracer is not None:
        tracer.end(span, {Attr.IDENTITY_STATUS: str(participant.identification)})
    return outcome


async def _decide(
    rt: Runtime,
    message: InboundMessage,
    event: RoomEvent,
    ctx: RoomContext,
    hooks: IdentityHooks | None,
    participant: Participant,
    joining: bool,
) -> IdentityOutcome:
    result = await _resolve(rt, message, event, ctx)
    ctx.metadata["identity_result"] = result
    if result.status == IdentificationStatus.IDENTIFIED and result.identity is not None:
        participant.identity_id = result.identity.id
        participant.display_name = result.identity.display_name or participant.display_name
        participant.resolved_at = utcnow()
        participant.resolved_by = "resolver"
    participant.identification = result.status
    if result.candidates:
        participant.candidates = [c.id for c in result.candidates]
    trigger = _IDENTITY_TRIGGERS.get(result.status)
    answer = None
    if hooks and trigger in _HOOKED:
        answer = await hooks.decide(rt, trigger, event, ctx, result)
        if answer is not None:
            _apply(participant, answer)
            trigger = _IDENTITY_TRIGGERS.get(answer.status)
    if not joining:
        await rt.store.update_participant(participant)
    outcome = IdentityOutcome(joining=participant if joining else None)
    if answer is not None and answer.status == IdentificationStatus.REJECTED:
        outcome.blocked, outcome.reason = True, answer.reason or "sender rejected"
        return outcome
    if answer is not None and answer.status == IdentificationStatus.CHALLENGE_SENT:
        outcome.blocked = True
        outcome.reason = answer.message or "waiting for the sender to identify"
        outcome.inject = answer.inject
        return outcome
    if trigger is not None and rt.hooks.has(trigger):
        fired = await rt.hooks.fire(trigger, event, ctx)
        if fired is not None and fired.blocked:
            outcome.blocked, outcome.reason = True, fired.reason
    return outcome


async def save_joining(
    rt: Runtime, participant: Participant, event: RoomEvent, ctx: RoomContext
) -> None:
    """Write a new sender's identity once its event is stored; a failure is reported, not
    raised (the event is committed: raising would invite a retry that stores it twice)."""
    try:
        await rt.store.update_participant(participant)
    except Exception as exc:
        await report_error(rt, "identity", exc, event, ctx)
