"""Retries with exponential backoff, driven by a :class:`~roomkit.models.RetryPolicy`."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import TypeVar

from roomkit.errors import CircuitOpenError, ProviderError
from roomkit.models.room import RetryPolicy

__all__ = ["RetryError", "is_retryable", "retry_async"]

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


async def retry_async(
    fn: Callable[[], Awaitable[T]],
    policy: RetryPolicy | None,
    *,
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    on_retry: Callable[[int, BaseException], None] | None = None,
) -> tuple[T, int]:
    """Call ``fn`` until it succeeds or the policy's retries are used up.

    Returns ``(result, attempts)``. Waits ``policy.delay_for(n)`` before retry ``n`` (0-based),
    or longer when the failure carries the vendor's ``retry_after`` (HTTP ``Retry-After``): a
    retry never comes before the vendor allows it. A ``retry_after`` over the policy's
    ``max_delay_seconds`` stops the retries (the policy forbids that long a wait). Failures
    that :func:`is_retryable` rejects stop at once. When every attempt failed, raises
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
            assert policy is not None
            delay = policy.delay_for(attempt - 1)
            vendor_wait = getattr(exc, "retry_after", None)
            if isinstance(vendor_wait, int | float) and vendor_wait > delay:
                if vendor_wait > policy.max_delay_seconds:
                    raise RetryError(exc, attempt) from exc
                delay = float(vendor_wait)
            if on_retry is not None:
                on_retry(attempt, exc)
            if delay > 0:
                await sleep(delay)
