"""The time budget of one answer: an overall deadline, and retries that respect it."""

from __future__ import annotations

import asyncio
import random
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from typing import TypeVar

from roomkit.errors import ProviderError, ProviderTimeoutError
from roomkit.providers.ai.support.errors import deadline_error

__all__ = ["AnswerDeadline", "RetryPolicy", "is_worth_retrying"]

T = TypeVar("T")


class AnswerDeadline:
    """The moment one answer must be complete by, from its start (on the event loop's clock).

    :meth:`run` and :meth:`next` bound one step each; between steps nothing is held, so a
    stream can yield to its consumer freely. When the deadline passes, a step raises a
    :class:`~roomkit.errors.ProviderTimeoutError` with ``setting="timeout"``.
    """

    def __init__(self, provider: str, seconds: float) -> None:
        self.provider = provider
        self.seconds = seconds
        self._loop = asyncio.get_running_loop()
        self.when = self._loop.time() + seconds

    def remaining(self) -> float:
        """Seconds left (negative once passed)."""
        return self.when - self._loop.time()

    def error(self) -> ProviderTimeoutError:
        """The error raised when the deadline passed."""
        return deadline_error(self.provider, self.seconds)

    async def run(self, step: Callable[[], Awaitable[T]]) -> T:
        """``await step()``, cancelled when the deadline passes."""
        if self.remaining() <= 0:
            raise self.error()
        scope = asyncio.timeout_at(self.when)
        try:
            async with scope:
                return await step()
        except TimeoutError:
            if scope.expired():
                raise self.error() from None
            raise

    async def next(self, iterator: AsyncIterator[T]) -> T:
        """The next item of ``iterator``, waited for no longer than the deadline allows.

        Raises:
            StopAsyncIteration: the iterator is exhausted.
            ProviderTimeoutError: the deadline passed first.
        """
        return await self.run(iterator.__anext__)


def is_worth_retrying(error: ProviderError) -> bool:
    """Whether ``error`` may go away on a new attempt of the same request.

    Retryable errors are, except timeouts while waiting for data: the server received the
    request and went silent, and a second wait would double the delay a person sees.
    """
    if not error.retryable:
        return False
    return not isinstance(error, ProviderTimeoutError) or error.setting == "connect_timeout"


@dataclass
class RetryPolicy:
    """How many more attempts a failed request gets, and the pause before each.

    The pause before retry ``n`` (0-based) is the vendor's ``retry_after`` when it sent one,
    else ``backoff * 2**n`` with jitter (50-100 %), at most ``max_pause`` seconds. No retry is
    made when the pause would reach past the deadline: the caller gets the error at once.
    ``sleep`` and ``jitter`` are injectable for tests.
    """

    max_retries: int
    backoff: float = 0.5
    max_pause: float = 8.0
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep
    jitter: Callable[[], float] = field(default=random.random)

    def pause(self, error: ProviderError, attempt: int, remaining: float) -> float | None:
        """Seconds to wait before retrying after ``error`` on 0-based ``attempt``, or ``None``
        when the request must not be retried."""
        if attempt >= self.max_retries or not is_worth_retrying(error):
            return None
        if error.retry_after is not None:
            delay = max(0.0, error.retry_after)
        else:
            delay = min(self.max_pause, self.backoff * 2**attempt * (0.5 + self.jitter() / 2))
        return delay if delay < remaining else None

    async def call(self, deadline: AnswerDeadline, attempt: Callable[[], Awaitable[T]]) -> T:
        """``await attempt()`` under ``deadline``, retried as this policy allows."""
        number = 0
        while True:
            try:
                return await deadline.run(attempt)
            except ProviderError as error:
                delay = self.pause(error, number, deadline.remaining())
                if delay is None:
                    raise
            await self.sleep(delay)
            number += 1
