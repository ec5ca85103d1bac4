"""Cheap timeouts for the message path.

``asyncio.timeout`` schedules and cancels a timer handle for every guarded call; on a path
that runs several hooks and deliveries per message that is most of the per-message cost.
:class:`Watchdog` keeps one timer for all guarded calls: a call registers its deadline in a
dict (O(1)) and the timer is re-armed only when a deadline earlier than the armed one appears.
When the timer fires it cancels the tasks whose deadline passed and re-arms for the next one.
The guarded block then raises :class:`TimeoutError`, exactly like ``asyncio.timeout``.

:meth:`Watchdog.guard` awaits one coroutine under a deadline and registers nothing while the
coroutine has not suspended: a call that finishes without yielding to the event loop (an
in-memory hook or delivery, the common case) cannot be cancelled by a timer anyway, so it pays
neither the deadline's object nor its bookkeeping. One that suspends is guarded from then on,
its deadline counted from the call.

:class:`Lane` guards calls awaited one after another in one task (the hooks of one trigger):
it is registered once for the whole run, and each call only sets and clears its deadline (a
clock reading and two attribute writes), so a run of calls that never suspend costs about
one guarded block, not one per call.
"""

from __future__ import annotations

import asyncio
import math
import time
import types
from asyncio import get_running_loop
from asyncio.base_events import BaseEventLoop
from collections.abc import Awaitable, Callable, Coroutine, Generator
from types import TracebackType
from typing import Any, TypeVar

__all__ = ["Deadline", "Lane", "Watchdog"]

T = TypeVar("T")
_monotonic = time.monotonic
_INF = math.inf

try:  # Python 3.12+: the C implementation, which takes the loop
    from _asyncio import current_task as _current_task  # type: ignore[attr-defined]
except ImportError:  # pragma: no cover - depends on the Python version
    _current_task = asyncio.current_task


class Deadline:
    """A guarded block: ``with watchdog.deadline(seconds): await ...``."""

    __slots__ = ("expired", "task", "watchdog", "when")

    def __init__(self, watchdog: Watchdog, timeout: float) -> None:
        self.watchdog = watchdog
        self.when = timeout
        self.expired = False
        self.task: asyncio.Task[object] | None = None

    def __enter__(self) -> Deadline:
        # Watchdog._arm, inlined: this runs for every guarded hook and delivery call.
        watchdog = self.watchdog
        loop = get_running_loop()
        if loop is not watchdog._loop:
            watchdog._switch(loop)
        self.task = _current_task(loop)
        when = self.when = watchdog.clock() + self.when
        watchdog._active[self] = None
        if when < watchdog.armed_at:
            watchdog._schedule(loop, when)
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.watchdog._active.pop(self, None)
        if (
            self.expired
            and self.task is not None
            and self.task.uncancel() == 0
            and exc_type is asyncio.CancelledError
        ):
            raise TimeoutError from None


class Lane:
    """Deadlines for calls awaited one after another by one task, registered once.

    Before each call, ``lane.when = watchdog.clock() + timeout`` sets its deadline (and
    :meth:`arm` when that is earlier than ``watchdog.armed_at``): :meth:`start` says so, and a
    caller running many calls writes it out. After the call (returned or raised),
    ``lane.when = math.inf`` clears it, then :meth:`stop` if ``lane.expired``. A call still
    running at its deadline has its task cancelled, as in a :class:`Deadline`; :meth:`stop`
    withdraws that cancellation and answers ``True`` when the call's ``CancelledError`` is to
    become a timeout (no other cancellation pending). Between calls the lane holds no deadline,
    so whatever the task awaits there is never cancelled. :meth:`close` unregisters the lane
    once the run is over. Create it inside the task it guards.
    """

    __slots__ = ("expired", "task", "watchdog", "when")

    def __init__(self, watchdog: Watchdog) -> None:
        loop = get_running_loop()
        if loop is not watchdog._loop:
            watchdog._switch(loop)
        self.watchdog = watchdog
        self.task: asyncio.Task[object] | None = _current_task(loop)
        self.when = _INF
        self.expired = False
        watchdog._active[self] = None

    def start(self, timeout: float) -> None:
        """Set the deadline of the next call: ``timeout`` seconds from now."""
        when = self.when = self.watchdog.clock() + timeout
        if when < self.watchdog.armed_at:
            self.arm()

    def arm(self) -> None:
        """Make the watchdog's timer fire at the lane's deadline (earlier than it is armed)."""
        watchdog = self.watchdog
        if watchdog._loop is not None:
            watchdog._schedule(watchdog._loop, self.when)

    def stop(self) -> bool:
        """Clear the deadline of the call that just ended; ``True`` when it expired and its
        cancellation is the only one pending (the call's ``CancelledError`` is a timeout)."""
        self.when = _INF
        if not self.expired:
            return False
        # the watchdog cancelled the task and forgot the lane: take it back for the next call
        self.expired = False
        self.watchdog._active[self] = None
        return self.task is not None and self.task.uncancel() == 0

    def close(self) -> None:
        """Unregister the lane (the run of calls is over)."""
        self.watchdog._active.pop(self, None)


class Watchdog:
    """Cancels guarded blocks whose deadline passed, with one timer for all of them.

    ``clock`` is the running loop's clock and ``armed_at`` the time the timer fires next
    (``inf`` when it is not armed), both read by a :class:`Lane`'s callers; neither is to be
    written from outside.
    """

    def __init__(self) -> None:
        self._active: dict[Deadline | Lane, None] = {}
        self._timer: asyncio.TimerHandle | None = None
        self.armed_at = math.inf
        self._loop: asyncio.AbstractEventLoop | None = None
        self.clock: Callable[[], float] = time.monotonic

    def deadline(self, timeout: float) -> Deadline:
        """A context manager that raises ``TimeoutError`` after ``timeout`` seconds."""
        return Deadline(self, timeout)

    def lane(self) -> Lane:
        """A :class:`Lane` for calls the current task awaits one after another."""
        return Lane(self)

    def guard(self, call: Awaitable[T], timeout: float) -> Awaitable[T]:
        """``call`` awaited under a deadline of ``timeout`` seconds (``TimeoutError`` after it),
        the deadline registered only if ``call`` suspends (see the module docstring)."""
        if type(call) is types.CoroutineType:
            return _guarded(self, call, timeout)
        return self._guard_any(call, timeout)

    async def _guard_any(self, call: Awaitable[T], timeout: float) -> T:
        with Deadline(self, timeout):
            return await call

    def _switch(self, loop: asyncio.AbstractEventLoop) -> None:
        """A new event loop: forget the old loop's timer and read the new loop's clock (the
        stdlib loops' ``time()`` is ``time.monotonic``, called directly)."""
        self._loop = loop
        self._timer = None
        self.armed_at = math.inf
        self._active.clear()
        plain = getattr(type(loop), "time", None) is BaseEventLoop.time
        self.clock = time.monotonic if plain else loop.time

    def _schedule(self, loop: asyncio.AbstractEventLoop, when: float) -> None:
        """Move the timer to ``when`` (earlier than the armed one)."""
        if self._timer is not None:
            self._timer.cancel()
        self._timer = loop.call_at(when, self._fire)
        self.armed_at = when

    def _fire(self) -> None:
        self._timer = None
        self.armed_at = math.inf
        loop = self._loop
        if loop is None:
            return
        now = loop.time()
        upcoming = math.inf
        for deadline in list(self._active):
            if deadline.when <= now:
                del self._active[deadline]
                deadline.expired = True
                if deadline.task is not None:
                    deadline.task.cancel()
            elif deadline.when < upcoming:
                upcoming = deadline.when
        if upcoming < math.inf:
            self._timer = loop.call_at(upcoming, self._fire)
            self.armed_at = upcoming

    @property
    def active(self) -> int:
        """How many guarded blocks are running."""
        return len(self._active)


@types.coroutine
def _guarded(
    watchdog: Watchdog, coro: Coroutine[Any, Any, T], timeout: float
) -> Generator[Any, Any, T]:
    """``await coro`` under ``watchdog``, written out: the first step runs unguarded; if the
    coroutine suspends, the rest runs in a :class:`Deadline` (started at the call), passing
    what the task sends or throws to the coroutine as ``await`` does."""
    started = _monotonic()
    try:
        pending = coro.send(None)
    except StopIteration as stop:
        return stop.value  # type: ignore[no-any-return]
    with Deadline(watchdog, timeout - (_monotonic() - started)):
        while True:
            try:
                sent = yield pending
            except GeneratorExit:
                coro.close()
                raise
            except BaseException as exc:  # cancelled (the deadline, or the caller's task)
                try:
                    pending = coro.throw(exc)
                except StopIteration as stop:
                    return stop.value  # type: ignore[no-any-return]
            else:
                try:
                    pending = coro.send(sent)
                except StopIteration as stop:
                    return stop.value  # type: ignore[no-any-return]
