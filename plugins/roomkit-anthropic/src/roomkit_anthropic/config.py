"""Configuration of :class:`~roomkit_anthropic.provider.AnthropicAIProvider`."""

from __future__ import annotations

from pydantic import Field, SecretStr, field_validator

from roomkit.providers.ai import support

__all__ = ["AnthropicConfig"]


class AnthropicConfig(support.AIProviderSettings):
    """Settings of the Anthropic (Claude) provider.

    ``api_key`` falls back to the ``ANTHROPIC_API_KEY`` environment variable when unset.
    ``max_tokens`` is required by the Messages API, so it always has a value here.
    ``thinking_budget`` turns extended thinking on for every request (a request's
    ``AIContext.thinking_budget`` wins); the budget comes on top of ``max_tokens``.

    The time limits, retries and ``default_headers`` (secret values) are those of
    :class:`~roomkit.providers.ai.support.AIProviderSettings`: a 60 s deadline per answer,
    5 s to connect, 15 s of silence at most, one retry.
    """

    api_key: SecretStr | None = None
    model: str = Field(default="claude-sonnet-4-6", min_length=1)
    base_url: str | None = None
    max_tokens: int = Field(default=1024, gt=0)
    temperature: float | None = Field(default=None, ge=0.0, le=1.0)
    thinking_budget: int | None = Field(default=None, ge=1024)

    @field_validator("base_url")
    @classmethod
    def _http_url(cls, value: str | None) -> str | None:
        return support.check_http_url(value, "base_url")
