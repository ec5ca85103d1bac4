"""The hook engine: registration, filtering, ordering, timeouts and error isolation.

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
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterable
from typing import Any

from pydantic import BaseModel, ValidationError
from pydantic_core import PydanticSerializationError

from roomkit.core._text import problems
from roomkit.core.deadlines import Watchdog
from roomkit.errors import ConfigurationError, HookTimeoutError, InvalidContentError
from roomkit.models.context import RoomContext
from roomkit.models.enums import ChannelDirection, ChannelType, HookExecution, HookTrigger
from roomkit.models.event import RoomEvent
from roomkit.models.hooks import (
    ErrorReporter,
    HookFn,
    HookRegistration,
    HookResult,
    SyncOutcome,
)
from roomkit.telemetry.base import TelemetryProvider

__all__ = [
    "ErrorReporter",
    "HookEngine",
    "HookFn",
    "HookRegistration",
    "SyncOutcome",
    "checked_result",
    "default_execution",
]

logger = logging.getLogger("roomkit.hooks")

_SYNC_BY_DEFAULT = frozenset({HookTrigger.BEFORE_BROADCAST, HookTrigger.BEFORE_TTS})


def default_execution(trigger: HookTrigger) -> HookExecution:
    """SYNC for triggers that can change what happens next (BEFORE_BROADCAST, BEFORE_TTS)."""
    return HookExecution.SYNC if trigger in _SYNC_BY_DEFAULT else HookExecution.ASYNC


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


class HookEngine:
    """Holds the hooks of one kit and runs them.

    ``default_timeout`` applies to hooks registered without their own ``timeout``;
    ``None`` disables it. ``on_error(registration, payload, ctx, exc)`` is awaited for every
    hook that fails (the kit sets it to report the failure to telemetry and ``ON_ERROR``
    hooks); without it failures are only logged.
    """

    def __init__(
        self,
        *,
        default_timeout: float | None = 30.0,
        telemetry: TelemetryProvider | None = None,
        on_error: ErrorReporter | None = None,
    ) -> None:
        self.default_timeout = default_timeout
        self.telemetry = telemetry
        self.on_error = on_error
        self._sync: dict[HookTrigger, list[HookRegistration]] = {}
        self._async: dict[HookTrigger, list[HookRegistration]] = {}
        self._seq = 0
        self._tasks: set[asyncio.Task[None]] = set()
        self.watchdog = Watchdog()
        self.soft_pending = 16
        self.max_pending = 4096

    # -- registration ----------------------------------------------------------------------
    def register(self, registration: HookRegistration) -> HookRegistration:
        """Add a hook. A hook given the same ``name`` on the same trigger is replaced."""
        self._remove(registration.trigger, registration.name)
        self._seq += 1
        registration.seq = self._seq
        table = self._sync if registration.execution == HookExecution.SYNC else self._async
        hooks = [*table.get(registration.trigger, ()), registration]
        hooks.sort(key=lambda r: (r.priority, r.seq))
        table[registration.trigger] = hooks
        return registration

    def add(
        self,
        trigger: HookTrigger,
        fn: HookFn,
        *,
        execution: HookExecution | None = None,
        name: str | None = None,
        priority: int = 0,
        timeout: float | None = None,
        channel_types: Iterable[ChannelType] | None = None,
        channel_ids: Iterable[str] | None = None,
        directions: Iterable[ChannelDirection] | None = None,
    ) -> HookRegistration:
        """Register ``fn`` for ``trigger``; see :class:`HookRegistration` for the filters."""
        if not callable(fn):
            raise ConfigurationError(
                f"a hook must be an async callable taking (payload, ctx), got {type(fn).__name__}"
            )
        if timeout is not None and timeout <= 0:
            raise ConfigurationError("hook timeout must be positive (or None for the default)")
        try:
            trigger = HookTrigger(trigger)
        except ValueError:
            raise ConfigurationError(
                f"unknown hook trigger {str(trigger)[:80]!r}; use a roomkit.HookTrigger member"
            ) from None
        if name is None:  # derived names never replace another hook
            name = getattr(fn, "__name__", None) or "hook"
            taken = {r.name for r in self.registrations(trigger)}
            if name in taken:
                name = f"{name}-{self._seq + 1}"
        return self.register(
            HookRegistration(
                trigger=trigger,
                fn=fn,
                name=name,
                execution=HookExecution(execution) if execution else default_execution(trigger),
                priority=priority,
                timeout=timeout,
                channel_types=None if channel_types is None else frozenset(channel_types),
                channel_ids=None if channel_ids is None else frozenset(channel_ids),
                directions=None if directions is None else frozenset(directions),
            )
        )

    def _remove(self, trigger: HookTrigger | None, name: str) -> bool:
        removed = False
        for table in (self._sync, self._async):
            for key in list(table):
                if trigger is not None and key != trigger:
                    continue
                kept = [r for r in table[key] if r.name != name]
                if len(kept) != len(table[key]):
                    removed = True
                    if kept:
                        table[key] = kept
                    else:
                        del table[key]
        return removed

    def remove(self, name: str, trigger: HookTrigger | None = None) -> bool:
        """Unregister hooks called ``name`` (on ``trigger`` only, when given)."""
        return self._remove(trigger, name)

    def registrations(self, trigger: HookTrigger | None = None) -> list[HookRegistration]:
        """Registered hooks (of one trigger, when given), sync ones first."""
        found: list[HookRegistration] = []
        for table in (self._sync, self._async):
            for key, hooks in table.items():
                if trigger is None or key == trigger:
                    found.extend(hooks)
        return found

    def has(self, trigger: HookTrigger) -> bool:
        """Whether any hook listens to ``trigger``."""
        return trigger in self._sync or trigger in self._async

    def has_sync(self, trigger: HookTrigger) -> bool:
        """Whether any sync hook listens to ``trigger``."""
        return trigger in self._sync

    def has_async(self, trigger: HookTrigger) -> bool:
        """Whether any async hook listens to ``trigger``."""
        return trigger in self._async

    # -- running ---------------------------------------------------------------------------
    async def _call(self, reg: HookRegistration, payload: Any, ctx: RoomContext) -> Any:
        timeout = reg.timeout if reg.timeout is not None else self.default_timeout
        telemetry = self.telemetry
        span = ""
        if telemetry is not None:
            span = telemetry.start_span(
                "roomkit.hook", {"hook": reg.name, "trigger": str(reg.trigger)}
            )
        try:
            if timeout is None:
                result = await reg.fn(payload, ctx)
            else:
                try:
                    with self.watchdog.deadline(timeout):
                        result = await reg.fn(payload, ctx)
                except TimeoutError:
                    raise HookTimeoutError(
                        f"hook {reg.name!r} ({reg.trigger}) did not finish within {timeout}s"
                    ) from None
        except Exception as exc:
            if telemetry is not None:
                telemetry.end_span(span, status="error", error=exc)
            raise
        if telemetry is not None:
            telemetry.end_span(span)
        return result

    async def run_sync(self, trigger: HookTrigger, event: Any, ctx: RoomContext) -> SyncOutcome:
        """Run the sync hooks of ``trigger`` on ``event`` in order; stop at the first block.

        The building block of :meth:`fire`; the engine calls it alone where a trigger has
        only sync semantics (BEFORE_BROADCAST decides the event's fate before it is stored).
        """
        outcome = SyncOutcome(event=event)
        for reg in self._sync.get(trigger, ()):
            if not reg.matches(outcome.event):
                continue
            try:
                result = await self._call(reg, outcome.event, ctx)
                if not isinstance(result, HookResult):
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
        return outcome

    def schedule_async(self, trigger: HookTrigger, payload: Any, ctx: RoomContext) -> None:
        """Run the async hooks of ``trigger`` in one tracked background task (in order)."""
        hooks = [r for r in self._async.get(trigger, ()) if r.matches(payload)]
        if not hooks:
            return
        task = asyncio.get_running_loop().create_task(self._run_async(hooks, payload, ctx))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _run_async(
        self, hooks: list[HookRegistration], payload: Any, ctx: RoomContext
    ) -> None:
        for reg in hooks:
            try:
                await self._call(reg, payload, ctx)
            except Exception as exc:
                await self._failed(reg, payload, ctx, exc)

    async def fire(
        self, trigger: HookTrigger, payload: Any, ctx: RoomContext
    ) -> SyncOutcome | None:
        """Run the sync hooks of ``trigger`` in line and schedule its async hooks.

        The one way hooks are fired, by the engine and (through ``RoomKit.fire_hook``) by
        components. Returns the sync outcome, or ``None`` when no sync hook listens.
        """
        outcome = None
        if trigger in self._sync:
            outcome = await self.run_sync(trigger, payload, ctx)
        if trigger in self._async:
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
