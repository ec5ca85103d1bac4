"""The AI provider contract: one async method to implement, streaming optional."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import AsyncIterator

from roomkit.models.ai import AIContext, AIResponse, AIStreamChunk

__all__ = ["AIProvider"]


class AIProvider(ABC):
    """Turns an :class:`AIContext` into an :class:`AIResponse`.

    Implementations map vendor failures to :class:`roomkit.errors.ProviderError` (with
    ``retryable`` set for rate limits, 5xx and timeouts) and never let a vendor exception
    escape. Streaming providers set ``supports_streaming`` and override :meth:`generate_stream`.
    """

    #: Short vendor name used in errors and telemetry ("openai", "anthropic", ...).
    name: str = "ai"
    supports_streaming: bool = False
    supports_vision: bool = False
    supports_tools: bool = False

    @property
    def model_name(self) -> str:
        """The model identifier requests go to."""
        return self.name

    @abstractmethod
    async def generate(self, context: AIContext) -> AIResponse:
        """Produce a complete response for ``context``."""

    async def generate_stream(self, context: AIContext) -> AsyncIterator[AIStreamChunk]:
        """Stream a response; the default yields the whole :meth:`generate` result at once."""
        response = await self.generate(context)
        yield AIStreamChunk(
            text_delta=response.content,
            tool_calls=response.tool_calls,
            finish_reason=response.finish_reason or "stop",
            usage=response.usage,
        )

    async def close(self) -> None:  # noqa: B027 - optional hook
        """Release HTTP clients and other resources."""
