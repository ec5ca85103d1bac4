"""``MistralAIProvider``: Mistral chat models through the official mistralai SDK.

The SDK (``from mistralai.client import Mistral``) is imported when the first provider is
built, never at module import.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import TYPE_CHECKING, Any

from roomkit.errors import ConfigurationError, ProviderError
from roomkit.models.ai import AIContext, AIResponse, AIStreamChunk
from roomkit.providers.ai.base import AIProvider
from roomkit.providers.ai.support import ensure_finished, translate_errors
from roomkit_mistral.config import MistralConfig, resolve_config
from roomkit_mistral.errors import to_provider_error
from roomkit_mistral.mapping import (
    ToolCallAssembler,
    build_request,
    parse_response,
    parse_usage,
    text_of,
)

if TYPE_CHECKING:
    from mistralai.client import Mistral

__all__ = ["MistralAIProvider", "MistralConfig"]


class MistralAIProvider(AIProvider):
    """Mistral models: chat, tool calling, streaming and vision (Pixtral, Mistral Small/Medium).

    Build it from a config or from keyword options::

        provider = MistralAIProvider(MistralConfig(api_key="...", model="pixtral-large-latest"))
        provider = MistralAIProvider(api_key="...", timeout=20, max_retry_time=0)

    ``timeout`` and ``max_retry_time`` configure the SDK's own timeout and backoff retries.
    Every failure reaches the caller as a :class:`~roomkit.errors.ProviderError`.
    """

    name = "mistral"
    supports_streaming = True
    supports_tools = True
    supports_vision = True

    def __init__(self, config: MistralConfig | None = None, /, **options: Any) -> None:
        self.config = resolve_config(config, options)
        self._client = self._build_client()

    def _build_client(self) -> Mistral:
        import os

        from mistralai.client import Mistral
        from mistralai.client.utils import BackoffStrategy, RetryConfig

        config = self.config
        if config.api_key is not None:
            api_key = config.api_key.get_secret_value()
        else:
            api_key = os.environ.get("MISTRAL_API_KEY", "")
        if not api_key:
            raise ConfigurationError(
                "mistral: no API key: set MistralConfig.api_key or MISTRAL_API_KEY"
            )
        if config.max_retry_time > 0:
            interval = int(config.retry_initial_interval * 1000)
            retry = RetryConfig(
                "backoff",
                BackoffStrategy(
                    initial_interval=interval,
                    max_interval=max(interval, 10_000),
                    exponent=1.5,
                    max_elapsed_time=int(config.max_retry_time * 1000),
                ),
                retry_connection_errors=True,
            )
        else:
            retry = RetryConfig("none", BackoffStrategy(0, 0, 1.0, 0), False)
        return Mistral(
            api_key=api_key,
            server_url=config.server_url,
            timeout_ms=int(config.timeout * 1000),
            retry_config=retry,
        )

    @property
    def model_name(self) -> str:
        """The Mistral model requests go to."""
        return self.config.model

    @property
    def client(self) -> Mistral:
        """The underlying SDK client."""
        return self._client

    def _request(self, context: AIContext) -> dict[str, Any]:
        return build_request(
            context,
            model=self.config.model,
            temperature=self.config.temperature,
            max_tokens=self.config.max_tokens,
            safe_prompt=self.config.safe_prompt,
        )

    def _error(self, exc: Exception) -> ProviderError:
        return to_provider_error(exc, provider=self.name, timeout=self.config.timeout)

    async def generate(self, context: AIContext) -> AIResponse:
        """One complete chat completion for ``context``."""
        request = self._request(context)
        with translate_errors(self._error):
            response = await self._client.chat.complete_async(**request)
            return parse_response(response, provider=self.name)

    async def generate_stream(self, context: AIContext) -> AsyncIterator[AIStreamChunk]:
        """Stream text deltas; tool calls, the finish reason and usage come in the last chunk.

        A stream that ends without a finish reason raises a retryable :class:`ProviderError`.
        """
        request = self._request(context)
        assembler = ToolCallAssembler(self.name)
        finish_reason: str | None = None
        usage = None
        with translate_errors(self._error):
            stream = await self._client.chat.stream_async(**request)
            async with stream:
                async for event in stream:
                    chunk = event.data
                    if chunk.usage is not None:
                        usage = parse_usage(chunk.usage)
                    if not chunk.choices:
                        continue
                    choice = chunk.choices[0]
                    assembler.add(choice.delta.tool_calls)
                    text = text_of(choice.delta.content)
                    if text:
                        yield AIStreamChunk(text_delta=text)
                    if choice.finish_reason:
                        finish_reason = str(choice.finish_reason)
            finished = ensure_finished(self.name, finish_reason)
            calls = assembler.calls()
        yield AIStreamChunk(tool_calls=calls, finish_reason=finished, usage=usage)

    async def close(self) -> None:
        """Close the SDK's HTTP clients (the SDK exposes this only as context-manager exit)."""
        await self._client.__aexit__(None, None, None)  # type: ignore[no-untyped-call]
        self._client.__exit__(None, None, None)  # type: ignore[no-untyped-call]
