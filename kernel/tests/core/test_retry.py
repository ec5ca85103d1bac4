"""Retries with exponential backoff."""

from __future__ import annotations

import pytest

from roomkit import RetryPolicy
from roomkit.core.retry import RetryError, retry_async


async def test_retry_backoff_delays() -> None:
    delays: list[float] = []

    async def sleep(d: float) -> None:
        delays.append(d)

    calls = 0

    async def flaky() -> str:
        nonlocal calls
        calls += 1
        if calls < 4:
            raise ConnectionError("x")
        return "ok"

    policy = RetryPolicy(max_retries=5, base_delay_seconds=1, max_delay_seconds=3)
    assert await retry_async(flaky, policy, sleep=sleep) == ("ok", 4)
    assert delays == [1, 2, 3]


async def test_retry_gives_up() -> None:
    async def broken() -> None:
        raise ConnectionError("down")

    with pytest.raises(RetryError) as info:
        await retry_async(broken, RetryPolicy(max_retries=2, base_delay_seconds=0))
    assert info.value.attempts == 3
    assert isinstance(info.value.last, ConnectionError)


def test_retry_policy_delay_for() -> None:
    policy = RetryPolicy(base_delay_seconds=0.5, exponential_base=3, max_delay_seconds=10)
    assert [policy.delay_for(i) for i in range(4)] == [0.5, 1.5, 4.5, 10]


async def test_a_vendor_retry_after_longer_than_the_backoff_is_waited_for() -> None:
    from roomkit.core.retry import MAX_RETRY_AFTER_SECONDS
    from roomkit.errors import TransientProviderError

    delays: list[float] = []

    async def sleep(d: float) -> None:
        delays.append(d)

    waits = iter([7.0, 0.5, 10_000.0])

    async def throttled() -> str:
        wait = next(waits, None)
        if wait is not None:
            raise TransientProviderError("429", provider="acme", retry_after=wait)
        return "ok"

    policy = RetryPolicy(max_retries=5, base_delay_seconds=1, max_delay_seconds=60)
    assert await retry_async(throttled, policy, sleep=sleep) == ("ok", 4)
    # 7 s asked > 1 s backoff; 0.5 s asked < 2 s backoff; an absurd wait is capped
    assert delays == [7.0, 2.0, MAX_RETRY_AFTER_SECONDS]
