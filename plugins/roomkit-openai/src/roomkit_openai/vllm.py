"""``create_vllm_provider``: an OpenAI provider for any OpenAI-compatible server."""

from __future__ import annotations

from typing import Any

from pydantic import SecretStr

from roomkit.errors import ConfigurationError
from roomkit.providers.ai.support import resolve_config
from roomkit_openai.config import VLLMConfig
from roomkit_openai.provider import OpenAIAIProvider

__all__ = ["VLLMConfig", "create_vllm_provider"]


def create_vllm_provider(
    config: VLLMConfig | str | None = None,
    model: str | None = None,
    *,
    base_url: str | None = None,
    api_key: str | SecretStr = "EMPTY",
    **options: Any,
) -> OpenAIAIProvider:
    """A provider for vLLM, llama.cpp's server, Ollama or any OpenAI-compatible endpoint.

    Either a :class:`VLLMConfig` (``create_vllm_provider(VLLMConfig(model="llama-3"))``, the
    0.6.7 call), or the settings themselves: ``base_url`` (positionally or by keyword; the
    server's API root, ``http://localhost:8000/v1`` by default), ``model`` and further
    :class:`VLLMConfig` fields as ``options`` (``timeout``, ``max_retries``, ``temperature``,
    ``max_tokens``, ``stream_usage`` ...). Errors are reported under the provider name
    ``"vllm"``.

    Raises:
        ConfigurationError: an option is invalid (e.g. a ``base_url`` that is not http(s)),
            or a ``VLLMConfig`` is combined with more settings.
    """
    if isinstance(config, VLLMConfig):
        if model is not None or base_url is not None or options:
            raise ConfigurationError(
                "create_vllm_provider(): pass a VLLMConfig or settings, not both"
            )
        return OpenAIAIProvider(config)
    if isinstance(config, str):
        if base_url is not None:
            raise ConfigurationError(
                "create_vllm_provider(): base_url given twice (positionally and by keyword)"
            )
        base_url = config
    elif config is not None:
        raise ConfigurationError(
            f"create_vllm_provider() takes a VLLMConfig or a base_url, got {type(config).__name__}"
        )
    settings: dict[str, Any] = {"api_key": api_key, **options}
    if base_url is not None:
        settings["base_url"] = base_url
    if model is not None:
        settings["model"] = model
    resolved = resolve_config(VLLMConfig, None, settings)
    assert isinstance(resolved, VLLMConfig)
    return OpenAIAIProvider(resolved)
