"""Registration hooks of roomkit-anthropic. Imports nothing heavy: every reference is lazy."""

from __future__ import annotations

from roomkit.plugins import ComponentDescriptor, PluginInfo, hookimpl
from roomkit.plugins.hookspecs import Register
from roomkit_anthropic.version import __version__

__all__ = ["roomkit_plugin_info", "roomkit_register_ai_providers"]


@hookimpl
def roomkit_plugin_info() -> PluginInfo:
    """Describe the roomkit-anthropic distribution."""
    return PluginInfo(
        name="anthropic",
        distribution="roomkit-anthropic",
        version=__version__,
        kernel_api=">=1,<2",
        description="Anthropic Claude AI provider",
    )


@hookimpl
def roomkit_register_ai_providers(register: Register) -> None:
    """Register the ``anthropic`` AI provider."""
    register(
        ComponentDescriptor(
            kind="ai_provider",
            name="anthropic",
            factory="roomkit_anthropic.provider:AnthropicAIProvider",
            config_model="roomkit_anthropic.config:AnthropicConfig",
            capabilities=frozenset({"streaming", "tools", "vision"}),
            exports=("AnthropicAIProvider", "AnthropicConfig"),
            conformance="roomkit_anthropic.testing:conformance_instance",
            description="Claude through the Messages API: chat, vision, tools, streaming",
        )
    )
