"""Token buckets: at most N calls per second, minute and/or hour."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable

from roomkit.errors import RateLimitedError
from roomkit.models.room import RateLimit

__all__ = ["TokenBucketRateLimiter"]


class _Bucket:
    __slots__ = ("capacity", "rate", "stamp", "tokens")

    def __init__(self, capacity: float, per_seconds: float, now: float) -> None:
        self.capacity = max(capacity, 1.0)
        self.rate = capacity / per_seconds  # tokens per second
        self.tokens = self.capacity
        self.stamp = now

    def refill(self, now: float) -> None:
        elapsed = now - self.stamp
        if elapsed > 0:
            self.tokens = min(self.capacity, self.tokens + elapsed * self.rate)
            self.stamp = now

    def wait_time(self) -> float:
        return 0.0 if self.tokens >= 1.0 else (1.0 - self.tokens) / self.rate


class TokenBucketRateLimiter:
    """A limiter with one bucket per configured window of a :class:`RateLimit`.

    Each bucket holds up to its window's limit and refills continuously, so short bursts up
    to the limit pass and the long-run rate never exceeds it. A call takes one token from
    every bucket, only when all have one.
    """

    def __init__(
        self,
        rate_limit: RateLimit | None = None,
        *,
        max_per_second: float | None = None,
        max_per_minute: float | None = None,
        max_per_hour: float | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if rate_limit is not None:
            max_per_second = max_per_second or rate_limit.max_per_second
            max_per_minute = max_per_minute or rate_limit.max_per_minute
            max_per_hour = max_per_hour or rate_limit.max_per_hour
        self._clock = clock
        now = clock()
        self._buckets: list[_Bucket] = []
        for limit, window in (
            (max_per_second, 1.0),
            (max_per_minute, 60.0),
            (max_per_hour, 3600.0),
        ):
            if limit is not None:
                if limit <= 0:
                    raise ValueError("rate limits must be positive")
                self._buckets.append(_Bucket(limit, window, now))

    @property
    def unlimited(self) -> bool:
        """True when no window is configured (every call passes)."""
        return not self._buckets

    def _refill(self) -> None:
        now = self._clock()
        for bucket in self._buckets:
            bucket.refill(now)

    def time_until_available(self) -> float:
        """Seconds until a call could pass."""
        self._refill()
        return max((b.wait_time() for b in self._buckets), default=0.0)

    def try_acquire(self) -> bool:
        """Take a token now if every bucket has one; never waits."""
        if not self._buckets:
            return True
        self._refill()
        if any(b.tokens < 1.0 for b in self._buckets):
            return False
        for bucket in self._buckets:
            bucket.tokens -= 1.0
        return True

    async def acquire(self, timeout: float | None = None) -> None:
        """Wait for a token; raises :class:`RateLimitedError` if that takes over ``timeout`` s."""
        while not self.try_acquire():
            wait = self.time_until_available()
            if timeout is not None and wait > timeout:
                raise RateLimitedError(
                    f"rate limit reached; next slot in {wait:.2f}s", retry_after=wait
                )
            if timeout is not None:
                timeout -= wait
            await asyncio.sleep(wait)
