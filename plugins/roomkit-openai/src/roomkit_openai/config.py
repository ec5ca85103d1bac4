"""Configuration models of the OpenAI, Azure OpenAI and vLLM providers."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field, SecretStr, field_validator, model_validator

from roomkit.providers.ai.support import AIProviderSettings, check_http_url

__all__ = ["AzureAIConfig", "OpenAIConfig", "VLLMConfig"]

MaxTokensParam = Literal["max_tokens", "max_completion_tokens"]
ReasoningEffort = Literal["minimal", "low", "medium", "high"]


class _CommonConfig(AIProviderSettings):
    """Settings shared by every OpenAI-compatible endpoint.

    The time limits, retries and ``default_headers`` (secret values) are those of
    :class:`~roomkit.providers.ai.support.AIProviderSettings`: a 60 s deadline per answer,
    5 s to connect, 15 s of silence at most, one retry.
    """

    model: str = Field(default="gpt-4o", min_length=1)
    #: Defaults used when the room's AIContext leaves them unset.
    temperature: float | None = Field(default=None, ge=0.0, le=2.0)
    max_tokens: int | None = Field(default=None, gt=0)
    #: Which request field carries ``max_tokens``; vLLM and older models use ``max_tokens``.
    max_tokens_param: MaxTokensParam = "max_completion_tokens"
    #: Ask for token usage in streamed responses (``stream_options.include_usage``).
    stream_usage: bool = True
    #: The RoomKit 0.6.7 name of ``stream_usage``; when given it sets ``stream_usage``.
    include_stream_usage: bool | None = None
    #: ``detail`` of image inputs: ``auto``, ``low`` or ``high``.
    image_detail: Literal["auto", "low", "high"] = "auto"
    #: ``reasoning_effort`` of reasoning models (o-series, gpt-5); ``None`` leaves it out.
    reasoning_effort: ReasoningEffort | None = None

    @model_validator(mode="before")
    @classmethod
    def _stream_usage_alias(cls, data: Any) -> Any:
        if isinstance(data, dict) and data.get("include_stream_usage") is not None:
            data = {**data, "stream_usage": data["include_stream_usage"]}
        return data


class OpenAIConfig(_CommonConfig):
    """Settings of :class:`~roomkit_openai.provider.OpenAIAIProvider`.

    ``api_key`` falls back to the ``OPENAI_API_KEY`` environment variable when unset;
    ``base_url`` points the client at any OpenAI-compatible server.
    """

    api_key: SecretStr | None = None
    base_url: str | None = None
    organization: str | None = None
    project: str | None = None

    @field_validator("base_url")
    @classmethod
    def _http_url(cls, value: str | None) -> str | None:
        return check_http_url(value, "base_url")


class AzureAIConfig(_CommonConfig):
    """Settings for Azure OpenAI.

    ``azure_endpoint`` is the resource URL (``https://NAME.openai.azure.com``) and
    ``azure_deployment`` the deployment to call (defaults to ``model``). Authenticate with
    ``api_key`` or a Microsoft Entra ``azure_ad_token``.
    """

    azure_endpoint: str
    api_version: str = Field(default="2024-10-21", min_length=1)
    azure_deployment: str | None = None
    api_key: SecretStr | None = None
    azure_ad_token: SecretStr | None = None

    @field_validator("azure_endpoint")
    @classmethod
    def _http_url(cls, value: str) -> str:
        checked = check_http_url(value, "azure_endpoint")
        assert checked is not None
        return checked.rstrip("/")


class VLLMConfig(_CommonConfig):
    """Settings of an OpenAI-compatible server such as vLLM, llama.cpp or Ollama.

    ``base_url`` is the server's API root, usually ending in ``/v1``. The reasoning these
    servers return (``reasoning_content``) arrives as the answer's thinking.
    """

    base_url: str = "http://localhost:8000/v1"
    model: str = Field(min_length=1)
    api_key: SecretStr = SecretStr("EMPTY")
    max_tokens_param: MaxTokensParam = "max_tokens"

    @field_validator("base_url")
    @classmethod
    def _http_url(cls, value: str) -> str:
        checked = check_http_url(value, "base_url")
        assert checked is not None
        return checked
