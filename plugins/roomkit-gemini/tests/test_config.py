"""Configuration validation of GeminiAIProvider."""

from __future__ import annotations

import pytest
from roomkit_gemini import GeminiAIProvider, GeminiConfig

from roomkit.errors import ConfigurationError


async def test_keyword_options_reach_the_sdk() -> None:
    provider = GeminiAIProvider(
        api_key="k", model="gemini-2.5-pro", read_timeout=4, connect_timeout=2, max_retries=3
    )
    try:
        options = provider.client._api_client._http_options
        assert provider.model_name == "gemini-2.5-pro"
        assert options.timeout == 4000
        assert options.retry_options is not None
        assert options.retry_options.attempts == 1  # the provider retries, within its deadline
        assert provider.retry.max_retries == 3
        assert options.api_version == "v1beta"
        # Our HTTP client (not aiohttp) carries separate connect and read limits.
        assert options.httpx_async_client is not None
        assert options.httpx_async_client.timeout.connect == 2
    finally:
        await provider.close()


def test_missing_api_key(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("GOOGLE_API_KEY", "GEMINI_API_KEY"):
        monkeypatch.delenv(name, raising=False)
    with pytest.raises(ConfigurationError, match="gemini"):
        GeminiAIProvider()


def test_config_and_options_together_are_rejected() -> None:
    with pytest.raises(ConfigurationError, match="not both"):
        GeminiAIProvider(GeminiConfig(api_key="k"), timeout=3)


@pytest.mark.parametrize(
    ("options", "needle"),
    [
        ({"timeout": 0}, "timeout"),
        ({"max_retries": -1}, "max_retries"),
        ({"temperature": 2.5}, "temperature"),
        ({"base_url": "generativelanguage.googleapis.com"}, "base_url"),
        ({"vertex": True}, "vertex"),
    ],
)
def test_invalid_options_raise_configuration_error(options: dict, needle: str) -> None:
    with pytest.raises(ConfigurationError, match=needle):
        GeminiAIProvider(api_key="k", **options)


def test_api_key_is_never_shown() -> None:
    assert "g-secret" not in repr(GeminiConfig(api_key="g-secret"))
