"""Registration hooks of roomkit-openai. Imports nothing heavy: every reference is lazy."""

from __future__ import annotations

from roomkit.plugins import ComponentDescriptor, PluginInfo, hookimpl
from roomkit.plugins.hookspecs import Register
from roomkit_openai.version import __version__

__all__ = ["roomkit_plugin_info", "roomkit_register_ai_providers"]

_CAPABILITIES = frozenset({"streaming", "tools", "vision"})


@hookimpl
def roomkit_plugin_info() -> PluginInfo:
    """Describe the roomkit-openai distribution."""
    return PluginInfo(
        name="openai",
        distribution="roomkit-openai",
        version=__version__,
        kernel_api=">=1,<2",
        description="OpenAI, Azure OpenAI and OpenAI-compatible (vLLM) AI providers",
    )


@hookimpl
def roomkit_register_ai_providers(register: Register) -> None:
    """Register the ``openai``, ``azure-openai`` and ``vllm`` AI providers."""
    register(
        ComponentDescriptor(
            kind="ai_provider",
            name="openai",
            factory="roomkit_openai.provider:OpenAIAIProvider",
            config_model="roomkit_openai.config:OpenAIConfig",
            capabilities=_CAPABILITIES,
            exports=("OpenAIAIProvider", "OpenAIConfig"),
            conformance="roomkit_openai.testing:conformance_instance",
            description="OpenAI Chat Completions: chat, vision, tools, streaming",
        )
    )
    register(
        ComponentDescriptor(
            kind="ai_provider",
            name="azure-openai",
            factory="roomkit_openai.azure:AzureOpenAIAIProvider",
            config_model="roomkit_openai.config:AzureAIConfig",
            capabilities=_CAPABILITIES,
            exports=("AzureAIConfig", "AzureAIProvider", "AzureOpenAIAIProvider"),
            conformance_exempt=(
                "the LLM wire fake has no Azure deployment routes; the Azure client differs "
                "from the checked openai component only in its endpoint and auth"
            ),
            description="Azure OpenAI deployments",
        )
    )
    register(
        ComponentDescriptor(
            kind="ai_provider",
            name="vllm",
            factory="roomkit_openai.vllm:create_vllm_provider",
            config_model="roomkit_openai.config:VLLMConfig",
            capabilities=_CAPABILITIES,
            exports=("VLLMConfig", "create_vllm_provider"),
            conformance="roomkit_openai.testing:vllm_conformance_instance",
            description="Any OpenAI-compatible server (vLLM, llama.cpp, Ollama)",
        )
    )
