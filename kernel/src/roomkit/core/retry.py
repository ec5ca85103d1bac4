"""Retries with exponential backoff, driven by a :class:`~roomkit.models.RetryPolicy`."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import TypeVar

from roomkit.errors import CircuitOpenError, ProviderError
from roomkit.models.room import RetryPolicy

__all__ = [
    "MAX_RETRY_AFTER_SECONDS",
    "RetryError",
    "backoff",
    "is_retryable",
    "retry_after_of",
    "retry_async",
]

#: The longest vendor ``Retry-After`` a retry waits for (a bogus value never parks a retry).
MAX_RETRY_AFTER_SECONDS = 3600.0

T = TypeVar("T")


class RetryError(Exception):
    """Wraps the last failure once every attempt was used; ``attempts`` says how many ran."""

    def __init__(self, last: BaseException, attempts: int) -> None:
        super().__init__(f"failed after {attempts} attempt(s): {last!r}")
        self.last = last
        self.attempts = attempts


def is_retryable(exc: BaseException) -> bool:
    """Whether trying again may help: not for an open circuit or a non-retryable provider error."""
    if isinstance(exc, CircuitOpenError):
        return False
    if isinstance(exc, ProviderError):
        return exc.retryable
    return isinstance(exc, Exception)


def retry_after_of(error: BaseException | str | None) -> float | None:
    """The wait (seconds) a failed call's vendor asked for (a provider error's
    ``retry_after``, e.g. HTTP 429 ``Retry-After``), at most
    :data:`MAX_RETRY_AFTER_SECONDS`; ``None`` when it asked for none."""
    wait = getattr(error, "retry_after", None)
    if not isinstance(wait, int | float) or wait <= 0:
        return None
    return min(float(wait), MAX_RETRY_AFTER_SECONDS)


def backoff(policy: RetryPolicy, retry: int, retry_after: float | None = None) -> float:
    """Seconds to wait before retry number ``retry`` (0-based): the policy's backoff, or the
    vendor's ``retry_after`` when that is longer (a retry sooner would be refused again)."""
    delay = policy.delay_for(retry)
    return max(delay, retry_after) if retry_after is not None else delay


async def retry_async(
    fn: Callable[[], Awaitable[T]],
    policy: RetryPolicy | None,
    *,
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    on_retry: Callable[[int, BaseException], None] | None = None,
) -> tuple[T, int]:
    """Call ``fn`` until it succeeds or the policy's retries are used up.

    Returns ``(result, attempts)``. Waits ``policy.delay_for(n)`` before retry ``n`` (0-based),
    or longer when the failure carries a vendor's ``retry_after`` (:func:`backoff`).
    Failures that :func:`is_retryable` rejects stop at once. When every attempt failed, raises
    :class:`RetryError` carrying the last exception and the attempt count.
    """
    retries = 0 if policy is None else policy.max_retries
    attempt = 0
    while True:
        attempt += 1
        try:
            return await fn(), attempt
        except Exception as exc:
            if attempt > retries or not is_retryable(exc):
                raise RetryError(exc, attempt) from exc
            if on_retry is not None:
                on_retry(attempt, exc)
            assert policy is not None
            delay = backoff(policy, attempt - 1, retry_after_of(exc))
            if delay > 0:
                await sleep(delay)
