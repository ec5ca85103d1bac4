"""Configuration of :class:`~roomkit_gemini.provider.GeminiAIProvider`."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field, SecretStr, field_validator

from roomkit.providers.ai import support

__all__ = ["GeminiConfig", "resolve_config"]


class GeminiConfig(BaseModel):
    """Settings of the Gemini provider (Gemini Developer API through ``google-genai``).

    ``api_key`` falls back to the ``GOOGLE_API_KEY`` / ``GEMINI_API_KEY`` environment
    variables when unset. ``base_url`` and ``api_version`` point the SDK elsewhere (a proxy
    or a test server).
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    api_key: SecretStr | None = None
    model: str = Field(default="gemini-2.5-flash", min_length=1)
    base_url: str | None = None
    api_version: str = Field(default="v1beta", min_length=1)
    #: Seconds before one HTTP attempt times out.
    timeout: float = Field(default=60.0, gt=0)
    #: Retries on connection errors, timeouts, 408, 429 and 5xx (exponential backoff).
    max_retries: int = Field(default=2, ge=0, le=10)
    #: First backoff delay in seconds.
    retry_initial_delay: float = Field(default=1.0, ge=0)
    temperature: float | None = Field(default=None, ge=0.0, le=2.0)
    max_tokens: int | None = Field(default=None, gt=0)
    default_headers: dict[str, str] = Field(default_factory=dict)

    @field_validator("base_url")
    @classmethod
    def _http_url(cls, value: str | None) -> str | None:
        return support.check_http_url(value, "base_url")


def resolve_config(config: GeminiConfig | None, options: dict[str, Any]) -> GeminiConfig:
    """The config passed in, or one built from keyword options.

    Raises:
        ConfigurationError: both were given, the config has the wrong type, or the options
            do not validate.
    """
    return support.resolve_config(GeminiConfig, config, options)
