"""Registers the VoiceMeUp SMS provider with RoomKit (references are lazy)."""

from __future__ import annotations

from roomkit.plugins import ComponentDescriptor, PluginInfo, hookimpl
from roomkit.plugins.hookspecs import Register
from roomkit_voicemeup.version import __version__

__all__ = ["roomkit_plugin_info", "roomkit_register_messaging_providers"]


@hookimpl
def roomkit_plugin_info() -> PluginInfo:
    """Describe the roomkit-voicemeup distribution."""
    return PluginInfo(
        name="voicemeup",
        distribution="roomkit-voicemeup",
        version=__version__,
        kernel_api=">=1,<2",
        description="VoiceMeUp SMS / MMS with MMS reassembly (contrib)",
    )


@hookimpl
def roomkit_register_messaging_providers(register: Register) -> None:
    """Register ``sms_provider:voicemeup``."""
    register(
        ComponentDescriptor(
            kind="sms_provider",
            name="voicemeup",
            factory="roomkit_voicemeup.sms:VoiceMeUpSMSProvider",
            config_model="roomkit_voicemeup.config:VoiceMeUpConfig",
            pass_config=True,
            capabilities=frozenset({"media", "webhooks", "inbound_media"}),
            exports=(
                "VoiceMeUpConfig",
                "VoiceMeUpSMSProvider",
                "configure_voicemeup_mms",
                "parse_voicemeup_webhook",
            ),
            conformance="roomkit_voicemeup.testing:sms_harness",
            description="SMS and MMS through VoiceMeUp (no delivery receipts)",
        )
    )
