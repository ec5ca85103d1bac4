"""``MistralAIProvider``: Mistral chat models through the official mistralai SDK.

The SDK (``from mistralai.client import Mistral``) is imported when the first provider is
built, never at module import. Requests and responses use the Chat Completions format of
:mod:`roomkit.providers.ai.support.chat_completions`; only Mistral's dialect and client
differ here.
"""

from __future__ import annotations

import json
import os
from collections.abc import AsyncIterator, Iterable
from typing import TYPE_CHECKING, Any

from roomkit.errors import ConfigurationError, ProviderError
from roomkit.models.ai import AIContext, AIResponse, AIStreamChunk
from roomkit.providers.ai.support import (
    ChatCompletionsFormat,
    ChatStreamReader,
    VendorAIProvider,
    connection_error,
    parse_chat_completion,
    plain_headers,
    retry_after_seconds,
    status_error,
    timeout_hook,
    transport_error,
)
from roomkit_mistral.config import MistralConfig

if TYPE_CHECKING:
    from mistralai.client import Mistral

__all__ = ["MistralAIProvider", "MistralConfig"]

#: Mistral's dialect: bare image URLs, named tool results, ``""`` for tool-call-only turns.
_FORMAT = ChatCompletionsFormat(
    image_detail=None, name_tool_results=True, name_users=False, empty_assistant_content=""
)


def _body_message(body: str) -> str:
    """The ``message`` (or ``detail``) of a JSON error body, else ``""``."""
    try:
        data = json.loads(body)
    except ValueError:
        return ""
    message = data.get("message") or data.get("detail") if isinstance(data, dict) else None
    return message if isinstance(message, str) else ""


class _EventReader(ChatStreamReader):
    """Mistral wraps each stream chunk in an event; the chunk is its ``data``."""

    def feed(self, item: Any) -> Iterable[AIStreamChunk]:
        return super().feed(item.data)


class MistralAIProvider(VendorAIProvider[MistralConfig, "Mistral"]):
    """Mistral models: chat, tool calling, streaming, vision (Pixtral, Mistral Small/Medium)
    and the reasoning of Magistral models (as ``AIResponse.thinking``).

    Build it from a config or from keyword options::

        provider = MistralAIProvider(MistralConfig(api_key="...", model="pixtral-large-latest"))
        provider = MistralAIProvider(api_key="...", timeout=20, max_retries=0)

    Every failure reaches the caller as a :class:`~roomkit.errors.ProviderError`, with
    credentials removed from its text.
    """

    name = "mistral"
    supports_tools = True
    supports_vision = True

    config_model = MistralConfig

    def __init__(self, config: MistralConfig | None = None, /, **options: Any) -> None:
        super().__init__(config, **options)

    def _api_key(self) -> str:
        if self.config.api_key is not None:
            return self.config.api_key.get_secret_value()
        return os.environ.get("MISTRAL_API_KEY", "")

    def build_client(self) -> Mistral:
        """A ``Mistral`` client on an HTTP client of ours: per-attempt timeouts, no retries."""
        import httpx2
        from mistralai.client import Mistral
        from mistralai.client.utils import BackoffStrategy, RetryConfig

        api_key = self._api_key()
        if not api_key:
            raise ConfigurationError(
                "mistral: no API key: set MistralConfig.api_key or MISTRAL_API_KEY"
            )
        connect, read = self.config.attempt_timeouts
        # The SDK sends one timeout per request (300 s unless told); the hook splits it again.
        self._http = httpx2.AsyncClient(
            timeout=httpx2.Timeout(read, connect=connect),
            headers=plain_headers(self.config.default_headers),
            follow_redirects=True,
            event_hooks={"request": [timeout_hook(connect, read)]},
        )
        return Mistral(
            api_key=api_key,
            server_url=self.config.server_url,
            async_client=self._http,
            timeout_ms=int(read * 1000),
            retry_config=RetryConfig("none", BackoffStrategy(0, 0, 1.0, 0), False),
        )

    def extra_secrets(self) -> list[str]:
        """The key read from ``MISTRAL_API_KEY`` when none was configured."""
        return [self._api_key()]

    def build_request(self, context: AIContext) -> dict[str, Any]:
        """Keyword arguments of ``chat.complete_async`` / ``chat.stream_async``."""
        request = _FORMAT.request(
            context,
            model=self.config.model,
            temperature=self.config.temperature,
            max_tokens=self.config.max_tokens,
        )
        if self.config.safe_prompt:
            request["safe_prompt"] = True
        return request

    async def complete(self, request: dict[str, Any]) -> AIResponse:
        """One complete chat completion."""
        response = await self._client.chat.complete_async(**request)
        return parse_chat_completion(response, provider=self.name)

    async def open_stream(self, request: dict[str, Any]) -> AsyncIterator[Any]:
        """A streamed chat completion (an async iterator of completion events)."""
        stream: AsyncIterator[Any] = await self._client.chat.stream_async(**request)
        return stream

    def stream_reader(self) -> ChatStreamReader:
        """A reader of Mistral's completion events."""
        return _EventReader(self.name)

    def vendor_error(self, exc: Exception) -> ProviderError:
        """The :class:`ProviderError` for a mistralai SDK exception (imported on this path)."""
        from mistralai.client import errors

        if isinstance(exc, errors.MistralError):
            wait = retry_after_seconds(getattr(exc.raw_response, "headers", None))
            detail = _body_message(exc.body) or str(exc)
            return status_error(self.name, exc.status_code, detail, retry_after=wait)
        if isinstance(exc, errors.NoResponseError):
            return connection_error(self.name, str(exc))
        connect, read = self.config.attempt_timeouts
        return transport_error(exc, provider=self.name, timeout=read, connect_timeout=connect)

    async def close_client(self) -> None:
        """Close the HTTP client (the SDK leaves a client it was given open)."""
        await self._http.aclose()
        self._client.__exit__(None, None, None)  # type: ignore[no-untyped-call]
