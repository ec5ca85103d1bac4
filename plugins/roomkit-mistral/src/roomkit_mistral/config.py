"""Configuration of :class:`~roomkit_mistral.provider.MistralAIProvider`."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field, SecretStr, field_validator

from roomkit.providers.ai import support

__all__ = ["MistralConfig", "resolve_config"]


class MistralConfig(BaseModel):
    """Settings of the Mistral provider.

    ``api_key`` falls back to the ``MISTRAL_API_KEY`` environment variable when unset.
    ``server_url`` is the API root *without* ``/v1`` (the SDK appends it).

    Retries follow the mistralai SDK's own model: exponential backoff on connection errors,
    429 and 5xx for at most ``max_retry_time`` seconds in total (``0`` disables retries),
    honouring ``Retry-After``.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    api_key: SecretStr | None = None
    model: str = Field(default="mistral-large-latest", min_length=1)
    server_url: str | None = None
    #: Seconds before one HTTP attempt times out.
    timeout: float = Field(default=60.0, gt=0)
    #: Total seconds the SDK may spend retrying a failed call; 0 turns retries off.
    max_retry_time: float = Field(default=30.0, ge=0)
    #: First backoff interval in seconds (it grows by 1.5x per attempt, capped at 10 s).
    retry_initial_interval: float = Field(default=0.5, gt=0)
    temperature: float | None = Field(default=None, ge=0.0, le=1.5)
    max_tokens: int | None = Field(default=None, gt=0)
    #: Mistral's safety system prompt.
    safe_prompt: bool = False

    @field_validator("server_url")
    @classmethod
    def _http_url(cls, value: str | None) -> str | None:
        value = support.check_http_url(value, "server_url")
        return value.rstrip("/") if value else value


def resolve_config(config: MistralConfig | None, options: dict[str, Any]) -> MistralConfig:
    """The config passed in, or one built from keyword options.

    Raises:
        ConfigurationError: both were given, the config has the wrong type, or the options
            do not validate.
    """
    return support.resolve_config(MistralConfig, config, options)
