"""Registers the Twilio providers with RoomKit (imports nothing heavy: references are lazy)."""

from __future__ import annotations

from roomkit.plugins import ComponentDescriptor, PluginInfo, hookimpl
from roomkit.plugins.hookspecs import Register
from roomkit_twilio.version import __version__

__all__ = ["roomkit_plugin_info", "roomkit_register_messaging_providers"]

_RECEIVES = frozenset({"media", "webhooks", "inbound_media", "delivery_receipts"})


@hookimpl
def roomkit_plugin_info() -> PluginInfo:
    """Describe the roomkit-twilio distribution."""
    return PluginInfo(
        name="twilio",
        distribution="roomkit-twilio",
        version=__version__,
        kernel_api=">=1,<2",
        description="Twilio SMS / MMS, RCS and WhatsApp with X-Twilio-Signature webhooks",
    )


@hookimpl
def roomkit_register_messaging_providers(register: Register) -> None:
    """Register ``sms_provider:twilio``, ``rcs_provider:twilio`` and
    ``messaging_provider:twilio-whatsapp``."""
    register(
        ComponentDescriptor(
            kind="sms_provider",
            name="twilio",
            factory="roomkit_twilio.sms:TwilioSMSProvider",
            config_model="roomkit_twilio.config:TwilioConfig",
            pass_config=True,
            capabilities=_RECEIVES,
            exports=("TwilioConfig", "TwilioSMSProvider", "parse_twilio_webhook"),
            conformance="roomkit_twilio.testing:sms_harness",
            description="SMS and MMS through Twilio's Messages API",
        )
    )
    register(
        ComponentDescriptor(
            kind="rcs_provider",
            name="twilio",
            factory="roomkit_twilio.rcs:TwilioRCSProvider",
            config_model="roomkit_twilio.config:TwilioRCSConfig",
            pass_config=True,
            capabilities=_RECEIVES | {"read_receipts"},
            exports=("TwilioRCSConfig", "TwilioRCSProvider", "parse_twilio_rcs_webhook"),
            conformance="roomkit_twilio.testing:rcs_harness",
            description="RCS through an RCS-enabled Twilio Messaging Service, SMS fallback",
        )
    )
    register(
        ComponentDescriptor(
            kind="messaging_provider",
            name="twilio-whatsapp",
            factory="roomkit_twilio.whatsapp:TwilioWhatsAppProvider",
            config_model="roomkit_twilio.config:TwilioWhatsAppConfig",
            pass_config=True,
            capabilities=_RECEIVES | {"read_receipts"},
            exports=("TwilioWhatsAppConfig", "TwilioWhatsAppProvider"),
            conformance="roomkit_twilio.testing:whatsapp_harness",
            description="WhatsApp Business messages and Content templates through Twilio",
        )
    )
