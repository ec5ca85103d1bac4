"""``AzureOpenAIAIProvider``: the OpenAI provider pointed at an Azure OpenAI deployment."""

from __future__ import annotations

from typing import Any

from roomkit_openai.config import AzureAIConfig
from roomkit_openai.provider import OpenAIAIProvider

__all__ = ["AzureAIConfig", "AzureAIProvider", "AzureOpenAIAIProvider"]


class AzureOpenAIAIProvider(OpenAIAIProvider):
    """Chat, vision, tools and streaming against Azure OpenAI.

    Requests go to ``{azure_endpoint}/openai/deployments/{deployment}/chat/completions``
    with the configured ``api-version``::

        provider = AzureOpenAIAIProvider(AzureAIConfig(
            azure_endpoint="https://my-resource.openai.azure.com",
            azure_deployment="gpt-4o-prod", api_key="...",
        ))

    ``OpenAIAIProvider(AzureAIConfig(...))`` builds the same provider.
    """

    name = "azure-openai"
    config_model = AzureAIConfig
    accepted_configs = (AzureAIConfig,)

    def __init__(self, config: AzureAIConfig | None = None, /, **options: Any) -> None:
        super().__init__(config, **options)


AzureAIProvider = AzureOpenAIAIProvider
"""The RoomKit 0.6.7 name of :class:`AzureOpenAIAIProvider`."""
