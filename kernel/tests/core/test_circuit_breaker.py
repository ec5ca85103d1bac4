"""The circuit breaker."""

from __future__ import annotations

import pytest

from roomkit import CircuitBreaker, CircuitOpenError
from roomkit.core.circuit_breaker import CircuitState


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


async def test_circuit_breaker_states() -> None:
    clock = Clock()
    breaker = CircuitBreaker(failure_threshold=2, recovery_timeout=10, clock=clock)

    async def fail() -> None:
        raise ConnectionError("x")

    async def ok() -> str:
        return "ok"

    for _ in range(2):
        with pytest.raises(ConnectionError):
            await breaker.call(fail)
    assert breaker.state == CircuitState.OPEN
    with pytest.raises(CircuitOpenError):
        await breaker.call(ok)
    clock.now = 10
    assert breaker.state == CircuitState.HALF_OPEN
    with pytest.raises(ConnectionError):
        await breaker.call(fail)  # the probe fails: open again
    assert breaker.state == CircuitState.OPEN
    assert breaker.retry_after() == 10
    clock.now = 20
    assert await breaker.call(ok) == "ok"
    assert breaker.state == CircuitState.CLOSED
    assert breaker.failures == 0


def test_circuit_breaker_single_probe() -> None:
    clock = Clock()
    breaker = CircuitBreaker(failure_threshold=1, recovery_timeout=1, clock=clock)
    breaker.record_failure()
    clock.now = 1
    assert breaker.allow_request() is True
    assert breaker.allow_request() is False  # only one probe at a time


def test_circuit_breaker_validates() -> None:
    with pytest.raises(ValueError):
        CircuitBreaker(failure_threshold=0)


def test_state_flags_follow_the_state() -> None:
    clock = Clock()
    breaker = CircuitBreaker(failure_threshold=2, recovery_timeout=10, clock=clock)

    def flags() -> tuple[bool, bool, bool]:
        return breaker.is_open, breaker.is_closed, breaker.is_half_open

    assert flags() == (False, True, False)
    breaker.record_failure()
    assert flags() == (False, True, False)  # below the threshold
    breaker.record_failure()
    assert flags() == (True, False, False)
    assert not breaker.allow_request()
    clock.now = 10
    assert flags() == (False, False, True)  # recovery time passed: a probe may go
    assert breaker.allow_request()
    assert flags() == (False, False, True)
    breaker.record_failure()
    assert flags() == (True, False, False)  # the probe failed
    clock.now = 20
    assert breaker.allow_request()
    breaker.record_success()
    assert flags() == (False, True, False)
