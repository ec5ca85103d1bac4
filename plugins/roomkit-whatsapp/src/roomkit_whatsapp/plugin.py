"""Registers the WhatsApp provider with RoomKit (imports nothing heavy)."""

from __future__ import annotations

from roomkit.plugins import ComponentDescriptor, PluginInfo, hookimpl
from roomkit.plugins.hookspecs import Register
from roomkit_whatsapp.version import __version__

__all__ = ["roomkit_plugin_info", "roomkit_register_messaging_providers"]


@hookimpl
def roomkit_plugin_info() -> PluginInfo:
    """Describe the roomkit-whatsapp distribution."""
    return PluginInfo(
        name="whatsapp",
        distribution="roomkit-whatsapp",
        version=__version__,
        kernel_api=">=1,<2",
        description="WhatsApp Cloud API: messages, templates, signed webhooks, statuses",
    )


@hookimpl
def roomkit_register_messaging_providers(register: Register) -> None:
    """The ``whatsapp`` provider (for ``WhatsAppChannel``)."""
    register(
        ComponentDescriptor(
            kind="messaging_provider",
            name="whatsapp",
            factory="roomkit_whatsapp.provider:WhatsAppCloudProvider",
            config_model="roomkit_whatsapp.config:WhatsAppCloudConfig",
            pass_config=True,
            capabilities=frozenset(
                {"media", "webhooks", "inbound_media", "delivery_receipts", "read_receipts"}
            ),
            exports=(
                "WhatsAppCloudConfig",
                "WhatsAppCloudProvider",
            ),
            conformance="roomkit_whatsapp.testing:conformance_harness",
            description="WhatsApp through the Cloud API; signed messages and delivery statuses",
        )
    )
