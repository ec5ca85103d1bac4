"""Configuration of :class:`~roomkit_gemini.provider.GeminiAIProvider`."""

from __future__ import annotations

from pydantic import Field, SecretStr, field_validator

from roomkit.providers.ai import support

__all__ = ["GeminiConfig"]


class GeminiConfig(support.AIProviderSettings):
    """Settings of the Gemini provider (Gemini Developer API through ``google-genai``).

    ``api_key`` falls back to the ``GOOGLE_API_KEY`` / ``GEMINI_API_KEY`` environment
    variables when unset. ``base_url`` and ``api_version`` point the SDK elsewhere (a proxy
    or a test server). ``thinking_budget`` sets the reasoning budget of thinking models and
    asks for thought summaries (a request's ``AIContext.thinking_budget`` wins).

    The time limits, retries and ``default_headers`` (secret values) are those of
    :class:`~roomkit.providers.ai.support.AIProviderSettings`: a 60 s deadline per answer,
    5 s to connect, 15 s of silence at most, one retry.
    """

    api_key: SecretStr | None = None
    model: str = Field(default="gemini-2.5-flash", min_length=1)
    base_url: str | None = None
    api_version: str = Field(default="v1beta", min_length=1)
    temperature: float | None = Field(default=None, ge=0.0, le=2.0)
    max_tokens: int | None = Field(default=None, gt=0)
    thinking_budget: int | None = Field(default=None, gt=0)

    @field_validator("base_url")
    @classmethod
    def _http_url(cls, value: str | None) -> str | None:
        return support.check_http_url(value, "base_url")
