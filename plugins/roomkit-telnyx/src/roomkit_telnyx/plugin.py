"""Registers the Telnyx providers with RoomKit (imports nothing heavy: references are lazy)."""

from __future__ import annotations

from roomkit.plugins import ComponentDescriptor, PluginInfo, hookimpl
from roomkit.plugins.hookspecs import Register
from roomkit_telnyx.version import __version__

__all__ = ["roomkit_plugin_info", "roomkit_register_messaging_providers"]

_RECEIVES = frozenset({"media", "webhooks", "inbound_media", "delivery_receipts"})


@hookimpl
def roomkit_plugin_info() -> PluginInfo:
    """Describe the roomkit-telnyx distribution."""
    return PluginInfo(
        name="telnyx",
        distribution="roomkit-telnyx",
        version=__version__,
        kernel_api=">=1,<2",
        description="Telnyx SMS / MMS and RCS with ed25519-signed webhooks",
    )


@hookimpl
def roomkit_register_messaging_providers(register: Register) -> None:
    """Register ``sms_provider:telnyx`` and ``rcs_provider:telnyx``."""
    register(
        ComponentDescriptor(
            kind="sms_provider",
            name="telnyx",
            factory="roomkit_telnyx.sms:TelnyxSMSProvider",
            config_model="roomkit_telnyx.config:TelnyxConfig",
            pass_config=True,
            capabilities=_RECEIVES,
            exports=("TelnyxConfig", "TelnyxSMSProvider", "parse_telnyx_webhook"),
            conformance="roomkit_telnyx.testing:sms_harness",
            description="SMS and MMS through the Telnyx Messaging API v2",
        )
    )
    register(
        ComponentDescriptor(
            kind="rcs_provider",
            name="telnyx",
            factory="roomkit_telnyx.rcs:TelnyxRCSProvider",
            config_model="roomkit_telnyx.config:TelnyxRCSConfig",
            pass_config=True,
            capabilities=_RECEIVES | {"read_receipts"},
            exports=("TelnyxRCSConfig", "TelnyxRCSProvider", "parse_telnyx_rcs_webhook"),
            conformance="roomkit_telnyx.testing:rcs_harness",
            description="RCS cards, carousels and suggestions through Telnyx, SMS fallback",
        )
    )
