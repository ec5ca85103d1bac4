"""The hook engine: registration, filtering, ordering, timeouts and error isolation.

A hook is an async function ``fn(payload, ctx)``. Sync hooks run in line, in priority order
(lowest ``priority`` first, then registration order), and may return a
:class:`~roomkit.models.HookResult` that allows, blocks or modifies the event and injects events,
tasks and observations. Async hooks run after the fact in a background task the engine tracks
(``drain`` waits for them); their return value is ignored.

A hook that raises or outlives its timeout never breaks the room: the failure is logged, sent
to telemetry and reported to the ``ON_ERROR`` hooks (whose own failures are only logged, so
reporting cannot recurse). A failed sync hook counts as "allow".
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from roomkit.core.deadlines import Watchdog
from roomkit.errors import ConfigurationError, HookTimeoutError
from roomkit.models.context import RoomContext
from roomkit.models.enums import ChannelDirection, ChannelType, HookExecution, HookTrigger
from roomkit.models.event import RoomEvent
from roomkit.models.hooks import HookResult
from roomkit.models.task import Observation, Task
from roomkit.telemetry.base import TelemetryProvider

__all__ = ["HookEngine", "HookFn", "HookRegistration", "SyncOutcome", "default_execution"]

logger = logging.getLogger("roomkit.hooks")

HookFn = Callable[[Any, RoomContext], Awaitable[Any]]
"""``async def hook(payload, ctx) -> HookResult | None``."""

_SYNC_BY_DEFAULT = frozenset({HookTrigger.BEFORE_BROADCAST, HookTrigger.BEFORE_TTS})


def default_execution(trigger: HookTrigger) -> HookExecution:
    """SYNC for triggers that can change what happens next (BEFORE_BROADCAST, BEFORE_TTS)."""
    return HookExecution.SYNC if trigger in _SYNC_BY_DEFAULT else HookExecution.ASYNC


@dataclass(slots=True)
class HookRegistration:
    """One registered hook and the filters that decide which payloads it sees.

    ``channel_types``, ``channel_ids`` and ``directions`` are matched against the payload's
    ``source`` (a :class:`~roomkit.models.EventSource`); ``None`` means "any". A hook with a
    filter never sees payloads that have no ``source``.
    """

    trigger: HookTrigger
    fn: HookFn
    name: str
    execution: HookExecution = HookExecution.ASYNC
    priority: int = 0
    timeout: float | None = None
    channel_types: frozenset[ChannelType] | None = None
    channel_ids: frozenset[str] | None = None
    directions: frozenset[ChannelDirection] | None = None
    seq: int = 0

    @property
    def filtered(self) -> bool:
        """Whether any filter is set."""
        return not (
            self.channel_types is None and self.channel_ids is None and self.directions is None
        )

    def matches(self, payload: Any) -> bool:
        """Whether this hook should see ``payload``."""
        if self.channel_types is None and self.channel_ids is None and self.directions is None:
            return True
        source = getattr(payload, "source", None)
        if source is None:
            return False
        if self.channel_types is not None and source.channel_type not in self.channel_types:
            return False
        if self.channel_ids is not None and source.channel_id not in self.channel_ids:
            return False
        return self.directions is None or source.direction in self.directions


@dataclass(slots=True)
class SyncOutcome:
    """What the sync hooks of one trigger decided about one event."""

    event: Any
    blocked: bool = False
    reason: str | None = None
    blocked_by: str | None = None
    injected_events: list[RoomEvent] = field(default_factory=list)
    tasks: list[Task] = field(default_factory=list)
    observations: list[Observation] = field(default_factory=list)


ErrorReporter = Callable[[HookRegistration, Any, RoomContext, BaseException], Awaitable[None]]


class HookEngine:
    """Holds the hooks of one kit and runs them.

    ``default_timeout`` applies to hooks registered without their own ``timeout``;
    ``None`` disables it. ``on_error`` (set by the kit) reports failures to ``ON_ERROR`` hooks.
    """

    def __init__(
        self,
        *,
        default_timeout: float | None = 30.0,
        telemetry: TelemetryProvider | None = None,
    ) -> None:
        self.default_timeout = default_timeout
        self.telemetry = telemetry
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

    async def run_sync(
        self,
        trigger: HookTrigger,
        event: Any,
        ctx: RoomContext,
        report: ErrorReporter | None = None,
    ) -> SyncOutcome:
        """Run the sync hooks of ``trigger`` on ``event`` in order; stop at the first block."""
        outcome = SyncOutcome(event=event)
        for reg in self._sync.get(trigger, ()):
            if not reg.matches(outcome.event):
                continue
            try:
                result = await self._call(reg, outcome.event, ctx)
            except Exception as exc:
                await self._failed(reg, outcome.event, ctx, exc, report)
                continue
            if not isinstance(result, HookResult):
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

    def schedule_async(
        self,
        trigger: HookTrigger,
        payload: Any,
        ctx: RoomContext,
        report: ErrorReporter | None = None,
    ) -> None:
        """Run the async hooks of ``trigger`` in one tracked background task (in order)."""
        hooks = [r for r in self._async.get(trigger, ()) if r.matches(payload)]
        if not hooks:
            return
        task = asyncio.get_running_loop().create_task(self._run_async(hooks, payload, ctx, report))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _run_async(
        self,
        hooks: list[HookRegistration],
        payload: Any,
        ctx: RoomContext,
        report: ErrorReporter | None,
    ) -> None:
        for reg in hooks:
            try:
                await self._call(reg, payload, ctx)
            except Exception as exc:
                await self._failed(reg, payload, ctx, exc, report)

    async def fire(
        self,
        trigger: HookTrigger,
        payload: Any,
        ctx: RoomContext,
        report: ErrorReporter | None = None,
    ) -> SyncOutcome | None:
        """Run the sync hooks of ``trigger`` in line and schedule its async hooks.

        Returns the sync outcome, or ``None`` when no sync hook listens.
        """
        outcome = None
        if trigger in self._sync:
            outcome = await self.run_sync(trigger, payload, ctx, report)
        if trigger in self._async:
            self.schedule_async(trigger, payload, ctx, report)
        return outcome

    async def _failed(
        self,
        reg: HookRegistration,
        payload: Any,
        ctx: RoomContext,
        exc: BaseException,
        report: ErrorReporter | None,
    ) -> None:
        logger.warning("hook %r (%s) failed: %r", reg.name, reg.trigger, exc)
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
