"""Configuration validation of the OpenAI, Azure and vLLM providers."""

from __future__ import annotations

import pytest
from roomkit_openai import (
    AzureAIConfig,
    AzureOpenAIAIProvider,
    OpenAIAIProvider,
    OpenAIConfig,
    create_vllm_provider,
)

from roomkit.errors import ConfigurationError


async def test_keyword_options_build_the_config() -> None:
    provider = OpenAIAIProvider(
        api_key="k", model="gpt-4o-mini", timeout=5, read_timeout=3, max_retries=4
    )
    try:
        assert provider.config == OpenAIConfig(
            api_key="k", model="gpt-4o-mini", timeout=5, read_timeout=3, max_retries=4
        )
        assert provider.model_name == "gpt-4o-mini"
        # One attempt's limits go to the SDK; retries (and the deadline) are the provider's.
        assert provider.client.timeout.read == 3
        assert provider.client.timeout.connect == 5.0
        assert provider.client.max_retries == 0
        assert provider.retry.max_retries == 4
    finally:
        await provider.close()


async def test_interactive_defaults() -> None:
    provider = OpenAIAIProvider(api_key="k")
    try:
        config = provider.config
        assert (config.timeout, config.connect_timeout, config.read_timeout) == (60, 5, 15)
        assert config.max_retries == 1
    finally:
        await provider.close()


async def test_default_headers_reach_the_sdk_and_stay_hidden() -> None:
    provider = OpenAIAIProvider(api_key="k", default_headers={"X-Api-Key": "hdr-secret-123"})
    try:
        assert provider.client.default_headers["X-Api-Key"] == "hdr-secret-123"
        assert "hdr-secret-123" not in repr(provider.config)
        assert "hdr-secret-123" not in provider.config.model_dump_json()
    finally:
        await provider.close()


def test_config_and_options_together_are_rejected() -> None:
    with pytest.raises(ConfigurationError, match="not both"):
        OpenAIAIProvider(OpenAIConfig(api_key="k"), model="gpt-4o")


def test_wrong_config_type_is_rejected() -> None:
    with pytest.raises(ConfigurationError, match="AzureAIConfig"):
        AzureOpenAIAIProvider(OpenAIConfig(api_key="k"))  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("options", "needle"),
    [
        ({"timeout": 0}, "timeout"),
        ({"max_retries": -1}, "max_retries"),
        ({"temperature": 3.0}, "temperature"),
        ({"base_url": "ftp://x"}, "http"),
        ({"unknown_option": 1}, "unknown_option"),
    ],
)
def test_invalid_options_raise_configuration_error(options: dict, needle: str) -> None:
    with pytest.raises(ConfigurationError, match=needle):
        OpenAIAIProvider(api_key="k", **options)


def test_missing_api_key_is_a_configuration_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    with pytest.raises(ConfigurationError, match="api_key"):
        OpenAIAIProvider(OpenAIConfig())


def test_api_key_is_never_shown() -> None:
    config = OpenAIConfig(api_key="sk-very-secret")
    assert "sk-very-secret" not in repr(config)
    assert "sk-very-secret" not in str(config.model_dump())


def test_azure_endpoint_must_be_http() -> None:
    with pytest.raises(ConfigurationError, match="azure_endpoint"):
        AzureOpenAIAIProvider(azure_endpoint="my-resource", api_key="k")


async def test_azure_config_through_the_openai_class() -> None:
    provider = OpenAIAIProvider(
        AzureAIConfig(azure_endpoint="https://r.openai.azure.com/", api_key="k", model="dep")
    )
    try:
        assert provider.name == "azure-openai"
        assert str(provider.client.base_url).startswith(
            "https://r.openai.azure.com/openai/deployments/dep"
        )
    finally:
        await provider.close()


def test_vllm_rejects_a_bad_base_url() -> None:
    with pytest.raises(ConfigurationError, match="base_url"):
        create_vllm_provider("localhost:8000", "llama")


async def test_vllm_defaults() -> None:
    provider = create_vllm_provider("http://127.0.0.1:9/v1", "llama-3", temperature=0.2)
    try:
        assert provider.name == "vllm"
        assert provider.model_name == "llama-3"
        assert provider.config.max_tokens_param == "max_tokens"
        assert provider.config.temperature == 0.2
    finally:
        await provider.close()


async def test_vllm_takes_a_config_as_in_0_6_7() -> None:
    from roomkit_openai import VLLMConfig

    provider = create_vllm_provider(VLLMConfig(model="llama-3", include_stream_usage=False))
    try:
        assert provider.config.base_url == "http://localhost:8000/v1"
        assert provider.config.stream_usage is False
        assert provider.model_name == "llama-3"
    finally:
        await provider.close()
    keyword = create_vllm_provider(base_url="http://127.0.0.1:9/v1", model="m")
    try:
        assert keyword.config.base_url == "http://127.0.0.1:9/v1"
    finally:
        await keyword.close()
    with pytest.raises(ConfigurationError, match="not both"):
        create_vllm_provider(VLLMConfig(model="m"), temperature=0.1)
    with pytest.raises(ConfigurationError, match="twice"):
        create_vllm_provider("http://127.0.0.1:9/v1", "m", base_url="http://127.0.0.1:8/v1")
    with pytest.raises(ConfigurationError, match="VLLMConfig or a base_url"):
        create_vllm_provider(42)  # type: ignore[arg-type]


def test_include_stream_usage_is_the_0_6_7_name_of_stream_usage() -> None:
    from roomkit_openai import AzureAIProvider, AzureOpenAIAIProvider, OpenAIConfig

    assert OpenAIConfig(include_stream_usage=False).stream_usage is False
    assert OpenAIConfig(include_stream_usage=True, stream_usage=False).stream_usage is True
    assert OpenAIConfig().stream_usage is True
    assert AzureAIProvider is AzureOpenAIAIProvider
