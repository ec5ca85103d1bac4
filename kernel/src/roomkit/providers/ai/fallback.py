"""An AI provider that tries several providers in order until one answers."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Sequence

from roomkit.errors import ConfigurationError, ProviderError
from roomkit.models.ai import AIContext, AIImagePart, AIResponse, AIStreamChunk
from roomkit.providers.ai.base import AIProvider

__all__ = ["FallbackAIProvider"]


def _has_images(context: AIContext) -> bool:
    return any(
        isinstance(part, AIImagePart)
        for message in context.messages
        if not isinstance(message.content, str)
        for part in message.content
    )


class FallbackAIProvider(AIProvider):
    """Asks ``providers`` in order, moving on when one fails.

    A provider is skipped on :class:`~roomkit.errors.ProviderError` (retryable or not, unless
    ``only_retryable=True``), on any other exception it lets escape, and when it takes longer
    than ``timeout`` seconds. Providers that cannot see images are skipped for requests that
    carry images. When all fail, a :class:`ProviderError` lists every failure. A stream only
    falls back before its first chunk; once text has been delivered, a failure is final.
    """

    name = "fallback"

    def __init__(
        self,
        providers: Sequence[AIProvider],
        *,
        timeout: float | None = None,
        only_retryable: bool = False,
    ) -> None:
        if not providers:
            raise ConfigurationError("FallbackAIProvider needs at least one provider")
        if timeout is not None and timeout <= 0:
            raise ConfigurationError(f"timeout must be > 0 seconds, got {timeout}")
        self.providers = list(providers)
        self.timeout = timeout
        self.only_retryable = only_retryable
        self.supports_streaming = any(p.supports_streaming for p in self.providers)
        self.supports_structured_streaming = any(
            p.supports_structured_streaming for p in self.providers
        )
        self.supports_vision = any(p.supports_vision for p in self.providers)
        self.supports_tools = any(p.supports_tools for p in self.providers)
        self.last_provider: AIProvider | None = None
        self.failures: list[tuple[str, str]] = []

    @property
    def model_name(self) -> str:
        """The model of the provider that answered last (else the first provider's)."""
        return (self.last_provider or self.providers[0]).model_name

    def _candidates(self, context: AIContext) -> list[AIProvider]:
        if _has_images(context):
            return [p for p in self.providers if p.supports_vision]
        return list(self.providers)

    def _record(self, provider: AIProvider, exc: BaseException) -> None:
        if isinstance(exc, ProviderError) and self.only_retryable and not exc.retryable:
            raise exc
        reason = "timed out" if isinstance(exc, TimeoutError) else f"{type(exc).__name__}: {exc}"
        self.failures.append((provider.name, reason))

    def _exhausted(self, tried: int) -> ProviderError:
        detail = "; ".join(f"{n}: {r}" for n, r in self.failures[-tried:]) or "no provider fits"
        return ProviderError(
            f"all {tried} fallback providers failed ({detail})", provider=self.name, retryable=True
        )

    async def generate(self, context: AIContext) -> AIResponse:
        """The first successful response among the providers."""
        candidates = self._candidates(context)
        for provider in candidates:
            try:
                if self.timeout is None:
                    response = await provider.generate(context)
                else:
                    response = await asyncio.wait_for(provider.generate(context), self.timeout)
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                self._record(provider, exc)
                continue
            self.last_provider = provider
            return response
        raise self._exhausted(len(candidates))

    async def generate_stream(self, context: AIContext) -> AsyncIterator[AIStreamChunk]:
        """Stream from the first provider that produces a first chunk in time."""
        candidates = self._candidates(context)
        for provider in candidates:
            stream = provider.generate_stream(context)
            iterator = stream.__aiter__()
            try:
                if self.timeout is None:
                    first = await iterator.__anext__()
                else:
                    first = await asyncio.wait_for(iterator.__anext__(), self.timeout)
            except StopAsyncIteration:
                self.last_provider = provider
                return
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                self._record(provider, exc)
                aclose = getattr(iterator, "aclose", None)
                if aclose is not None:
                    await aclose()
                continue
            self.last_provider = provider
            yield first
            async for chunk in iterator:
                yield chunk
            return
        raise self._exhausted(len(candidates))

    async def close(self) -> None:
        """Close every provider."""
        for provider in self.providers:
            await provider.close()
