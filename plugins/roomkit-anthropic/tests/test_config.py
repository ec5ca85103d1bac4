"""Configuration validation of AnthropicAIProvider."""

from __future__ import annotations

import pytest
from roomkit_anthropic import AnthropicAIProvider, AnthropicConfig

from roomkit.errors import ConfigurationError


async def test_keyword_options_build_the_config() -> None:
    provider = AnthropicAIProvider(api_key="k", model="claude-haiku-4-5", timeout=7, max_retries=5)
    try:
        assert provider.config.model == "claude-haiku-4-5"
        assert provider.model_name == "claude-haiku-4-5"
        assert provider.client.timeout.connect == 5.0
        assert provider.client.timeout.read == 15.0
        assert provider.client.max_retries == 0
        assert (provider.retry.max_retries, provider.config.timeout) == (5, 7)
    finally:
        await provider.close()


def test_config_and_options_together_are_rejected() -> None:
    with pytest.raises(ConfigurationError, match="not both"):
        AnthropicAIProvider(AnthropicConfig(api_key="k"), model="x")


def test_wrong_config_type_is_rejected() -> None:
    with pytest.raises(ConfigurationError, match="AnthropicConfig"):
        AnthropicAIProvider({"api_key": "k"})  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("options", "needle"),
    [
        ({"timeout": -1}, "timeout"),
        ({"max_retries": 11}, "max_retries"),
        ({"max_tokens": 0}, "max_tokens"),
        ({"temperature": 1.5}, "temperature"),
        ({"base_url": "localhost"}, "base_url"),
        ({"api_kye": "typo"}, "api_kye"),
    ],
)
def test_invalid_options_raise_configuration_error(options: dict, needle: str) -> None:
    with pytest.raises(ConfigurationError, match=needle):
        AnthropicAIProvider(**options)


def test_api_key_is_never_shown() -> None:
    assert "sk-ant-secret" not in repr(AnthropicConfig(api_key="sk-ant-secret"))
