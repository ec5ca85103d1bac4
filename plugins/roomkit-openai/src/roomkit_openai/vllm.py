"""``create_vllm_provider``: an OpenAI provider for any OpenAI-compatible server."""

from __future__ import annotations

from typing import Any

from roomkit.providers.ai.support import resolve_config
from roomkit_openai.config import VLLMConfig
from roomkit_openai.provider import OpenAIAIProvider

__all__ = ["VLLMConfig", "create_vllm_provider"]


def create_vllm_provider(
    base_url: str,
    model: str,
    *,
    api_key: str = "EMPTY",
    **options: Any,
) -> OpenAIAIProvider:
    """A provider for vLLM, llama.cpp's server, Ollama or any OpenAI-compatible endpoint.

    ``base_url`` is the server's API root (``http://localhost:8000/v1``); ``options`` are
    further :class:`VLLMConfig` fields (``timeout``, ``max_retries``, ``temperature``,
    ``max_tokens``, ``stream_usage`` ...). Errors are reported under the provider name
    ``"vllm"``.

    Raises:
        ConfigurationError: an option is invalid (e.g. a ``base_url`` that is not http(s)).
    """
    config = resolve_config(
        VLLMConfig,
        None,
        {
            "base_url": base_url,
            "model": model,
            "api_key": api_key,
            **options,
        },
    )
    assert isinstance(config, VLLMConfig)
    return OpenAIAIProvider(config)
