"""Supervision of one attached event source: restarts with backoff, rate limit, bounded emits.

:class:`SourceRunner` runs a :class:`~roomkit.sources.base.SourceProvider`'s ``start`` in a
task, hands it a :class:`SourceEmitter` as its ``emit`` callback, and restarts it when its
connection ends (``start`` returns or raises) unless the kit is detaching it. Restart delays grow
exponentially from ``restart_delay`` up to ``max_restart_delay`` with "equal jitter" (half the
delay fixed, half random) so many sources dropped by one server do not reconnect in lockstep;
the count of consecutive failed runs resets whenever a run delivered a message to the kit or
stayed up for :data:`STABLE_AFTER` seconds (a message that fails every time does not count, so
a poison message cannot keep a source restarting at full speed forever).
After ``max_restart_attempts`` consecutive failed runs the runner gives up (status ERROR).

Every message goes through the emitter: it waits for the source's rate limit, then for one of
``max_concurrent_emits`` slots, then runs the kit's inbound pipeline and returns its result,
so a source that acknowledges messages acknowledges only what the kit has stored. At most
``max_pending_emits`` messages may wait for a slot; beyond that ``emit`` raises
:class:`~roomkit.errors.RateLimitedError` (the source leaves the message unacknowledged).
Failures are reported through the ``report`` callback (``ON_ERROR`` hooks and a
``source_error`` framework event, wired by :mod:`roomkit.core.sources_api`).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from roomkit.core.framework_events import FrameworkEvents
from roomkit.core.rate_limiter import TokenBucketRateLimiter
from roomkit.errors import ConfigurationError, RateLimitedError, SourceNotFoundError
from roomkit.models.event import InboundMessage, InboundResult
from roomkit.models.room import RateLimit
from roomkit.sources.base import (
    EmitCallback,
    SourceHealth,
    SourceProvider,
    SourceStatus,
    backoff_delay,
)

__all__ = ["STABLE_AFTER", "SourceEmitter", "SourceRunner", "SourceSettings"]

logger = logging.getLogger("roomkit.sources")

#: A run that lasted this many seconds counts as a success even if no message came.
STABLE_AFTER = 60.0

#: ``await report(channel_id, error, stage, details)``: hand a failure to the kit.
Reporter = Callable[[str, BaseException, str, dict[str, Any]], Awaitable[None]]


@dataclass(frozen=True, slots=True)
class SourceSettings:
    """How the kit supervises one source (the keywords of ``RoomKit.attach_source``)."""

    auto_restart: bool = True
    restart_delay: float = 5.0
    max_restart_delay: float = 300.0
    max_restart_attempts: int | None = None
    max_concurrent_emits: int = 10
    max_pending_emits: int = 1000
    rate_limit: RateLimit | None = None
    stop_timeout: float = 10.0

    def check(self) -> None:
        """Raise :class:`ConfigurationError` for values the runner cannot work with."""
        if self.restart_delay < 0 or self.max_restart_delay < self.restart_delay:
            raise ConfigurationError(
                "restart_delay must be >= 0 and max_restart_delay >= restart_delay "
                f"(got {self.restart_delay} and {self.max_restart_delay})"
            )
        if self.max_restart_attempts is not None and self.max_restart_attempts < 0:
            raise ConfigurationError("max_restart_attempts must be >= 0 (or None: no limit)")
        if self.max_concurrent_emits < 1 or self.max_pending_emits < 1:
            raise ConfigurationError("max_concurrent_emits and max_pending_emits must be >= 1")
        if self.stop_timeout <= 0:
            raise ConfigurationError("stop_timeout must be positive")


class SourceEmitter:
    """The ``emit`` callback a supervised source is started with (see the module doc)."""

    def __init__(self, runner: SourceRunner) -> None:
        self._runner = runner

    async def __call__(self, message: InboundMessage) -> InboundResult:
        """Run ``message`` through the kit (after the rate limit and a concurrency slot)."""
        runner = self._runner
        if runner.detached:
            raise SourceNotFoundError(
                f"source of {runner.channel_id!r} was detached; it may not emit any more"
            )
        if runner.waiting >= runner.settings.max_pending_emits:
            runner.overflowed += 1
            raise RateLimitedError(
                f"source of {runner.channel_id!r} has {runner.waiting} messages waiting "
                f"(max_pending_emits={runner.settings.max_pending_emits}); emit fewer at once"
            )
        runner.waiting += 1
        try:
            if runner.limiter is not None:
                await runner.limiter.acquire()
            await runner.slots.acquire()
        finally:
            runner.waiting -= 1
        try:
            runner.emitted += 1
            result = await runner.process(message)
        except Exception as exc:
            runner.emit_errors += 1
            await runner.report_failure(exc, "source.emit", {"message": message})
            raise
        finally:
            runner.slots.release()
        runner.delivered += 1
        return result

    async def report(self, error: BaseException, *, stage: str, raw: Any = None) -> None:
        """Report a failure the source handled itself (a payload it could not parse ...)."""
        self._runner.rejected += 1
        await self._runner.report_failure(error, stage, {"raw": _preview(raw)})


def _preview(raw: Any) -> str | None:
    if raw is None:
        return None
    text = raw.decode("utf-8", "replace") if isinstance(raw, bytes | bytearray) else str(raw)
    return text if len(text) <= 200 else text[:200] + "..."


class SourceRunner:
    """Runs and supervises one source attached to a kit's channel ``channel_id``."""

    def __init__(
        self,
        channel_id: str,
        source: SourceProvider,
        settings: SourceSettings,
        *,
        process: EmitCallback,
        report: Reporter,
        observers: FrameworkEvents,
        rng: random.Random | None = None,
    ) -> None:
        self.channel_id = channel_id
        self.source = source
        self.settings = settings
        self.process = process
        self._report = report
        self._observers = observers
        self._rng = rng or random.Random()
        self.limiter = TokenBucketRateLimiter(settings.rate_limit) if settings.rate_limit else None
        self.slots = asyncio.Semaphore(settings.max_concurrent_emits)
        self.emitter = SourceEmitter(self)
        self.waiting = 0
        self.emitted = 0
        self.delivered = 0
        self.emit_errors = 0
        self.rejected = 0
        self.overflowed = 0
        self.restarts = 0
        self.attempts = 0
        """Consecutive runs that ended without connecting or delivering anything."""
        self.gave_up = False
        self.detached = False
        self.last_error: str | None = None
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    # -- life --------------------------------------------------------------------------------
    def start(self) -> None:
        """Start supervising (runs the source in a task of its own)."""
        self._task = asyncio.get_running_loop().create_task(
            self._supervise(), name=f"roomkit-source:{self.channel_id}"
        )

    @property
    def running(self) -> bool:
        """Whether the supervising task is still alive."""
        return self._task is not None and not self._task.done()

    async def stop(self) -> None:
        """Stop the source and the supervision; cancels what does not end in ``stop_timeout``."""
        self.detached = True
        self._wake.set()
        try:
            async with asyncio.timeout(self.settings.stop_timeout):
                await self.source.stop()
        except Exception as exc:  # a source that fails to stop is still detached
            logger.warning("stopping the source of %s failed: %r", self.channel_id, exc)
        task = self._task
        if task is None or task.done():
            return
        done, _ = await asyncio.wait({task}, timeout=self.settings.stop_timeout)
        if not done:
            logger.warning(
                "source of %s did not stop within %ss; cancelling it",
                self.channel_id,
                self.settings.stop_timeout,
            )
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)

    async def health(self) -> SourceHealth:
        """The source's own health plus the supervision counters in ``metadata``."""
        try:
            async with asyncio.timeout(self.settings.stop_timeout):
                health = (await self.source.healthcheck()).model_copy(deep=True)
        except Exception as exc:
            health = SourceHealth(status=SourceStatus.ERROR, error=f"healthcheck failed: {exc!r}")
        if self.gave_up:
            health.status = SourceStatus.ERROR
        if health.error is None and self.last_error is not None and self.attempts:
            health.error = self.last_error
        health.metadata.update(
            restarts=self.restarts,
            restart_attempts=self.attempts,
            emitted=self.emitted,
            delivered=self.delivered,
            emit_errors=self.emit_errors,
            rejected=self.rejected,
            overflowed=self.overflowed,
            waiting=self.waiting,
            gave_up=self.gave_up,
        )
        return health

    async def report_failure(
        self, error: BaseException, stage: str, details: dict[str, Any]
    ) -> None:
        """Hand a failure to the kit; never raises."""
        self.last_error = f"{type(error).__name__}: {error}"
        try:
            await self._report(self.channel_id, error, stage, details)
        except Exception:
            logger.exception("reporting a failure of the source of %s failed", self.channel_id)

    # -- supervision -------------------------------------------------------------------------
    async def _supervise(self) -> None:
        settings = self.settings
        while not self.detached:
            error = await self._run_once()
            if self.detached:
                break
            if not settings.auto_restart:
                self.gave_up = error is not None
                break
            if (
                settings.max_restart_attempts is not None
                and self.attempts > settings.max_restart_attempts
            ):
                self.gave_up = True
                await self._observers.emit(
                    "source_failed",
                    channel_id=self.channel_id,
                    attempts=self.attempts,
                    error=self.last_error,
                )
                break
            delay = backoff_delay(
                max(self.attempts, 1),
                settings.restart_delay,
                settings.max_restart_delay,
                self._rng,
            )
            await self._observers.emit(
                "source_restarting",
                channel_id=self.channel_id,
                attempt=self.attempts,
                delay=round(delay, 3),
                error=error,
            )
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), delay)
            if not self.detached:
                self.restarts += 1

    async def _run_once(self) -> str | None:
        """One run of the source's ``start``; returns the error that ended it, if any."""
        loop = asyncio.get_running_loop()
        began, delivered = loop.time(), self.delivered
        error: str | None = None
        try:
            await self.source.start(self.emitter)
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            error = f"{type(exc).__name__}: {exc}"
            if not self.detached:
                await self.report_failure(exc, "source.start", {"attempt": self.attempts + 1})
        if self.detached:
            return error
        if self.delivered != delivered or loop.time() - began >= STABLE_AFTER:
            self.attempts = 0
        self.attempts += 1
        if error is None:
            logger.info("source of %s disconnected (run ended)", self.channel_id)
        return error
