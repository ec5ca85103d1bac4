"""Configuration of :class:`~roomkit_anthropic.provider.AnthropicAIProvider`."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field, SecretStr, field_validator

from roomkit.providers.ai import support

__all__ = ["AnthropicConfig", "resolve_config"]


class AnthropicConfig(BaseModel):
    """Settings of the Anthropic (Claude) provider.

    ``api_key`` falls back to the ``ANTHROPIC_API_KEY`` environment variable when unset.
    ``max_tokens`` is required by the Messages API, so it always has a value here.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    api_key: SecretStr | None = None
    model: str = Field(default="claude-sonnet-4-6", min_length=1)
    base_url: str | None = None
    #: Seconds before one HTTP attempt times out.
    timeout: float = Field(default=60.0, gt=0)
    #: Retries the SDK makes on connection errors, 408, 409, 429 and 5xx (with backoff).
    max_retries: int = Field(default=2, ge=0, le=10)
    max_tokens: int = Field(default=1024, gt=0)
    temperature: float | None = Field(default=None, ge=0.0, le=1.0)
    default_headers: dict[str, str] = Field(default_factory=dict)

    @field_validator("base_url")
    @classmethod
    def _http_url(cls, value: str | None) -> str | None:
        return support.check_http_url(value, "base_url")


def resolve_config(config: AnthropicConfig | None, options: dict[str, Any]) -> AnthropicConfig:
    """The config passed in, or one built from keyword options.

    Raises:
        ConfigurationError: both were given, the config has the wrong type, or the options
            do not validate.
    """
    return support.resolve_config(AnthropicConfig, config, options)
