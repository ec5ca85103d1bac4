"""Registers the Elastic Email provider with RoomKit (imports nothing heavy)."""

from __future__ import annotations

from roomkit.plugins import ComponentDescriptor, PluginInfo, hookimpl
from roomkit.plugins.hookspecs import Register
from roomkit_elasticemail.version import __version__

__all__ = ["roomkit_plugin_info", "roomkit_register_messaging_providers"]


@hookimpl
def roomkit_plugin_info() -> PluginInfo:
    """Describe the roomkit-elasticemail distribution."""
    return PluginInfo(
        name="elasticemail",
        distribution="roomkit-elasticemail",
        version=__version__,
        kernel_api=">=1,<2",
        description="Elastic Email: v4 sending API and delivery notifications",
    )


@hookimpl
def roomkit_register_messaging_providers(register: Register) -> None:
    """The ``elasticemail`` email provider."""
    register(
        ComponentDescriptor(
            kind="email_provider",
            name="elasticemail",
            factory="roomkit_elasticemail.provider:ElasticEmailProvider",
            config_model="roomkit_elasticemail.config:ElasticEmailConfig",
            pass_config=True,
            # Notifications are unsigned (a URL token authenticates them), so the suite's
            # signature checks cannot apply; "webhooks" is not claimed for it.
            capabilities=frozenset({"media", "delivery_receipts"}),
            exports=("ElasticEmailConfig", "ElasticEmailProvider"),
            conformance="roomkit_elasticemail.testing:conformance_harness",
            description="Email through Elastic Email's REST API v4",
        )
    )
