"""``OpenAIAIProvider``: Chat Completions through the official openai SDK.

One class serves three endpoints, chosen by the config it is given:
:class:`OpenAIConfig` (api.openai.com or any ``base_url``), :class:`AzureAIConfig`
(Azure OpenAI) and :class:`VLLMConfig` (vLLM and other OpenAI-compatible servers).
The openai SDK is imported when the first provider is built, never at module import.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import TYPE_CHECKING, Any

from roomkit.errors import ConfigurationError, ProviderError
from roomkit.models.ai import AIContext, AIResponse, AIStreamChunk
from roomkit.providers.ai.base import AIProvider
from roomkit.providers.ai.support import ensure_finished, secret_value, translate_errors
from roomkit_openai.config import AzureAIConfig, OpenAIConfig, VLLMConfig, resolve_config
from roomkit_openai.errors import to_provider_error
from roomkit_openai.mapping import (
    ToolCallAssembler,
    build_request,
    parse_response,
    parse_usage,
)

if TYPE_CHECKING:
    from openai import AsyncOpenAI

__all__ = ["AzureAIConfig", "OpenAIAIProvider", "OpenAIConfig", "VLLMConfig"]

AnyConfig = OpenAIConfig | AzureAIConfig | VLLMConfig

_NAMES: dict[type[Any], str] = {
    OpenAIConfig: "openai",
    AzureAIConfig: "azure-openai",
    VLLMConfig: "vllm",
}


def build_client(config: AnyConfig) -> AsyncOpenAI:
    """An ``AsyncOpenAI`` (or ``AsyncAzureOpenAI``) client for ``config``.

    Raises:
        ConfigurationError: the SDK refused the settings (e.g. no API key anywhere).
    """
    import openai

    common: dict[str, Any] = {
        "timeout": config.timeout,
        "max_retries": config.max_retries,
        "default_headers": dict(config.default_headers) or None,
    }
    try:
        if isinstance(config, AzureAIConfig):
            return openai.AsyncAzureOpenAI(
                azure_endpoint=config.azure_endpoint,
                azure_deployment=config.azure_deployment or config.model,
                api_version=config.api_version,
                api_key=secret_value(config.api_key),
                azure_ad_token=secret_value(config.azure_ad_token),
                **common,
            )
        if isinstance(config, VLLMConfig):
            return openai.AsyncOpenAI(
                api_key=secret_value(config.api_key), base_url=config.base_url, **common
            )
        return openai.AsyncOpenAI(
            api_key=secret_value(config.api_key),
            base_url=config.base_url,
            organization=config.organization,
            project=config.project,
            **common,
        )
    except openai.OpenAIError as exc:
        raise ConfigurationError(f"{_NAMES[type(config)]}: {exc}") from None


class OpenAIAIProvider(AIProvider):
    """Chat, vision input, tool calling and streaming over the Chat Completions API.

    Build it from a config or from keyword options::

        provider = OpenAIAIProvider(OpenAIConfig(api_key="sk-...", model="gpt-4o"))
        provider = OpenAIAIProvider(api_key="sk-...", model="gpt-4o-mini", timeout=20)

    ``timeout`` and ``max_retries`` are handed to the SDK, which retries connection errors,
    408/409/429 and 5xx with exponential backoff. Every failure reaches the caller as a
    :class:`~roomkit.errors.ProviderError` whose ``retryable`` and ``status_code`` say why.
    """

    name = "openai"
    supports_streaming = True
    supports_tools = True
    supports_vision = True

    #: The config model keyword options are validated with.
    _config_model: type[AnyConfig] = OpenAIConfig
    #: Config types accepted as the positional argument.
    _accepted: tuple[type[AnyConfig], ...] = (OpenAIConfig, AzureAIConfig, VLLMConfig)

    def __init__(self, config: AnyConfig | None = None, /, **options: Any) -> None:
        resolved = resolve_config(self._config_model, config, options, self._accepted)
        assert isinstance(resolved, (OpenAIConfig, AzureAIConfig, VLLMConfig))
        self.config: AnyConfig = resolved
        self.name = _NAMES[type(resolved)]
        self._client = build_client(resolved)

    @property
    def model_name(self) -> str:
        """The model (or Azure deployment) requests go to."""
        return self.config.model

    @property
    def client(self) -> AsyncOpenAI:
        """The underlying SDK client (for features RoomKit does not wrap)."""
        return self._client

    def _request(self, context: AIContext) -> dict[str, Any]:
        return build_request(
            context,
            model=self.config.model,
            temperature=self.config.temperature,
            max_tokens=self.config.max_tokens,
            max_tokens_param=self.config.max_tokens_param,
            image_detail=self.config.image_detail,
        )

    def _error(self, exc: Exception) -> ProviderError:
        return to_provider_error(exc, provider=self.name, timeout=self.config.timeout)

    async def generate(self, context: AIContext) -> AIResponse:
        """One complete chat completion for ``context``."""
        request = self._request(context)
        with translate_errors(self._error):
            completion = await self._client.chat.completions.create(**request)
            return parse_response(completion, provider=self.name)

    async def generate_stream(self, context: AIContext) -> AsyncIterator[AIStreamChunk]:
        """Stream text deltas; tool calls and usage arrive whole in the final chunk.

        A stream that ends without a finish reason (a truncated response) raises a retryable
        :class:`ProviderError` rather than passing a partial answer off as complete.
        """
        request = self._request(context)
        request["stream"] = True
        if self.config.stream_usage:
            request["stream_options"] = {"include_usage": True}
        assembler = ToolCallAssembler(self.name)
        finish_reason: str | None = None
        usage = None
        with translate_errors(self._error):
            stream = await self._client.chat.completions.create(**request)
            async with stream:
                async for chunk in stream:
                    if chunk.usage is not None:
                        usage = parse_usage(chunk.usage)
                    if not chunk.choices:
                        continue
                    choice = chunk.choices[0]
                    delta = choice.delta
                    if delta is not None:
                        assembler.add(delta.tool_calls)
                        if delta.content:
                            yield AIStreamChunk(text_delta=delta.content)
                    if choice.finish_reason:
                        finish_reason = choice.finish_reason
            finished = ensure_finished(self.name, finish_reason)
            calls = assembler.calls()
        yield AIStreamChunk(tool_calls=calls, finish_reason=finished, usage=usage)

    async def close(self) -> None:
        """Close the SDK's HTTP connection pool."""
        await self._client.close()
