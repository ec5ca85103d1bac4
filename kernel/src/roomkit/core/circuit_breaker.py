"""A circuit breaker: stop calling a failing channel for a while, then probe it again."""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from enum import StrEnum
from typing import TypeVar

from roomkit.errors import CircuitOpenError

__all__ = ["CircuitBreaker", "CircuitState"]

T = TypeVar("T")


class CircuitState(StrEnum):
    """CLOSED lets calls through; OPEN refuses them; HALF_OPEN lets one probe through."""

    CLOSED = "closed"
    OPEN = "open"
    HALF_OPEN = "half_open"


class CircuitBreaker:
    """Opens after ``failure_threshold`` consecutive failures; after ``recovery_timeout``
    seconds one call is let through: success closes the circuit, failure opens it again.
    """

    def __init__(
        self,
        failure_threshold: int = 5,
        recovery_timeout: float = 30.0,
        *,
        name: str = "",
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if failure_threshold < 1:
            raise ValueError("failure_threshold must be at least 1")
        if recovery_timeout < 0:
            raise ValueError("recovery_timeout must not be negative")
        self.failure_threshold = failure_threshold
        self.recovery_timeout = recovery_timeout
        self.name = name
        self._clock = clock
        self._failures = 0
        self._opened_at: float | None = None
        self._probing = False

    @property
    def state(self) -> CircuitState:
        """The current state (OPEN turns HALF_OPEN once the recovery time has passed)."""
        if self._opened_at is None:
            return CircuitState.CLOSED
        if self._probing or self._clock() - self._opened_at >= self.recovery_timeout:
            return CircuitState.HALF_OPEN
        return CircuitState.OPEN

    @property
    def is_open(self) -> bool:
        """Whether calls are refused now (OPEN, before the recovery time has passed)."""
        return self.state is CircuitState.OPEN

    @property
    def is_closed(self) -> bool:
        """Whether calls go through normally (CLOSED)."""
        return self.state is CircuitState.CLOSED

    @property
    def is_half_open(self) -> bool:
        """Whether the recovery time has passed and one probe call may (or does) go through."""
        return self.state is CircuitState.HALF_OPEN

    @property
    def failures(self) -> int:
        """Consecutive failures counted so far."""
        return self._failures

    def allow_request(self) -> bool:
        """Whether a call may go ahead now (claims the single probe when half open)."""
        if self._opened_at is None:
            return True
        if self._probing:
            return False
        if self._clock() - self._opened_at >= self.recovery_timeout:
            self._probing = True
            return True
        return False

    def record_success(self) -> None:
        """A call succeeded: close the circuit."""
        self._failures = 0
        self._opened_at = None
        self._probing = False

    def record_failure(self) -> None:
        """A call failed: count it, and open (or re-open) the circuit when due."""
        self._failures += 1
        if self._probing or self._failures >= self.failure_threshold:
            self._opened_at = self._clock()
            self._probing = False

    def retry_after(self) -> float:
        """Seconds until a probe will be allowed (0 when calls go through)."""
        if self._opened_at is None:
            return 0.0
        return max(0.0, self.recovery_timeout - (self._clock() - self._opened_at))

    async def call(self, fn: Callable[[], Awaitable[T]]) -> T:
        """Run ``fn`` through the breaker; raises :class:`CircuitOpenError` when open."""
        if not self.allow_request():
            raise CircuitOpenError(
                f"circuit {self.name or 'breaker'} is open; retry in {self.retry_after():.1f}s"
            )
        try:
            result = await fn()
        except Exception:
            self.record_failure()
            raise
        self.record_success()
        return result
