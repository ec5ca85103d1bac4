"""Registers the generic webhook provider with RoomKit (imports nothing heavy)."""

from __future__ import annotations

from roomkit.plugins import ComponentDescriptor, PluginInfo, hookimpl
from roomkit.plugins.hookspecs import Register
from roomkit_webhook.version import __version__

__all__ = ["roomkit_plugin_info", "roomkit_register_messaging_providers"]


@hookimpl
def roomkit_plugin_info() -> PluginInfo:
    """Describe the roomkit-webhook distribution."""
    return PluginInfo(
        name="webhook",
        distribution="roomkit-webhook",
        version=__version__,
        kernel_api=">=1,<2",
        description="Generic HTTP webhooks, HMAC-SHA256 signed both ways",
    )


@hookimpl
def roomkit_register_messaging_providers(register: Register) -> None:
    """The ``webhook`` messaging provider (for ``HTTPChannel``)."""
    register(
        ComponentDescriptor(
            kind="messaging_provider",
            name="webhook",
            factory="roomkit_webhook.provider:WebhookHTTPProvider",
            config_model="roomkit_webhook.config:HTTPProviderConfig",
            pass_config=True,
            capabilities=frozenset(
                {"media", "webhooks", "inbound_media", "delivery_receipts", "read_receipts"}
            ),
            exports=("HTTPProviderConfig", "WebhookHTTPProvider", "parse_http_webhook"),
            conformance="roomkit_webhook.testing:conformance_harness",
            description="Posts events as signed JSON to a URL; receives signed webhooks back",
        )
    )
