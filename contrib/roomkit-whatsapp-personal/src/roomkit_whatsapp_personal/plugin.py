"""Registers the neonize WhatsApp Personal provider (imports nothing heavy: references are
lazy)."""

from __future__ import annotations

from roomkit.plugins import ComponentDescriptor, PluginInfo, hookimpl
from roomkit.plugins.hookspecs import Register
from roomkit_whatsapp_personal.version import __version__

__all__ = ["roomkit_plugin_info", "roomkit_register_messaging_providers"]


@hookimpl
def roomkit_plugin_info() -> PluginInfo:
    """Describe the roomkit-whatsapp-personal distribution."""
    return PluginInfo(
        name="whatsapp-personal",
        distribution="roomkit-whatsapp-personal",
        version=__version__,
        kernel_api=">=1,<2",
        description="A personal WhatsApp account through neonize (contrib)",
    )


@hookimpl
def roomkit_register_messaging_providers(register: Register) -> None:
    """Register ``messaging_provider:whatsapp-personal``."""
    register(
        ComponentDescriptor(
            kind="messaging_provider",
            name="whatsapp-personal",
            factory="roomkit_whatsapp_personal.provider:NeonizeWhatsAppProvider",
            config_model="roomkit_whatsapp_personal.config:WhatsAppPersonalConfig",
            pass_config=True,
            capabilities=frozenset({"media", "read_receipts"}),
            exports=(
                "NeonizeWhatsAppProvider",
                "WhatsAppPersonalConfig",
                "WhatsAppPersonalSourceProvider",
            ),
            conformance_exempt="neonize speaks WhatsApp's end-to-end encrypted protocol to "
            "WhatsApp's servers; no local fake of them exists, so the send/receive suite "
            "cannot run (the mapping is tested on neonize's own protobuf types instead)",
            description="WhatsApp as a linked device (neonize): text, media, typing, receipts",
        )
    )
