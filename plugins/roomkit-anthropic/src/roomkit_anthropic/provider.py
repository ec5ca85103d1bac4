"""``AnthropicAIProvider``: Claude through the official anthropic SDK (Messages API).

The SDK is imported when the first provider is built, never at module import.
"""

from __future__ import annotations

import inspect
from collections.abc import AsyncIterator
from typing import TYPE_CHECKING, Any

from roomkit.errors import ConfigurationError, ProviderError
from roomkit.models.ai import AIContext, AIResponse, AIStreamChunk
from roomkit.providers.ai.base import AIProvider
from roomkit.providers.ai.support import ensure_finished, secret_value, translate_errors
from roomkit_anthropic.config import AnthropicConfig, resolve_config
from roomkit_anthropic.errors import to_provider_error
from roomkit_anthropic.mapping import StreamAssembler, build_request, parse_response

if TYPE_CHECKING:
    from anthropic import AsyncAnthropic

__all__ = ["AnthropicAIProvider", "AnthropicConfig"]


class AnthropicAIProvider(AIProvider):
    """Claude: chat, vision input, tool use and streaming.

    Build it from a config or from keyword options::

        config = AnthropicConfig(api_key="sk-ant-...", model="claude-opus-4-6")
        provider = AnthropicAIProvider(config)
        provider = AnthropicAIProvider(api_key="sk-ant-...", max_tokens=2048, timeout=30)

    ``timeout`` and ``max_retries`` go to the SDK, which retries connection errors, 408, 409,
    429 and 5xx with backoff. Every failure reaches the caller as a
    :class:`~roomkit.errors.ProviderError`.
    """

    name = "anthropic"
    supports_streaming = True
    supports_tools = True
    supports_vision = True

    def __init__(self, config: AnthropicConfig | None = None, /, **options: Any) -> None:
        self.config = resolve_config(config, options)
        self._client = self._build_client()
        # Recent SDKs dropped sampling parameters from ``messages.create``; only send
        # ``temperature`` to SDKs (and API versions) that still take it.
        parameters = inspect.signature(self._client.messages.create).parameters
        self._takes_temperature = "temperature" in parameters

    def _build_client(self) -> AsyncAnthropic:
        import anthropic

        config = self.config
        try:
            return anthropic.AsyncAnthropic(
                api_key=secret_value(config.api_key),
                base_url=config.base_url,
                timeout=config.timeout,
                max_retries=config.max_retries,
                default_headers=dict(config.default_headers) or None,
            )
        except anthropic.AnthropicError as exc:
            raise ConfigurationError(f"anthropic: {exc}") from None

    @property
    def model_name(self) -> str:
        """The Claude model requests go to."""
        return self.config.model

    @property
    def client(self) -> AsyncAnthropic:
        """The underlying SDK client."""
        return self._client

    def _request(self, context: AIContext) -> dict[str, Any]:
        request = build_request(
            context,
            model=self.config.model,
            max_tokens=self.config.max_tokens,
            temperature=self.config.temperature,
        )
        if not self._takes_temperature:
            request.pop("temperature", None)
        return request

    def _error(self, exc: Exception) -> ProviderError:
        return to_provider_error(exc, provider=self.name, timeout=self.config.timeout)

    async def generate(self, context: AIContext) -> AIResponse:
        """One complete Messages API call for ``context``."""
        request = self._request(context)
        with translate_errors(self._error):
            message = await self._client.messages.create(**request)
            return parse_response(message, provider=self.name)

    async def generate_stream(self, context: AIContext) -> AsyncIterator[AIStreamChunk]:
        """Stream text deltas; tool calls, the stop reason and usage arrive in the last chunk.

        A stream that ends without ``message_stop`` (truncated) raises a retryable
        :class:`ProviderError`.
        """
        request = self._request(context)
        assembler = StreamAssembler(self.name)
        stopped = False
        with translate_errors(self._error):
            stream = await self._client.messages.create(**request, stream=True)
            async with stream:
                async for event in stream:
                    if event.type == "message_stop":
                        stopped = True
                    text = assembler.feed(event)
                    if text:
                        yield AIStreamChunk(text_delta=text)
            finished = ensure_finished(self.name, assembler.stop_reason if stopped else None)
            calls = assembler.tool_calls()
        yield AIStreamChunk(tool_calls=calls, finish_reason=finished, usage=assembler.usage())

    async def close(self) -> None:
        """Close the SDK's HTTP connection pool."""
        await self._client.close()
