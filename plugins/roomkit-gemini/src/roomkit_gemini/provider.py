"""``GeminiAIProvider``: Google Gemini through the official google-genai SDK.

The SDK is imported when the first provider is built, never at module import.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import TYPE_CHECKING, Any

from roomkit.errors import ConfigurationError, ProviderError
from roomkit.models.ai import AIContext, AIResponse
from roomkit.providers.ai.support import (
    VendorAIProvider,
    plain_headers,
    retry_after_seconds,
    secret_value,
    status_error,
    timeout_hook,
    transport_error,
)
from roomkit_gemini.config import GeminiConfig
from roomkit_gemini.mapping import GeminiReader, build_request

if TYPE_CHECKING:
    from google.genai import Client

__all__ = ["GeminiAIProvider", "GeminiConfig"]


def _http_client(connect: float, read: float) -> Any:
    """An async HTTP client for the SDK with separate connect and read timeouts.

    google-genai sends one timeout with every request; a request hook puts the split limits
    back. Handing the SDK an httpx client also keeps it off aiohttp, whose ``total`` timeout
    would cap a whole stream at one read timeout.
    """
    try:
        import httpx2 as http
    except ImportError:  # pragma: no cover - google-genai works with either
        import httpx as http  # type: ignore[no-redef]

    return http.AsyncClient(
        timeout=http.Timeout(read, connect=connect),
        event_hooks={"request": [timeout_hook(connect, read)]},
    )


class GeminiAIProvider(VendorAIProvider[GeminiConfig, "Client"]):
    """Gemini: chat, vision input, function calling, thinking and streaming.

    Build it from a config or from keyword options::

        provider = GeminiAIProvider(GeminiConfig(api_key="...", model="gemini-2.5-flash"))
        provider = GeminiAIProvider(api_key="...", timeout=20, max_retries=0)

    Thought summaries arrive as ``AIResponse.thinking`` and ``thinking_delta`` chunks; the
    thought signature (``thinking_signature``, base64) goes back with the turn as an
    :class:`~roomkit.models.ai.AIThinkingPart`. Every failure reaches the caller as a
    :class:`~roomkit.errors.ProviderError`, with credentials removed from its text.
    """

    name = "gemini"
    supports_tools = True
    supports_vision = True

    config_model = GeminiConfig

    def __init__(self, config: GeminiConfig | None = None, /, **options: Any) -> None:
        super().__init__(config, **options)

    def build_client(self) -> Client:
        """A ``genai.Client``: per-attempt timeouts on our HTTP client, SDK retries off."""
        from google import genai
        from google.genai import types

        config = self.config
        connect, read = config.attempt_timeouts
        self._http = _http_client(connect, read)
        http_options = types.HttpOptions(
            base_url=config.base_url,
            api_version=config.api_version,
            timeout=int(read * 1000),
            headers=plain_headers(config.default_headers),
            retry_options=types.HttpRetryOptions(attempts=1),
            httpx_async_client=self._http,
        )
        try:
            return genai.Client(api_key=secret_value(config.api_key), http_options=http_options)
        except ValueError as exc:
            raise ConfigurationError(f"gemini: {exc}") from None

    def extra_secrets(self) -> list[str]:
        """The key the SDK read from ``GOOGLE_API_KEY`` / ``GEMINI_API_KEY``."""
        key = getattr(self._client._api_client, "api_key", None)
        return [key] if isinstance(key, str) else []

    def build_request(self, context: AIContext) -> dict[str, Any]:
        """Keyword arguments of ``generate_content`` for ``context``."""
        return build_request(
            context,
            model=self.config.model,
            temperature=self.config.temperature,
            max_tokens=self.config.max_tokens,
            thinking_budget=self.config.thinking_budget,
        )

    async def complete(self, request: dict[str, Any]) -> AIResponse:
        """One complete ``generateContent`` call."""
        response = await self._client.aio.models.generate_content(**request)
        model = getattr(response, "model_version", None) or request["model"]
        return GeminiReader(self.name).response(response, model)

    async def open_stream(self, request: dict[str, Any]) -> AsyncIterator[Any]:
        """A ``streamGenerateContent`` call (an async generator of responses)."""
        stream: AsyncIterator[Any] = await self._client.aio.models.generate_content_stream(
            **request
        )
        return stream

    def stream_reader(self) -> GeminiReader:
        """A reader of streamed ``GenerateContentResponse`` chunks."""
        return GeminiReader(self.name)

    def vendor_error(self, exc: Exception) -> ProviderError:
        """The :class:`ProviderError` for a google-genai exception (imported on this path)."""
        from google.genai import errors

        if isinstance(exc, errors.APIError):
            detail = exc.message or exc.status or str(exc)
            wait = retry_after_seconds(getattr(exc.response, "headers", None))
            return status_error(self.name, int(exc.code), str(detail), retry_after=wait)
        connect, read = self.config.attempt_timeouts
        return transport_error(exc, provider=self.name, timeout=read, connect_timeout=connect)

    async def close_client(self) -> None:
        """Close the SDK's clients and our HTTP client."""
        await self._client.aio.aclose()
        await self._http.aclose()
