"""The AI provider contract: one async method to implement, streaming optional."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import AsyncIterator

from roomkit.models.ai import AIContext, AIResponse, AIStreamChunk
from roomkit.models.streaming import (
    StreamDone,
    StreamEvent,
    StreamTextDelta,
    StreamThinkingDelta,
    StreamToolCall,
)

__all__ = ["AIProvider", "structured_events"]


class AIProvider(ABC):
    """Turns an :class:`AIContext` into an :class:`AIResponse`.

    Implementations map vendor failures to :class:`roomkit.errors.ProviderError` (with
    ``retryable`` set for rate limits, 5xx and timeouts) and never let a vendor exception
    escape. Streaming providers set ``supports_streaming`` and override :meth:`generate_stream`;
    :meth:`generate_structured_stream` is built on it and needs no override.
    """

    #: Short vendor name used in errors and telemetry ("openai", "anthropic", ...).
    name: str = "ai"
    supports_streaming: bool = False
    #: Whether :meth:`generate_structured_stream` yields events as the vendor streams them
    #: (``False``: it works, but everything arrives at once after :meth:`generate`).
    supports_structured_streaming: bool = False
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
            thinking_delta=response.thinking or "",
            thinking_signature=response.thinking_signature,
            text_delta=response.content,
            tool_calls=response.tool_calls,
            finish_reason=response.finish_reason or "stop",
            usage=response.usage,
        )

    async def generate_structured_stream(self, context: AIContext) -> AsyncIterator[StreamEvent]:
        """Stream a response as typed events: reasoning, text, tool calls, then the end.

        Yields :class:`~roomkit.models.streaming.StreamThinkingDelta` and
        :class:`~roomkit.models.streaming.StreamTextDelta` pieces as they arrive, a
        :class:`~roomkit.models.streaming.StreamToolCall` per complete tool call and one final
        :class:`~roomkit.models.streaming.StreamDone`. Built on :meth:`generate_stream`, so it
        fails the same way (a :class:`~roomkit.errors.ProviderError`, including the overall
        deadline of vendor plugins).
        """
        async for event in structured_events(self.generate_stream(context), self.model_name):
            yield event

    async def close(self) -> None:  # noqa: B027 - optional hook
        """Release HTTP clients and other resources."""


async def structured_events(
    chunks: AsyncIterator[AIStreamChunk], model: str | None = None
) -> AsyncIterator[StreamEvent]:
    """The :data:`~roomkit.models.streaming.StreamEvent` sequence of a chunk stream.

    Each chunk becomes, in order, its thinking delta, its text delta and its tool calls; the
    chunk with a ``finish_reason`` ends the sequence with a ``StreamDone`` carrying the usage
    and, in ``metadata``, the ``thinking_signature`` and ``model`` when known. A stream that
    ends without a finish reason still gets a ``StreamDone`` (``finish_reason=None``).
    """
    finish: str | None = None
    usage: dict[str, int] = {}
    signature: str | None = None
    try:
        async for chunk in chunks:
            if chunk.thinking_delta:
                yield StreamThinkingDelta(thinking=chunk.thinking_delta)
            if chunk.text_delta:
                yield StreamTextDelta(text=chunk.text_delta)
            for call in chunk.tool_calls:
                yield StreamToolCall(id=call.id, name=call.name, arguments=call.arguments)
            if chunk.usage is not None:
                usage = chunk.usage.model_dump()
            signature = chunk.thinking_signature or signature
            finish = chunk.finish_reason or finish
    finally:
        aclose = getattr(chunks, "aclose", None)
        if aclose is not None:
            await aclose()
    metadata: dict[str, str] = {}
    if signature:
        metadata["thinking_signature"] = signature
    if model:
        metadata["model"] = model
    yield StreamDone(finish_reason=finish, usage=usage, metadata=dict(metadata))
