"""``AnthropicAIProvider``: Claude through the official anthropic SDK (Messages API).

The SDK is imported when the first provider is built, never at module import.
"""

from __future__ import annotations

import inspect
from collections.abc import AsyncIterator
from typing import TYPE_CHECKING, Any

from roomkit.errors import ConfigurationError, ProviderError
from roomkit.models.ai import AIContext, AIResponse
from roomkit.providers.ai.support import (
    VendorAIProvider,
    plain_headers,
    sdk_error,
    secret_value,
)
from roomkit_anthropic.config import AnthropicConfig
from roomkit_anthropic.mapping import AnthropicStreamReader, build_request, parse_response

if TYPE_CHECKING:
    from anthropic import AsyncAnthropic

__all__ = ["AnthropicAIProvider", "AnthropicConfig"]


class AnthropicAIProvider(VendorAIProvider[AnthropicConfig, "AsyncAnthropic"]):
    """Claude: chat, vision input, tool use, extended thinking and streaming.

    Build it from a config or from keyword options::

        config = AnthropicConfig(api_key="sk-ant-...", model="claude-opus-4-6")
        provider = AnthropicAIProvider(config)
        provider = AnthropicAIProvider(api_key="sk-ant-...", max_tokens=2048, timeout=30)

    Thinking blocks arrive as ``AIResponse.thinking`` (with ``thinking_signature``) and as
    ``thinking_delta`` chunks; send them back in the history as an
    :class:`~roomkit.models.ai.AIThinkingPart` of the assistant turn, as Claude requires
    across a tool loop. Every failure reaches the caller as a
    :class:`~roomkit.errors.ProviderError`, with credentials removed from its text.
    """

    name = "anthropic"
    supports_tools = True
    supports_vision = True

    config_model = AnthropicConfig

    def __init__(self, config: AnthropicConfig | None = None, /, **options: Any) -> None:
        super().__init__(config, **options)
        # Recent SDKs dropped sampling parameters from ``messages.create``; only send
        # ``temperature`` to SDKs (and API versions) that still take it.
        parameters = inspect.signature(self._client.messages.create).parameters
        self._takes_temperature = "temperature" in parameters

    def build_client(self) -> AsyncAnthropic:
        """An ``AsyncAnthropic`` client: per-attempt timeouts, SDK retries off."""
        import anthropic

        config = self.config
        connect, read = config.attempt_timeouts
        try:
            return anthropic.AsyncAnthropic(
                api_key=secret_value(config.api_key),
                base_url=config.base_url,
                timeout=anthropic.Timeout(read, connect=connect),
                max_retries=0,
                default_headers=plain_headers(config.default_headers),
            )
        except anthropic.AnthropicError as exc:
            raise ConfigurationError(f"anthropic: {exc}") from None

    def extra_secrets(self) -> list[str]:
        """The key the SDK read from ``ANTHROPIC_API_KEY`` when none was configured."""
        key = getattr(self._client, "api_key", None)
        return [key] if isinstance(key, str) else []

    def build_request(self, context: AIContext) -> dict[str, Any]:
        """Keyword arguments of ``messages.create`` for ``context``."""
        request = build_request(
            context,
            model=self.config.model,
            max_tokens=self.config.max_tokens,
            temperature=self.config.temperature,
            thinking_budget=self.config.thinking_budget,
        )
        if not self._takes_temperature:
            request.pop("temperature", None)
        return request

    async def complete(self, request: dict[str, Any]) -> AIResponse:
        """One complete Messages API call."""
        message = await self._client.messages.create(**request)
        return parse_response(message, provider=self.name)

    async def open_stream(self, request: dict[str, Any]) -> AsyncIterator[Any]:
        """A streamed Messages API call (raw stream events)."""
        stream: AsyncIterator[Any] = await self._client.messages.create(**request, stream=True)
        return stream

    def stream_reader(self) -> AnthropicStreamReader:
        """A reader of raw Messages stream events."""
        return AnthropicStreamReader(self.name)

    def vendor_error(self, exc: Exception) -> ProviderError:
        """The :class:`ProviderError` for an anthropic SDK exception (529 "overloaded" is
        retryable like every 5xx)."""
        import anthropic

        connect, read = self.config.attempt_timeouts
        return sdk_error(
            exc, anthropic, provider=self.name, connect_timeout=connect, read_timeout=read
        )

    async def close_client(self) -> None:
        """Close the SDK's HTTP connection pool."""
        await self._client.close()
