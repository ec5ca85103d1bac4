"""roomkit-whatsapp: WhatsApp through Meta's Cloud API (text, media, location, interactive
buttons and lists, templates, reactions, read receipts) and its signed webhooks (messages
and delivery statuses).

Names load on first use: importing the package does not import httpx.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from roomkit.lazy import lazy_exports
from roomkit_whatsapp.version import __version__

__all__ = [
    "WhatsAppCloudConfig",
    "WhatsAppCloudProvider",
    "WhatsAppSignatureVerifier",
    "WhatsAppWebhookParser",
    "__version__",
    "build_messages",
    "parse_whatsapp_events",
    "parse_whatsapp_webhook",
]

_EXPORTS = {
    "WhatsAppCloudConfig": "roomkit_whatsapp.config",
    "WhatsAppCloudProvider": "roomkit_whatsapp.provider",
    "WhatsAppSignatureVerifier": "roomkit_whatsapp.webhooks",
    "WhatsAppWebhookParser": "roomkit_whatsapp.webhooks",
    "build_messages": "roomkit_whatsapp.messages",
    "parse_whatsapp_events": "roomkit_whatsapp.webhooks",
    "parse_whatsapp_webhook": "roomkit_whatsapp.webhooks",
}

__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS, globals())

if TYPE_CHECKING:
    from roomkit_whatsapp.config import WhatsAppCloudConfig
    from roomkit_whatsapp.messages import build_messages
    from roomkit_whatsapp.provider import WhatsAppCloudProvider
    from roomkit_whatsapp.webhooks import (
        WhatsAppSignatureVerifier,
        WhatsAppWebhookParser,
        parse_whatsapp_events,
        parse_whatsapp_webhook,
    )
