"""roomkit-twilio: SMS / MMS, RCS and WhatsApp through Twilio, with signed webhooks.

Names load on first use, so importing the package does not import the twilio SDK.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from roomkit.lazy import lazy_exports
from roomkit_twilio.version import __version__

__all__ = [
    "TwilioConfig",
    "TwilioRCSConfig",
    "TwilioRCSProvider",
    "TwilioSMSProvider",
    "TwilioWhatsAppConfig",
    "TwilioWhatsAppProvider",
    "__version__",
    "parse_twilio_rcs_webhook",
    "parse_twilio_webhook",
]

_WHERE = {
    "TwilioConfig": "roomkit_twilio.config",
    "TwilioRCSConfig": "roomkit_twilio.config",
    "TwilioWhatsAppConfig": "roomkit_twilio.config",
    "TwilioSMSProvider": "roomkit_twilio.sms",
    "TwilioRCSProvider": "roomkit_twilio.rcs",
    "TwilioWhatsAppProvider": "roomkit_twilio.whatsapp",
    "parse_twilio_webhook": "roomkit_twilio.sms",
    "parse_twilio_rcs_webhook": "roomkit_twilio.rcs",
}

__getattr__, __dir__ = lazy_exports(__name__, _WHERE, globals())

if TYPE_CHECKING:
    from roomkit_twilio.config import TwilioConfig, TwilioRCSConfig, TwilioWhatsAppConfig
    from roomkit_twilio.rcs import TwilioRCSProvider, parse_twilio_rcs_webhook
    from roomkit_twilio.sms import TwilioSMSProvider, parse_twilio_webhook
    from roomkit_twilio.whatsapp import TwilioWhatsAppProvider
