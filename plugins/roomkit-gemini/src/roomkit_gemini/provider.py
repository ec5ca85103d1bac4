"""``GeminiAIProvider``: Google Gemini through the official google-genai SDK.

The SDK is imported when the first provider is built, never at module import.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import TYPE_CHECKING, Any

from roomkit.errors import ConfigurationError, ProviderError
from roomkit.models.ai import AIContext, AIResponse, AIStreamChunk
from roomkit.providers.ai.base import AIProvider
from roomkit.providers.ai.support import ensure_finished, secret_value, translate_errors
from roomkit_gemini.config import GeminiConfig, resolve_config
from roomkit_gemini.errors import to_provider_error
from roomkit_gemini.mapping import ResponseReader, build_request

if TYPE_CHECKING:
    from google.genai import Client

__all__ = ["GeminiAIProvider", "GeminiConfig"]


class GeminiAIProvider(AIProvider):
    """Gemini: chat, vision input, function calling and streaming.

    Build it from a config or from keyword options::

        provider = GeminiAIProvider(GeminiConfig(api_key="...", model="gemini-2.5-flash"))
        provider = GeminiAIProvider(api_key="...", timeout=20, max_retries=1)

    ``timeout`` and ``max_retries`` configure the SDK's own HTTP timeout and retry policy
    (connection errors, timeouts, 408, 429 and 5xx, with exponential backoff). Every failure
    reaches the caller as a :class:`~roomkit.errors.ProviderError`.
    """

    name = "gemini"
    supports_streaming = True
    supports_tools = True
    supports_vision = True

    def __init__(self, config: GeminiConfig | None = None, /, **options: Any) -> None:
        self.config = resolve_config(config, options)
        self._client = self._build_client()

    def _build_client(self) -> Client:
        from google import genai
        from google.genai import types

        config = self.config
        retry = types.HttpRetryOptions(
            attempts=config.max_retries + 1,
            initial_delay=config.retry_initial_delay,
        )
        http_options = types.HttpOptions(
            base_url=config.base_url,
            api_version=config.api_version,
            timeout=int(config.timeout * 1000),
            headers=dict(config.default_headers) or None,
            retry_options=retry,
        )
        try:
            return genai.Client(api_key=secret_value(config.api_key), http_options=http_options)
        except ValueError as exc:
            raise ConfigurationError(f"gemini: {exc}") from None

    @property
    def model_name(self) -> str:
        """The Gemini model requests go to."""
        return self.config.model

    @property
    def client(self) -> Client:
        """The underlying SDK client."""
        return self._client

    def _request(self, context: AIContext) -> dict[str, Any]:
        return build_request(
            context,
            model=self.config.model,
            temperature=self.config.temperature,
            max_tokens=self.config.max_tokens,
        )

    def _error(self, exc: Exception) -> ProviderError:
        return to_provider_error(exc, provider=self.name, timeout=self.config.timeout)

    async def generate(self, context: AIContext) -> AIResponse:
        """One complete ``generateContent`` call for ``context``."""
        request = self._request(context)
        reader = ResponseReader(self.name)
        with translate_errors(self._error):
            response = await self._client.aio.models.generate_content(**request)
            text = reader.feed(response)
        return reader.response(text, getattr(response, "model_version", None) or request["model"])

    async def generate_stream(self, context: AIContext) -> AsyncIterator[AIStreamChunk]:
        """Stream text deltas; function calls, finish reason and usage come in the last chunk.

        A stream that ends without a finish reason raises a retryable :class:`ProviderError`.
        """
        request = self._request(context)
        reader = ResponseReader(self.name)
        with translate_errors(self._error):
            stream = await self._client.aio.models.generate_content_stream(**request)
            try:
                async for response in stream:
                    text = reader.feed(response)
                    if text:
                        yield AIStreamChunk(text_delta=text)
            finally:
                # An async generator: closing it releases the HTTP response early.
                aclose = getattr(stream, "aclose", None)
                if aclose is not None:
                    await aclose()
            finished = ensure_finished(self.name, reader.finish_reason)
        yield AIStreamChunk(
            tool_calls=reader.tool_calls, finish_reason=finished, usage=reader.usage
        )

    async def close(self) -> None:
        """Close the SDK's HTTP clients."""
        await self._client.aio.aclose()
