"""Registration hooks of roomkit-mistral. Imports nothing heavy: every reference is lazy."""

from __future__ import annotations

from roomkit.plugins import ComponentDescriptor, PluginInfo, hookimpl
from roomkit.plugins.hookspecs import Register
from roomkit_mistral.version import __version__

__all__ = ["roomkit_plugin_info", "roomkit_register_ai_providers"]


@hookimpl
def roomkit_plugin_info() -> PluginInfo:
    """Describe the roomkit-mistral distribution."""
    return PluginInfo(
        name="mistral",
        distribution="roomkit-mistral",
        version=__version__,
        kernel_api=">=1,<2",
        description="Mistral AI provider (tools, streaming, Pixtral vision)",
    )


@hookimpl
def roomkit_register_ai_providers(register: Register) -> None:
    """Register the ``mistral`` AI provider."""
    register(
        ComponentDescriptor(
            kind="ai_provider",
            name="mistral",
            factory="roomkit_mistral.provider:MistralAIProvider",
            config_model="roomkit_mistral.config:MistralConfig",
            capabilities=frozenset({"streaming", "tools", "vision"}),
            exports=("MistralAIProvider", "MistralConfig"),
            conformance="roomkit_mistral.testing:conformance_instance",
            description="Mistral chat: tools, streaming, Pixtral vision",
        )
    )
