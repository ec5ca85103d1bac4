"""Delivery of one event to one binding, with the binding's resilience settings.

Order of checks: circuit breaker of the channel (one per channel, shared by its bindings,
since failures come from the channel's provider) -> token-bucket rate limit of the binding
-> the call itself under ``delivery_timeout`` (``response_timeout`` for intelligence
channels, which may think for a while), retried per the binding's ``RetryPolicy``.
Success returns ``None`` (nothing is allocated on the common path); a failure returns a
:class:`~roomkit.models.DeliveryResult` that the caller records on the event.

Intelligence channels run the whole policy in line. Transports are called with an
``attempt`` number: one attempt only, and when the policy has retries left for a retryable
failure the result is ``PENDING`` (``metadata = {"retrying": True, "next_attempt": n}``),
which the broadcast hands to the binding's outbox (:mod:`roomkit.core.outbox`) so the room
lock is not held through the backoff. :func:`deliver_transport` adds content transcoding to
the binding's capabilities (an event may go out in several parts); the broadcast and the
outboxes both deliver to transports through it.
"""

from __future__ import annotations

from collections.abc import Coroutine
from threading import get_ident
from typing import Any

from roomkit.channels.base import Channel
from roomkit.core._text import short_id
from roomkit.core.circuit_breaker import CircuitBreaker, CircuitState
from roomkit.core.rate_limiter import TokenBucketRateLimiter
from roomkit.core.retry import RetryError, is_retryable, retry_after_of, retry_async
from roomkit.core.runtime import Runtime
from roomkit.core.transcoding import transcode
from roomkit.errors import DeliveryError, RateLimitedError
from roomkit.models._construct import construct
from roomkit.models.context import RoomContext
from roomkit.models.enums import ChannelCategory, DeliveryStatus
from roomkit.models.event import DeliveryResult, RoomEvent
from roomkit.models.hooks import ChannelOutput
from roomkit.models.room import ChannelBinding
from roomkit.telemetry.spans import Attr, SpanKind
from roomkit.telemetry.tracer import Tracer, activate, deactivate

__all__ = ["DeliveryOutcome", "call_channel", "deliver_transport", "failure", "pending"]

_DELIVERY = SpanKind.DELIVERY
_SENT = DeliveryStatus.SENT
_INTELLIGENCE = ChannelCategory.INTELLIGENCE

DeliveryOutcome = tuple[ChannelOutput | None, DeliveryResult | None]
"""What a channel returned (if anything) and the failure to record (if any)."""


def failure(channel_id: str, error: BaseException | str, attempts: int = 1) -> DeliveryResult:
    """A FAILED delivery result with a readable error."""
    message = error if isinstance(error, str) else f"{type(error).__name__}: {error}"
    return construct(
        DeliveryResult,
        {
            "channel_id": channel_id,
            "status": DeliveryStatus.FAILED,
            "error": message,
            "attempts": attempts,
            "metadata": {},
        },
    )


def pending(channel_id: str, error: BaseException | str, attempts: int) -> DeliveryResult:
    """A PENDING result: ``attempts`` ran so far, attempt ``attempts + 1`` is due (not before
    the ``retry_after`` seconds a vendor asked for, kept in the metadata)."""
    result = failure(channel_id, error, attempts)
    result.status = DeliveryStatus.PENDING
    result.metadata.update({"retrying": True, "next_attempt": attempts + 1})
    wait = retry_after_of(error)
    if wait is not None:
        result.metadata["retry_after"] = wait
    return result


def _limiter(rt: Runtime, binding: ChannelBinding) -> TokenBucketRateLimiter:
    room = rt.limiters.get(binding.room_id)
    if room is None:
        room = rt.limiters[binding.room_id] = {}
    limiter = room.get(binding.channel_id)
    if limiter is None:
        limiter = room[binding.channel_id] = TokenBucketRateLimiter(binding.rate_limit)
    return limiter


def _breaker(rt: Runtime, channel_id: str) -> CircuitBreaker:
    breaker = rt.breakers.get(channel_id)
    if breaker is None:
        breaker = rt.breakers[channel_id] = CircuitBreaker(
            rt.circuit_failure_threshold, rt.circuit_recovery_seconds, name=channel_id
        )
    return breaker


async def _once(
    rt: Runtime, channel: Channel, event: RoomEvent, binding: ChannelBinding, ctx: RoomContext
) -> ChannelOutput | None:
    timeout = rt.response_timeout if binding.category == _INTELLIGENCE else rt.delivery_timeout
    if timeout is None:
        output = await channel.on_event(event, binding, ctx)
    else:
        try:
            output = await rt.hooks.watchdog.guard(channel.on_event(event, binding, ctx), timeout)
        except TimeoutError:
            raise DeliveryError(
                f"channel {short_id(channel.channel_id)} did not finish within {timeout}s"
            ) from None
    if output is None or type(output) is ChannelOutput or isinstance(output, ChannelOutput):
        return output
    raise DeliveryError(_not_output(channel, output))


async def call_channel(
    rt: Runtime,
    channel: Channel,
    event: RoomEvent,
    binding: ChannelBinding,
    ctx: RoomContext,
    attempt: int = 0,
) -> DeliveryOutcome:
    """Give ``event`` to ``channel`` (``on_event``) under the binding's resilience rules.

    ``attempt=0`` runs the binding's whole ``RetryPolicy`` in line; ``attempt=n`` (n >= 1)
    makes attempt ``n`` only and returns a ``PENDING`` result when a retry is still due.
    """
    tracer = rt.tracer
    if tracer is None:
        if (
            binding.rate_limit is None
            and (binding.retry_policy is None or binding.retry_policy.max_retries == 0)
            and binding.channel_id not in rt.breakers
        ):
            return await _direct(rt, channel, event, binding, ctx, attempt)
        return await _resilient(rt, channel, event, binding, ctx, attempt)
    only = tracer.below()  # the kinds this message records (None: all)
    if only is not None and _DELIVERY in only and _DELIVERY in tracer.counted:
        # a message that only counts its deliveries (its trace is not sampled): no span,
        # one count at the end
        try:
            if binding.category == _INTELLIGENCE:
                outcome = await _turn(rt, tracer, channel, event, binding, ctx, attempt)
            elif (
                binding.rate_limit is None
                and (binding.retry_policy is None or binding.retry_policy.max_retries == 0)
                and binding.channel_id not in rt.breakers
            ):  # :func:`_plain`, in line
                outcome = await _direct(rt, channel, event, binding, ctx, attempt)
            else:
                outcome = await _resilient(rt, channel, event, binding, ctx, attempt)
        except BaseException as exc:  # cancelled: counted as the span would have ended
            tracer.fail(_start(tracer, binding), exc, {Attr.DELIVERY_SUCCESS: False})
            raise
        _count_delivery(tracer, binding, outcome)
        return outcome
    span = tracer.start(
        SpanKind.DELIVERY,
        "roomkit.delivery",
        {Attr.CHANNEL_ID: binding.channel_id, Attr.DELIVERY_CHANNEL_TYPE: binding.channel_type},
        room_id=binding.room_id,
        channel_id=binding.channel_id,
    )
    if not span:  # no delivery span recorded for this message
        if binding.category == _INTELLIGENCE:
            return await _turn(rt, tracer, channel, event, binding, ctx, attempt)
        if _plain(rt, binding):  # no AI turn to make the tracer active for
            return await _direct(rt, channel, event, binding, ctx, attempt)
        return await _resilient(rt, channel, event, binding, ctx, attempt)
    try:
        if binding.category == _INTELLIGENCE:
            output, failed = await _turn(rt, tracer, channel, event, binding, ctx, attempt)
        elif _plain(rt, binding):
            output, failed = await _direct(rt, channel, event, binding, ctx, attempt)
        else:
            output, failed = await _resilient(rt, channel, event, binding, ctx, attempt)
    except BaseException as exc:  # cancelled: the span still ends
        tracer.fail(span, exc, {Attr.DELIVERY_SUCCESS: False})
        raise
    if failed is None:
        attributes: dict[str, object] = {
            Attr.DELIVERY_STATUS: DeliveryStatus.SENT,
            Attr.DELIVERY_SUCCESS: True,
        }
        message_id = output.metadata.get("provider_message_id") if output is not None else None
        if message_id:
            attributes[Attr.DELIVERY_MESSAGE_ID] = str(message_id)
        tracer.end(span, attributes)
    else:
        tracer.fail(
            span,
            failed.error or "delivery failed",
            {
                Attr.DELIVERY_STATUS: failed.status,
                Attr.DELIVERY_SUCCESS: False,
                Attr.DELIVERY_ERROR: failed.error or "",
            },
        )
    return output, failed


def _count_delivery(tracer: Tracer, binding: ChannelBinding, outcome: DeliveryOutcome) -> None:
    """Count a delivery of a message that only counts its deliveries (no span)."""
    failed = outcome[1]
    if failed is None:
        try:  # Tracer.count_delivery, in line once the count is known
            tracer.counts[(get_ident(), binding.channel_id, binding.channel_type)].value += 1
        except KeyError:
            output = outcome[0]
            sent = output.metadata.get("provider_message_id") if output is not None else None
            tracer.count_delivery(
                binding.room_id,
                binding.channel_id,
                binding.channel_type,
                _SENT,
                None,
                str(sent) if sent else None,
            )
        return
    tracer.count_delivery(
        binding.room_id, binding.channel_id, binding.channel_type, failed.status, failed.error or ""
    )


def _start(tracer: Tracer, binding: ChannelBinding) -> str:
    """The ``roomkit.delivery`` span of a delivery to ``binding``."""
    return tracer.start(
        SpanKind.DELIVERY,
        "roomkit.delivery",
        {Attr.CHANNEL_ID: binding.channel_id, Attr.DELIVERY_CHANNEL_TYPE: binding.channel_type},
        room_id=binding.room_id,
        channel_id=binding.channel_id,
    )


def _plain(rt: Runtime, binding: ChannelBinding) -> bool:
    """Whether ``binding`` has nothing to apply but the timeout (:func:`_direct` serves it)."""
    return (
        binding.rate_limit is None
        and (binding.retry_policy is None or binding.retry_policy.max_retries == 0)
        and binding.channel_id not in rt.breakers
    )


async def _direct(
    rt: Runtime,
    channel: Channel,
    event: RoomEvent,
    binding: ChannelBinding,
    ctx: RoomContext,
    attempt: int,
) -> DeliveryOutcome:
    """:func:`_resilient` for a binding with nothing to apply but the timeout: no AI turn (no
    tracer to activate), no circuit breaker yet (one is made at the channel's first failure),
    no rate limit, no retries. One coroutine instead of three; the same outcomes, errors and
    breaker counts."""
    try:
        timeout = rt.response_timeout if binding.category == _INTELLIGENCE else rt.delivery_timeout
        call = channel.on_event
        if timeout is None:
            output = await call(event, binding, ctx)
        else:
            try:
                output = await rt.hooks.watchdog.guard(call(event, binding, ctx), timeout)
            except TimeoutError:
                raise DeliveryError(
                    f"channel {short_id(channel.channel_id)} did not finish within {timeout}s"
                ) from None
        if not (
            output is None or type(output) is ChannelOutput or isinstance(output, ChannelOutput)
        ):
            raise DeliveryError(_not_output(channel, output))
    except Exception as exc:
        _breaker(rt, binding.channel_id).record_failure()
        return None, failure(binding.channel_id, exc, attempts=attempt or 1)
    if output is not None and output.error is not None:
        _breaker(rt, binding.channel_id).record_failure()
        return output, failure(binding.channel_id, output.error, attempts=attempt or 1)
    return output, None


def _not_output(channel: Channel, output: object) -> str:
    return (
        f"channel {short_id(channel.channel_id)}: on_event returned {type(output).__name__}, "
        "not a ChannelOutput; return ChannelOutput(...) or None"
    )


async def _turn(
    rt: Runtime,
    tracer: Tracer,
    channel: Channel,
    event: RoomEvent,
    binding: ChannelBinding,
    ctx: RoomContext,
    attempt: int,
) -> DeliveryOutcome:
    """An intelligence channel's turn with the kit's tracer active, so the AI provider calls
    and tool calls it makes record spans in the turn's trace."""
    token = activate(tracer)
    try:
        return await _resilient(rt, channel, event, binding, ctx, attempt)
    finally:
        deactivate(token)
        rt.tool_spans.abandon(tracer, binding.room_id, binding.channel_id)


async def _resilient(
    rt: Runtime,
    channel: Channel,
    event: RoomEvent,
    binding: ChannelBinding,
    ctx: RoomContext,
    attempt: int,
) -> DeliveryOutcome:
    channel_id = binding.channel_id
    breaker = rt.breakers.get(channel_id)
    if (
        breaker is not None
        and (breaker.failures or not breaker.is_closed)
        and _declines(channel, event, binding, ctx)
    ):
        # It would not answer anyway: no turn to refuse, no probe taken, and no "success"
        # that would reset the failures counted against it.
        return None, None
    if breaker is not None and not breaker.allow_request():
        return None, failure(
            channel_id,
            f"CircuitOpenError: circuit of {channel_id!r} is open",
            attempts=max(attempt - 1, 0),  # the attempts made before this refused one
        )
    if binding.rate_limit is not None:
        try:
            await _limiter(rt, binding).acquire(timeout=rt.rate_limit_max_wait)
        except RateLimitedError as exc:
            return None, failure(channel_id, exc, attempts=max(attempt - 1, 0))
    policy = binding.retry_policy
    if attempt:
        try:
            output = await _once(rt, channel, event, binding, ctx)
        except Exception as exc:
            if policy is not None and attempt <= policy.max_retries and is_retryable(exc):
                if breaker is not None and breaker.state != CircuitState.CLOSED:
                    breaker.record_failure()  # this was the half-open probe: open again
                return None, pending(channel_id, exc, attempt)
            _breaker(rt, channel_id).record_failure()
            return None, failure(channel_id, exc, attempts=attempt)
        return _settled(rt, channel_id, breaker, output, attempt)
    attempts = 1
    try:
        if policy is None or policy.max_retries == 0:
            output = await _once(rt, channel, event, binding, ctx)
        else:
            output, attempts = await retry_async(
                lambda: _once(rt, channel, event, binding, ctx), policy
            )
    except RetryError as exc:
        _breaker(rt, channel_id).record_failure()
        return None, failure(channel_id, exc.last, attempts=exc.attempts)
    except Exception as exc:
        _breaker(rt, channel_id).record_failure()
        return None, failure(channel_id, exc)
    return _settled(rt, channel_id, breaker, output, attempts)


def _declines(
    channel: Channel, event: RoomEvent, binding: ChannelBinding, ctx: RoomContext
) -> bool:
    """Whether an intelligence channel says it would not answer ``event`` (its
    ``should_respond``: an agent that is not the room's active one, an event that is not a
    message). Asked only while failures are counted against the channel, so an open circuit
    refuses (and records) only the turns that would have happened, and declining does not
    count as a success."""
    if binding.category != _INTELLIGENCE:
        return False
    decide = getattr(channel, "should_respond", None)
    if not callable(decide):
        return False
    try:
        return not decide(event, binding, ctx)
    except Exception:  # a broken rule: let the breaker decide as usual
        return False


def _settled(
    rt: Runtime,
    channel_id: str,
    breaker: CircuitBreaker | None,
    output: ChannelOutput | None,
    attempts: int,
) -> DeliveryOutcome:
    """A call that returned: a success, or a failure the channel caught and reported itself
    (``output.error``, e.g. an AI channel whose provider failed) -- recorded and counted
    against the breaker like a raised one."""
    if output is not None and output.error is not None:
        _breaker(rt, channel_id).record_failure()
        return output, failure(channel_id, output.error, attempts=attempts)
    if breaker is not None:
        breaker.record_success()
    return output, None


def deliver_transport(
    rt: Runtime,
    channel: Channel,
    event: RoomEvent,
    binding: ChannelBinding,
    ctx: RoomContext,
    attempt: int = 1,
    start: int = 1,
) -> Coroutine[Any, Any, DeliveryOutcome]:
    """Attempt ``attempt`` to give ``event`` (transcoded for the binding) to a transport.

    A transcoded event may become several parts; ``start`` skips the parts already sent.
    A failure with retries left comes back ``PENDING`` (see :func:`call_channel`). Returns
    the coroutine of the call: an event that goes out as it is to a binding with nothing to
    apply but the timeout is :func:`_direct`'s own coroutine (no coroutine around it).
    """
    contents = transcode(event.content, binding.capabilities)
    if len(contents) == 1:
        content = contents[0]
        out = event if content is event.content else event.model_copy(update={"content": content})
        tracer = rt.tracer
        if _plain(rt, binding):  # call_channel's own choice, in line
            if tracer is None:
                return _direct(rt, channel, out, binding, ctx, attempt)
            only = tracer.below()
            if only is not None and _DELIVERY in only and _DELIVERY in tracer.counted:
                return _counted_direct(rt, tracer, channel, out, binding, ctx, attempt)
        return call_channel(rt, channel, out, binding, ctx, attempt)
    return _deliver_parts(rt, channel, event, binding, ctx, contents, attempt, start)


async def _counted_direct(
    rt: Runtime,
    tracer: Tracer,
    channel: Channel,
    event: RoomEvent,
    binding: ChannelBinding,
    ctx: RoomContext,
    attempt: int,
) -> DeliveryOutcome:
    """:func:`_direct` of a delivery whose telemetry only counts (see :func:`call_channel`)."""
    try:
        outcome = await _direct(rt, channel, event, binding, ctx, attempt)
    except BaseException as exc:
        tracer.fail(_start(tracer, binding), exc, {Attr.DELIVERY_SUCCESS: False})
        raise
    _count_delivery(tracer, binding, outcome)
    return outcome


async def _deliver_parts(
    rt: Runtime,
    channel: Channel,
    event: RoomEvent,
    binding: ChannelBinding,
    ctx: RoomContext,
    contents: list[Any],
    attempt: int,
    start: int,
) -> DeliveryOutcome:
    """:func:`deliver_transport` of an event transcoded into several parts, one by one."""
    output: ChannelOutput | None = None
    total = len(contents)
    for i, content in enumerate(contents, 1):
        if i < start:
            continue
        part = event.model_copy(
            update={"content": content, "metadata": {**event.metadata, "part": i, "parts": total}}
        )
        output, failed = await call_channel(rt, channel, part, binding, ctx, attempt)
        if failed is not None:
            failed.metadata["part"] = i
            return output, failed
        attempt = 1  # a retried part went through: the next part starts afresh
    return output, None
