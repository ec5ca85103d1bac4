"""Registers the Sinch SMS provider with RoomKit (imports nothing heavy)."""

from __future__ import annotations

from roomkit.plugins import ComponentDescriptor, PluginInfo, hookimpl
from roomkit.plugins.hookspecs import Register
from roomkit_sinch.version import __version__

__all__ = ["roomkit_plugin_info", "roomkit_register_messaging_providers"]


@hookimpl
def roomkit_plugin_info() -> PluginInfo:
    """Describe the roomkit-sinch distribution."""
    return PluginInfo(
        name="sinch",
        distribution="roomkit-sinch",
        version=__version__,
        kernel_api=">=1,<2",
        description="Sinch SMS / MMS: REST batches, delivery reports, signed callbacks",
    )


@hookimpl
def roomkit_register_messaging_providers(register: Register) -> None:
    """The ``sinch`` SMS provider."""
    register(
        ComponentDescriptor(
            kind="sms_provider",
            name="sinch",
            factory="roomkit_sinch.provider:SinchSMSProvider",
            config_model="roomkit_sinch.config:SinchConfig",
            pass_config=True,
            capabilities=frozenset({"media", "webhooks", "inbound_media", "delivery_receipts"}),
            exports=("SinchConfig", "SinchSMSProvider", "parse_sinch_webhook"),
            conformance="roomkit_sinch.testing:conformance_harness",
            description="SMS and MMS through Sinch's REST batches API",
        )
    )
