"""Registers the Messenger provider with RoomKit (imports nothing heavy)."""

from __future__ import annotations

from roomkit.plugins import ComponentDescriptor, PluginInfo, hookimpl
from roomkit.plugins.hookspecs import Register
from roomkit_messenger.version import __version__

__all__ = ["roomkit_plugin_info", "roomkit_register_messaging_providers"]


@hookimpl
def roomkit_plugin_info() -> PluginInfo:
    """Describe the roomkit-messenger distribution."""
    return PluginInfo(
        name="messenger",
        distribution="roomkit-messenger",
        version=__version__,
        kernel_api=">=1,<2",
        description="Facebook Messenger: Graph API Send API, signed webhooks",
    )


@hookimpl
def roomkit_register_messaging_providers(register: Register) -> None:
    """The ``messenger`` provider (for ``MessengerChannel``)."""
    register(
        ComponentDescriptor(
            kind="messaging_provider",
            name="messenger",
            factory="roomkit_messenger.provider:FacebookMessengerProvider",
            config_model="roomkit_messenger.config:MessengerConfig",
            pass_config=True,
            capabilities=frozenset({"media", "webhooks", "inbound_media"}),
            exports=(
                "FacebookMessengerProvider",
                "MessengerConfig",
                "parse_messenger_webhook",
            ),
            conformance="roomkit_messenger.testing:conformance_harness",
            description="Messenger through the Send API; signed webhooks and delivery events",
        )
    )
