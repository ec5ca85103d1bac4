"""RoomKit AI providers for OpenAI, Azure OpenAI and OpenAI-compatible servers.

Importing this package does not import the openai SDK; that happens when the first provider
is built.
"""

from roomkit_openai.azure import AzureAIProvider, AzureOpenAIAIProvider
from roomkit_openai.config import AzureAIConfig, OpenAIConfig, VLLMConfig
from roomkit_openai.provider import OpenAIAIProvider
from roomkit_openai.version import __version__
from roomkit_openai.vllm import create_vllm_provider

__all__ = [
    "AzureAIConfig",
    "AzureAIProvider",
    "AzureOpenAIAIProvider",
    "OpenAIAIProvider",
    "OpenAIConfig",
    "VLLMConfig",
    "__version__",
    "create_vllm_provider",
]
