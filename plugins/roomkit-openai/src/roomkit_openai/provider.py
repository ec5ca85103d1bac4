"""``OpenAIAIProvider``: Chat Completions through the official openai SDK.

One class serves three endpoints, chosen by the config it is given:
:class:`OpenAIConfig` (api.openai.com or any ``base_url``), :class:`AzureAIConfig`
(Azure OpenAI) and :class:`VLLMConfig` (vLLM and other OpenAI-compatible servers).
The openai SDK is imported when the first provider is built, never at module import.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import TYPE_CHECKING, Any, ClassVar

from roomkit.errors import ConfigurationError, ProviderError
from roomkit.models.ai import AIContext, AIResponse
from roomkit.providers.ai.support import (
    AIProviderSettings,
    ChatCompletionsFormat,
    ChatStreamReader,
    VendorAIProvider,
    parse_chat_completion,
    plain_headers,
    sdk_error,
    secret_value,
)
from roomkit_openai.config import AzureAIConfig, OpenAIConfig, VLLMConfig

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

    SDK retries are off (the provider retries, within its deadline); each attempt has the
    config's connect and read timeouts.

    Raises:
        ConfigurationError: the SDK refused the settings (e.g. no API key anywhere).
    """
    import openai

    connect, read = config.attempt_timeouts
    common: dict[str, Any] = {
        "timeout": openai.Timeout(read, connect=connect),
        "max_retries": 0,
        "default_headers": plain_headers(config.default_headers),
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


class OpenAIAIProvider(VendorAIProvider[AnyConfig, "AsyncOpenAI"]):
    """Chat, vision input, tool calling, reasoning and streaming over the Chat Completions API.

    Build it from a config or from keyword options::

        provider = OpenAIAIProvider(OpenAIConfig(api_key="sk-...", model="gpt-4o"))
        provider = OpenAIAIProvider(api_key="sk-...", model="gpt-4o-mini", timeout=20)

    Each answer must finish within ``timeout`` seconds (streams included); connection
    failures, 408/409/425/429 and 5xx are retried ``max_retries`` times within that deadline.
    Every failure reaches the caller as a :class:`~roomkit.errors.ProviderError` whose
    ``retryable`` and ``status_code`` say why, with credentials removed from its text.
    The reasoning OpenAI-compatible servers return (``reasoning_content``) arrives as
    ``AIResponse.thinking`` and ``thinking_delta`` chunks.
    """

    name = "openai"
    supports_tools = True
    supports_vision = True

    config_model: ClassVar[type[AIProviderSettings]] = OpenAIConfig
    accepted_configs: ClassVar[tuple[type[AIProviderSettings], ...]] = (
        OpenAIConfig,
        AzureAIConfig,
        VLLMConfig,
    )

    def __init__(self, config: AnyConfig | None = None, /, **options: Any) -> None:
        super().__init__(config, **options)
        self._format = ChatCompletionsFormat(
            image_detail=self.config.image_detail, max_tokens_param=self.config.max_tokens_param
        )

    def name_for(self, config: AnyConfig) -> str:
        """``openai``, ``azure-openai`` or ``vllm``, after the config type."""
        return _NAMES[type(config)]

    def build_client(self) -> AsyncOpenAI:
        """The SDK client for :attr:`config`."""
        return build_client(self.config)

    def extra_secrets(self) -> list[str]:
        """The key the SDK read from ``OPENAI_API_KEY`` when none was configured."""
        key = getattr(self._client, "api_key", None)
        return [key] if isinstance(key, str) else []

    def build_request(self, context: AIContext) -> dict[str, Any]:
        """Keyword arguments of ``chat.completions.create`` for ``context``."""
        request = self._format.request(
            context,
            model=self.config.model,
            temperature=self.config.temperature,
            max_tokens=self.config.max_tokens,
        )
        if self.config.reasoning_effort is not None:
            request["reasoning_effort"] = self.config.reasoning_effort
        return request

    async def complete(self, request: dict[str, Any]) -> AIResponse:
        """One complete chat completion."""
        completion = await self._client.chat.completions.create(**request)
        return parse_chat_completion(completion, provider=self.name)

    async def open_stream(self, request: dict[str, Any]) -> AsyncIterator[Any]:
        """A streamed chat completion (with usage in the last chunk when configured)."""
        streamed: dict[str, Any] = {**request, "stream": True}
        if self.config.stream_usage:
            streamed["stream_options"] = {"include_usage": True}
        stream: AsyncIterator[Any] = await self._client.chat.completions.create(**streamed)
        return stream

    def stream_reader(self) -> ChatStreamReader:
        """A reader of ``chat.completion.chunk`` items."""
        return ChatStreamReader(self.name)

    def vendor_error(self, exc: Exception) -> ProviderError:
        """The :class:`ProviderError` for an openai SDK exception (imported on this path only)."""
        import openai

        connect, read = self.config.attempt_timeouts
        return sdk_error(
            exc, openai, provider=self.name, connect_timeout=connect, read_timeout=read
        )

    async def close_client(self) -> None:
        """Close the SDK's HTTP connection pool."""
        await self._client.close()
