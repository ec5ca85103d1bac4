"""Registers the SendGrid email provider with RoomKit (imports nothing heavy)."""

from __future__ import annotations

from roomkit.plugins import ComponentDescriptor, PluginInfo, hookimpl
from roomkit.plugins.hookspecs import Register
from roomkit_sendgrid.version import __version__

__all__ = ["roomkit_plugin_info", "roomkit_register_messaging_providers"]


@hookimpl
def roomkit_plugin_info() -> PluginInfo:
    """Describe the roomkit-sendgrid distribution."""
    return PluginInfo(
        name="sendgrid",
        distribution="roomkit-sendgrid",
        version=__version__,
        kernel_api=">=1,<2",
        description="Twilio SendGrid: Mail Send, signed Event Webhook, Inbound Parse",
    )


@hookimpl
def roomkit_register_messaging_providers(register: Register) -> None:
    """The ``sendgrid`` email provider."""
    register(
        ComponentDescriptor(
            kind="email_provider",
            name="sendgrid",
            factory="roomkit_sendgrid.provider:SendGridProvider",
            config_model="roomkit_sendgrid.config:SendGridConfig",
            pass_config=True,
            capabilities=frozenset({"media", "webhooks", "delivery_receipts", "read_receipts"}),
            exports=("SendGridConfig", "SendGridProvider"),
            conformance="roomkit_sendgrid.testing:conformance_harness",
            description="Email through SendGrid v3 Mail Send; events and replies signed",
        )
    )
