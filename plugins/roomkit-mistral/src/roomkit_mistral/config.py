"""Configuration of :class:`~roomkit_mistral.provider.MistralAIProvider`."""

from __future__ import annotations

from pydantic import Field, SecretStr, field_validator

from roomkit.providers.ai import support

__all__ = ["MistralConfig"]


class MistralConfig(support.AIProviderSettings):
    """Settings of the Mistral provider.

    ``api_key`` falls back to the ``MISTRAL_API_KEY`` environment variable when unset.
    ``server_url`` is the API root *without* ``/v1`` (the SDK appends it).

    The time limits, retries and ``default_headers`` (secret values) are those of
    :class:`~roomkit.providers.ai.support.AIProviderSettings`: a 60 s deadline per answer,
    5 s to connect, 15 s of silence at most, one retry (honouring ``Retry-After``).
    """

    api_key: SecretStr | None = None
    model: str = Field(default="mistral-large-latest", min_length=1)
    server_url: str | None = None
    temperature: float | None = Field(default=None, ge=0.0, le=1.5)
    max_tokens: int | None = Field(default=None, gt=0)
    #: Mistral's safety system prompt.
    safe_prompt: bool = False

    @field_validator("server_url")
    @classmethod
    def _http_url(cls, value: str | None) -> str | None:
        value = support.check_http_url(value, "server_url")
        return value.rstrip("/") if value else value
