"""Registration hooks of roomkit-gemini. Imports nothing heavy: every reference is lazy."""

from __future__ import annotations

from roomkit.plugins import ComponentDescriptor, PluginInfo, hookimpl
from roomkit.plugins.hookspecs import Register
from roomkit_gemini.version import __version__

__all__ = ["roomkit_plugin_info", "roomkit_register_ai_providers"]


@hookimpl
def roomkit_plugin_info() -> PluginInfo:
    """Describe the roomkit-gemini distribution."""
    return PluginInfo(
        name="gemini",
        distribution="roomkit-gemini",
        version=__version__,
        kernel_api=">=1,<2",
        description="Google Gemini AI provider (google-genai)",
    )


@hookimpl
def roomkit_register_ai_providers(register: Register) -> None:
    """Register the ``gemini`` AI provider."""
    register(
        ComponentDescriptor(
            kind="ai_provider",
            name="gemini",
            factory="roomkit_gemini.provider:GeminiAIProvider",
            config_model="roomkit_gemini.config:GeminiConfig",
            capabilities=frozenset({"streaming", "tools", "vision"}),
            exports=("GeminiAIProvider", "GeminiConfig"),
            conformance="roomkit_gemini.testing:conformance_instance",
            description="Gemini through google-genai: chat, vision, tools, streaming",
        )
    )
