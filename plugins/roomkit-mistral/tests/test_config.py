"""Configuration validation of MistralAIProvider."""

from __future__ import annotations

import pytest
from roomkit_mistral import MistralAIProvider, MistralConfig

from roomkit.errors import ConfigurationError


async def test_keyword_options_build_the_config() -> None:
    provider = MistralAIProvider(api_key="k", model="pixtral-large-latest", read_timeout=3)
    try:
        assert provider.config == MistralConfig(
            api_key="k", model="pixtral-large-latest", read_timeout=3
        )
        assert provider.model_name == "pixtral-large-latest"
        assert provider.client.sdk_configuration.timeout_ms == 3000
    finally:
        await provider.close()


async def test_retries_are_the_providers_not_the_sdks() -> None:
    provider = MistralAIProvider(api_key="k", max_retries=3, retry_backoff=0.25)
    try:
        assert provider.client.sdk_configuration.retry_config.strategy == "none"
        assert (provider.retry.max_retries, provider.retry.backoff) == (3, 0.25)
    finally:
        await provider.close()


def test_missing_api_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("MISTRAL_API_KEY", raising=False)
    with pytest.raises(ConfigurationError, match="MISTRAL_API_KEY"):
        MistralAIProvider()
    monkeypatch.setenv("MISTRAL_API_KEY", "from-env")
    assert MistralAIProvider().model_name == "mistral-large-latest"


def test_config_and_options_together_are_rejected() -> None:
    with pytest.raises(ConfigurationError, match="not both"):
        MistralAIProvider(MistralConfig(api_key="k"), timeout=3)


@pytest.mark.parametrize(
    ("options", "needle"),
    [
        ({"timeout": 0}, "timeout"),
        ({"max_retries": -1}, "max_retries"),
        ({"temperature": 2.0}, "temperature"),
        ({"server_url": "api.mistral.ai"}, "server_url"),
        ({"max_retry_time": 3}, "max_retry_time"),
    ],
)
def test_invalid_options_raise_configuration_error(options: dict, needle: str) -> None:
    with pytest.raises(ConfigurationError, match=needle):
        MistralAIProvider(api_key="k", **options)


def test_api_key_is_never_shown() -> None:
    assert "mistral-secret" not in repr(MistralConfig(api_key="mistral-secret"))
