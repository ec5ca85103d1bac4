"""The token-bucket rate limiter."""

from __future__ import annotations

import asyncio

import pytest

from roomkit import RateLimit, RateLimitedError, TokenBucketRateLimiter


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_token_bucket_windows() -> None:
    clock = Clock()
    limiter = TokenBucketRateLimiter(RateLimit(max_per_second=2, max_per_minute=3), clock=clock)
    assert [limiter.try_acquire() for _ in range(3)] == [True, True, False]
    clock.now = 1
    assert limiter.try_acquire() is True  # second bucket refilled, minute bucket has 1 left
    clock.now = 2
    assert limiter.try_acquire() is False  # the minute window is the limit now
    assert limiter.time_until_available() == pytest.approx(18)  # 0.9 token at 0.05 token/s


async def test_token_bucket_acquire_waits_or_raises() -> None:
    limiter = TokenBucketRateLimiter(max_per_second=50)
    for _ in range(50):
        assert limiter.try_acquire()
    loop = asyncio.get_running_loop()
    start = loop.time()
    await limiter.acquire(timeout=1)
    assert loop.time() - start >= 0.015
    slow = TokenBucketRateLimiter(max_per_hour=1)
    await slow.acquire()
    with pytest.raises(RateLimitedError) as info:
        await slow.acquire(timeout=0.01)
    assert info.value.retry_after > 3000


def test_unlimited_and_validation() -> None:
    assert TokenBucketRateLimiter().unlimited
    assert TokenBucketRateLimiter().try_acquire()
    with pytest.raises(ValueError):
        TokenBucketRateLimiter(max_per_second=0)
