"""The hook engine: running hooks, with filtering, timeouts and error isolation.

A hook is an async function ``fn(payload, ctx)``. Sync hooks run in line, in priority order
(lowest ``priority`` first, then registration order), and may return a
:class:`~roomkit.models.HookResult` that allows, blocks or modifies the event and injects events,
tasks and observations. Async hooks run after the fact in a background task the engine tracks
(``drain`` waits for them); their return value is ignored.

A hook that raises or outlives its timeout never breaks the room: the failure is logged, sent
to telemetry and reported to the ``ON_ERROR`` hooks (whose own failures are only logged, so
reporting cannot recurse). A failed sync hook counts as "allow".

What a sync hook hands back is validated before the engine uses it: ``model_copy`` and
``model_construct`` skip pydantic validation, and a store must never be given an event it cannot
read back. A result whose event, injected events, tasks or observations are invalid is a failure
of that hook (an :class:`~roomkit.errors.InvalidContentError` reported like any other), so the
room keeps working with the event as it was.

:meth:`HookEngine.fire` is the one way the engine and its components run the hooks of a trigger.
Registering hooks (the tables, their order, room hooks) is :mod:`roomkit.core.hook_registry`.
"""

from __future__ import annotations

import asyncio
import logging
import math
from asyncio import CancelledError, get_running_loop
from collections.abc import Coroutine
from threading import get_ident
from typing import Any

from pydantic import BaseModel, ValidationError
from pydantic_core import PydanticSerializationError

from roomkit.core._text import problems
from roomkit.core.deadlines import Lane, Watchdog
from roomkit.core.hook_registry import (
    _NONE,
    HookRegistry,
    default_execution,
    hook_registration,
)
from roomkit.errors import ConfigurationError, HookTimeoutError, InvalidContentError
from roomkit.models.context import RoomContext
from roomkit.models.enums import HookExecution, HookTrigger
from roomkit.models.event import RoomEvent
from roomkit.models.hooks import (
    ErrorReporter,
    HookFn,
    HookRegistration,
    HookResult,
    SyncOutcome,
)
from roomkit.telemetry.base import TelemetryProvider
from roomkit.telemetry.spans import Attr, SpanKind
from roomkit.telemetry.tracer import Tracer

__all__ = [
    "ErrorReporter",
    "HookEngine",
    "HookFn",
    "HookRegistration",
    "SyncOutcome",
    "checked_result",
    "default_execution",
    "hook_registration",
]

logger = logging.getLogger("roomkit.hooks")

_INF = math.inf
_new = object.__new__

_HOOK_SYNC = SpanKind.HOOK_SYNC
_HOOK_ASYNC = SpanKind.HOOK_ASYNC
_SPAN_KINDS = {HookExecution.SYNC: _HOOK_SYNC, HookExecution.ASYNC: _HOOK_ASYNC}


def _timed_out(reg: HookRegistration, timeout: float) -> HookTimeoutError:
    return HookTimeoutError(f"hook {reg.name!r} ({reg.trigger}) did not finish within {timeout}s")


def _same_room(room_id: str, context: RoomContext) -> None:
    if room_id != context.room.id:
        raise ConfigurationError(
            f"room_id {room_id!r} is not the room of the context ({context.room.id!r})"
        )


def _revalidated(model: BaseModel, what: str) -> Any:
    """``model`` validated as a store would read it back (a JSON round trip)."""
    try:
        return type(model).model_validate_json(model.model_dump_json(warnings=False))
    except ValidationError as exc:
        raise InvalidContentError(f"{what} is invalid: {problems(exc)}") from None
    except (PydanticSerializationError, TypeError, ValueError) as exc:
        raise InvalidContentError(
            f"{what} cannot be stored ({type(exc).__name__}); "
            "keep metadata to JSON values (str, int, float, bool, None, lists and dicts)"
        ) from None


def checked_result(result: HookResult, hook: str) -> HookResult:
    """``result`` with every event, task and observation it carries validated.

    Raises :class:`~roomkit.errors.InvalidContentError` naming ``hook`` when one is invalid
    (for instance ``event.model_copy(update={"metadata": None})``). A plain allow or block
    carries nothing and costs nothing here.
    """
    event = result.event
    if event is None and not (result.injected_events or result.tasks or result.observations):
        return result
    where = f"hook {hook!r} returned a HookResult whose"
    if event is not None:
        if not isinstance(event, RoomEvent):
            raise InvalidContentError(f"{where} event is a {type(event).__name__}, not a RoomEvent")
        event = _revalidated(event, f"{where} event")
    injected = [_revalidated(e, f"{where} injected event") for e in result.injected_events]
    tasks = [_revalidated(t, f"{where} task") for t in result.tasks]
    observations = [_revalidated(o, f"{where} observation") for o in result.observations]
    return result.model_copy(
        update={
            "event": event,
            "injected_events": injected,
            "tasks": tasks,
            "observations": observations,
        }
    )


class HookEngine(HookRegistry):
    """Holds the hooks of one kit (:class:`~roomkit.core.hook_registry.HookRegistry`) and runs
    them.

    Hooks are global (every room) or room hooks (:meth:`add_room_hook`: one room only); a
    room's hooks run interleaved with the global ones, by priority then registration order.
    ``default_timeout`` applies to hooks registered without their own ``timeout``; ``None``
    disables it. ``on_error(registration, payload, ctx, exc)`` is awaited for every hook that
    fails (the kit sets it to report the failure to telemetry and ``ON_ERROR`` hooks); without
    it failures are only logged. ``telemetry`` (a provider, or the kit's
    :class:`~roomkit.telemetry.tracer.Tracer`) gives every hook run a ``roomkit.hook`` span.
    """

    def __init__(
        self,
        *,
        default_timeout: float | None = 30.0,
        telemetry: Tracer | TelemetryProvider | None = None,
        on_error: ErrorReporter | None = None,
    ) -> None:
        self.default_timeout = default_timeout
        self.tracer: Tracer | None = (
            Tracer(telemetry) if isinstance(telemetry, TelemetryProvider) else telemetry
        )
        self.on_error = on_error
        super().__init__()
        self._tasks: set[asyncio.Task[Any]] = set()
        self._untrack = self._tasks.discard
        self.watchdog = Watchdog()
        self.soft_pending = 16
        self.max_pending = 4096

    # -- running ---------------------------------------------------------------------------
    async def _call(self, reg: HookRegistration, payload: Any, ctx: RoomContext) -> Any:
        """Await one hook under its deadline, in a ``roomkit.hook`` span when the tracer records
        it (``hook.result``: the action, ``none`` or ``error``). An untraced run (the message
        does not record hook spans) only pays the ``span`` tests; runs of a message that has
        no tracer or only counts hook runs do not come here (see :meth:`run_sync`)."""
        timeout = reg.timeout if reg.timeout is not None else self.default_timeout
        tracer = self.tracer
        span = ""
        if tracer is not None:
            span = tracer.start_hook(_SPAN_KINDS[reg.execution], reg.trigger, reg.name, ctx.room.id)
        try:
            if timeout is None:
                result = await reg.fn(payload, ctx)
            else:
                try:
                    result = await self.watchdog.guard(reg.fn(payload, ctx), timeout)
                except TimeoutError:
                    raise _timed_out(reg, timeout) from None
        except BaseException as exc:
            if span and tracer is not None:
                tracer.fail(span, exc, {Attr.HOOK_RESULT: "error"})
            raise
        if span and tracer is not None:
            action = result.action if isinstance(result, HookResult) else "none"
            tracer.end(span, {Attr.HOOK_RESULT: action})
        return result

    async def run_sync(
        self,
        trigger: HookTrigger,
        event: Any,
        ctx: RoomContext,
        *,
        skip_event_filter: bool = False,
    ) -> SyncOutcome:
        """Run the sync hooks of ``trigger`` on ``event`` in order; stop at the first block.

        The building block of :meth:`fire`; the engine calls it alone where a trigger has
        only sync semantics (BEFORE_BROADCAST decides the event's fate before it is stored).
        ``skip_event_filter=True`` runs hooks whose channel filters do not match too.
        """
        # SyncOutcome(event=event), written out: a dataclass' __init__ with three list
        # factories costs about as much as running a hook (test_hooks checks the fields)
        outcome = _new(SyncOutcome)
        outcome.event = event
        outcome.blocked = False
        outcome.reason = outcome.blocked_by = None
        outcome.injected_events = []
        outcome.tasks = []
        outcome.observations = []
        hooks = self._sync.get(trigger, _NONE)
        if self._rooms:
            hooks = self._hooks(0, trigger, ctx)
        check = hooks.filtered and not skip_event_filter
        # whether the message only counts sync hook runs (its trace is not sampled): asked
        # once per run of the trigger's hooks, then each run is counted, no span
        counted = None
        if (tracer := self.tracer) is not None:
            only = tracer.below()
            if only is not None and _HOOK_SYNC in only and _HOOK_SYNC in tracer.counted:
                counted = _HOOK_SYNC
                counts, thread = tracer.counts, get_ident()
        inline = tracer is None or counted is not None  # _call in line: one coroutine less
        default = self.default_timeout
        watchdog = self.watchdog
        lane: Lane | None = None  # the deadlines of this run's hooks, registered once
        try:
            for reg in hooks:
                if check and not reg.matches(outcome.event):
                    continue
                try:
                    if inline:
                        timeout = reg.timeout
                        if timeout is None:
                            timeout = default
                        try:
                            if timeout is None:
                                result = await reg.fn(outcome.event, ctx)
                            else:
                                if lane is None:
                                    lane = Lane(watchdog)
                                # Lane.start, written out: it runs for every hook
                                when = lane.when = watchdog.clock() + timeout
                                if when < watchdog.armed_at:
                                    lane.arm()
                                try:
                                    result = await reg.fn(outcome.event, ctx)
                                except BaseException as exc:
                                    if lane.stop() and isinstance(exc, CancelledError):
                                        raise _timed_out(reg, timeout) from None
                                    raise
                                lane.when = _INF
                                if lane.expired:  # it swallowed the watchdog's cancellation
                                    lane.stop()
                        except BaseException as exc:
                            if counted is not None and tracer is not None:
                                _fail_counted(tracer, reg, counted, ctx, exc)
                            raise
                        if counted is not None and tracer is not None:
                            action = (  # Tracer.count_hook, in line once the count is known
                                result.__dict__["action"]
                                if type(result) is HookResult
                                else _action(result)
                            )
                            try:
                                counts[(thread, counted, reg.trigger, reg.name, action)].value += 1
                            except KeyError:
                                tracer.count_hook(
                                    counted, reg.trigger, reg.name, action, ctx.room.id
                                )
                    else:
                        result = await self._call(reg, outcome.event, ctx)
                    # an exact type test first: isinstance() on a pydantic class is an ABC check
                    if type(result) is HookResult:
                        values = result.__dict__  # one attribute read, not one per field
                        if (
                            values["event"] is None
                            and not values["injected_events"]
                            and not values["tasks"]
                            and not values["observations"]
                            and values["action"] != "block"
                        ):
                            continue  # a plain allow: nothing to record, nothing to check
                    elif not isinstance(result, HookResult):
                        continue
                    if (  # a plain allow / block carries nothing to check: no call
                        result.event is not None
                        or result.injected_events
                        or result.tasks
                        or result.observations
                    ):
                        result = checked_result(result, reg.name)
                except Exception as exc:
                    await self._failed(reg, outcome.event, ctx, exc)
                    continue
                if result.injected_events:
                    outcome.injected_events.extend(result.injected_events)
                if result.tasks:
                    outcome.tasks.extend(result.tasks)
                if result.observations:
                    outcome.observations.extend(result.observations)
                if result.action == "block":
                    outcome.blocked = True
                    outcome.reason = result.reason or f"blocked by hook {reg.name!r}"
                    outcome.blocked_by = reg.name
                    break
                if result.action == "modify" and result.event is not None:
                    outcome.event = result.event
        finally:
            if lane is not None:
                lane.close()
        return outcome

    async def run_sync_hooks(
        self,
        room_id: str,
        trigger: HookTrigger,
        event: Any,
        context: RoomContext,
        *,
        skip_event_filter: bool = False,
    ) -> SyncOutcome:
        """RoomKit 0.6.7's name of :meth:`run_sync` (``room_id`` is the context's room)."""
        _same_room(room_id, context)
        return await self.run_sync(trigger, event, context, skip_event_filter=skip_event_filter)

    async def run_async_hooks(
        self,
        room_id: str,
        trigger: HookTrigger,
        event: Any,
        context: RoomContext,
        *,
        skip_event_filter: bool = False,
    ) -> None:
        """Run the async hooks of ``trigger`` now and wait for them (in order); failures are
        reported, never raised. :meth:`fire` runs them in the background instead."""
        _same_room(room_id, context)
        hooks = [
            r for r in self._hooks(1, trigger, context) if skip_event_filter or r.matches(event)
        ]
        await self._run_async(hooks, event, context)

    def schedule_async(self, trigger: HookTrigger, payload: Any, ctx: RoomContext) -> None:
        """Run the async hooks of ``trigger`` in one tracked background task (in order)."""
        hooks = self._async.get(trigger, _NONE)
        if self._rooms:
            hooks = self._hooks(1, trigger, ctx)
        run: list[HookRegistration] = hooks
        if hooks.filtered:
            run = [reg for reg in hooks if reg.matches(payload)]
        if run:
            self.track(self._run_async(run, payload, ctx))

    def track(self, work: Coroutine[Any, Any, Any]) -> None:
        """Run ``work`` in a background task that :meth:`drain` waits for and
        :meth:`cancel_pending` cancels (the engine's own fire-and-forget work)."""
        task = get_running_loop().create_task(work)
        self._tasks.add(task)
        task.add_done_callback(self._untrack)

    async def _run_async(
        self, hooks: list[HookRegistration], payload: Any, ctx: RoomContext
    ) -> None:
        counted = None  # whether the message only counts async hook runs (see run_sync)
        if (tracer := self.tracer) is not None:
            only = tracer.below()
            if only is not None and _HOOK_ASYNC in only and _HOOK_ASYNC in tracer.counted:
                counted = _HOOK_ASYNC
                counts, thread = tracer.counts, get_ident()
        inline = tracer is None or counted is not None
        default = self.default_timeout
        watchdog = self.watchdog
        lane: Lane | None = None  # as in run_sync
        try:
            for reg in hooks:
                try:
                    if inline:
                        timeout = reg.timeout
                        if timeout is None:
                            timeout = default
                        try:
                            if timeout is None:
                                result = await reg.fn(payload, ctx)
                            else:
                                if lane is None:
                                    lane = Lane(watchdog)
                                when = lane.when = watchdog.clock() + timeout
                                if when < watchdog.armed_at:
                                    lane.arm()
                                try:
                                    result = await reg.fn(payload, ctx)
                                except BaseException as exc:
                                    if lane.stop() and isinstance(exc, CancelledError):
                                        raise _timed_out(reg, timeout) from None
                                    raise
                                lane.when = _INF
                                if lane.expired:
                                    lane.stop()
                        except BaseException as exc:
                            if counted is not None and tracer is not None:
                                _fail_counted(tracer, reg, counted, ctx, exc)
                            raise
                        if counted is not None and tracer is not None:
                            action = (  # Tracer.count_hook, in line once the count is known
                                result.__dict__["action"]
                                if type(result) is HookResult
                                else _action(result)
                            )
                            try:
                                counts[(thread, counted, reg.trigger, reg.name, action)].value += 1
                            except KeyError:
                                tracer.count_hook(
                                    counted, reg.trigger, reg.name, action, ctx.room.id
                                )
                    else:
                        await self._call(reg, payload, ctx)
                except Exception as exc:
                    await self._failed(reg, payload, ctx, exc)
        finally:
            if lane is not None:
                lane.close()

    async def fire(
        self, trigger: HookTrigger, payload: Any, ctx: RoomContext
    ) -> SyncOutcome | None:
        """Run the sync hooks of ``trigger`` in line and schedule its async hooks.

        The one way hooks are fired, by the engine and (through ``RoomKit.fire_hook``) by
        components. Returns the sync outcome, or ``None`` when no sync hook listens.
        """
        outcome = None
        if trigger in self._any_sync:
            outcome = await self.run_sync(trigger, payload, ctx)
        if trigger in self._any_async:
            self.schedule_async(trigger, payload, ctx)
        return outcome

    async def _failed(
        self, reg: HookRegistration, payload: Any, ctx: RoomContext, exc: BaseException
    ) -> None:
        logger.warning("hook %r (%s) failed: %r", reg.name, reg.trigger, exc)
        report = self.on_error
        if report is None or reg.trigger == HookTrigger.ON_ERROR:
            return
        try:
            await report(reg, payload, ctx, exc)
        except Exception:  # reporting must never break the caller
            logger.exception("reporting the failure of hook %r failed", reg.name)

    @property
    def pending(self) -> int:
        """How many async hook tasks are still running."""
        return len(self._tasks)

    async def relieve(self) -> None:
        """Back-pressure on async hooks: the set of running hook tasks is bounded.

        Above ``soft_pending`` tasks the caller yields once so they can run; at
        ``max_pending`` it waits until one finishes. Without this, a producer that never
        suspends would pile up tasks without limit (and the garbage collector with them).
        The engine calls it after releasing the room lock, so hook tasks that post into the
        room can always finish.
        """
        if len(self._tasks) >= self.max_pending:
            await asyncio.wait(list(self._tasks), return_when=asyncio.FIRST_COMPLETED)
        elif len(self._tasks) > self.soft_pending:
            await asyncio.sleep(0)

    async def drain(self, timeout: float | None = None) -> None:
        """Wait until every scheduled async hook task has finished (new ones included)."""
        async with asyncio.timeout(timeout):
            while self._tasks:
                await asyncio.gather(*list(self._tasks), return_exceptions=True)

    async def cancel_pending(self) -> None:
        """Cancel the async hook tasks still running and wait for them to stop."""
        tasks = list(self._tasks)
        for task in tasks:
            task.cancel()
        if tasks:
            await asyncio.gather(*tasks, return_exceptions=True)


def _action(result: Any) -> str:
    """The ``hook.result`` of a hook run that returned ``result`` (not an exact HookResult)."""
    return str(result.action) if isinstance(result, HookResult) else "none"


def _fail_counted(
    tracer: Tracer, reg: HookRegistration, kind: SpanKind, ctx: RoomContext, exc: BaseException
) -> None:
    """A failed run of a message that only counts hook runs: the run's span after all, to
    record its error."""
    span = tracer.start_hook(kind, reg.trigger, reg.name, ctx.room.id)
    tracer.fail(span, exc, {Attr.HOOK_RESULT: "error"})
