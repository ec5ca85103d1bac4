"""Provider calls of an AI channel that survive a failing provider: retries, then a fallback.

A retryable :class:`~roomkit.errors.ProviderError` (rate limit, server error, timeout) of
the primary provider is retried as the channel's :class:`~roomkit.models.RetryPolicy` says
(none without one), pausing ``delay_for(attempt)`` or the vendor's ``retry_after`` (at most
``max_delay_seconds``). When the primary still fails with a ``ProviderError`` (retries used
up, or an error a retry cannot fix such as a rejected key), the fallback provider gets the
request once. Other exceptions are bugs, not outages: they are raised at once.

A stream is retried only while nothing of it was received: text already shown to people is
never repeated.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Awaitable, Callable

from roomkit.errors import ProviderError
from roomkit.models.ai import AIContext, AIResponse, AIStreamChunk
from roomkit.models.room import RetryPolicy
from roomkit.providers.ai.base import AIProvider

__all__ = ["ProviderCalls"]

logger = logging.getLogger("roomkit.channels.ai")


class ProviderCalls:
    """Calls ``primary`` under ``retry_policy``, then ``fallback`` (see the module doc).

    ``answered_by`` is the provider whose answer the last call returned. ``sleep`` is
    injectable for tests.
    """

    def __init__(
        self,
        primary: AIProvider,
        *,
        fallback: AIProvider | None = None,
        retry_policy: RetryPolicy | None = None,
        channel_id: str = "",
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self.primary = primary
        self.fallback = fallback
        self.retry_policy = retry_policy
        self.channel_id = channel_id
        self.answered_by: AIProvider = primary
        self._sleep = sleep

    async def generate(self, request: AIContext) -> AIResponse:
        """One answer to ``request``, retried and failed over as the module doc says."""
        provider, attempt, first_error = self.primary, 0, None
        while True:
            try:
                response = await provider.generate(request)
            except ProviderError as exc:
                provider, attempt, first_error = await self._after(
                    provider, attempt, exc, first_error
                )
                continue
            self.answered_by = provider
            return response

    async def stream(self, request: AIContext) -> AsyncIterator[AIStreamChunk]:
        """The chunks of one answer; a failure before the first chunk is retried and failed
        over like :meth:`generate`, a failure after it is raised."""
        provider, attempt, first_error = self.primary, 0, None
        while True:
            received = False
            try:
                async for chunk in provider.generate_stream(request):
                    if not received:
                        received = True
                        self.answered_by = provider
                    yield chunk
                return
            except ProviderError as exc:
                if received:
                    raise
                provider, attempt, first_error = await self._after(
                    provider, attempt, exc, first_error
                )

    async def _after(
        self,
        provider: AIProvider,
        attempt: int,
        error: ProviderError,
        first_error: ProviderError | None,
    ) -> tuple[AIProvider, int, ProviderError | None]:
        """The provider and attempt number to try next after ``error``, or raise."""
        if provider is not self.primary:  # the fallback failed too: report the primary's error
            assert first_error is not None
            logger.warning(
                "AI channel %s: fallback provider %s failed too: %s",
                self.channel_id,
                provider.name,
                error,
            )
            raise first_error from error
        policy = self.retry_policy
        if policy is not None and error.retryable and attempt < policy.max_retries:
            delay = policy.delay_for(attempt)
            if error.retry_after is not None:
                delay = min(max(0.0, error.retry_after), policy.max_delay_seconds)
            logger.info(
                "AI channel %s: %s failed (attempt %d of %d, status %s): %s; retrying in %.2fs",
                self.channel_id,
                provider.name,
                attempt + 1,
                policy.max_retries + 1,
                error.status_code,
                error,
                delay,
            )
            await self._sleep(delay)
            return provider, attempt + 1, None
        if self.fallback is None:
            raise error
        logger.warning(
            "AI channel %s: %s failed after %d attempt(s): %s; asking fallback provider %s",
            self.channel_id,
            provider.name,
            attempt + 1,
            error,
            self.fallback.name,
        )
        return self.fallback, 0, error
