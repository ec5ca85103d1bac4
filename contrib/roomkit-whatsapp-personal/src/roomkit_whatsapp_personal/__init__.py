"""roomkit-whatsapp-personal: a personal WhatsApp account through neonize (contrib).

Names load on first use, so importing the package does not import neonize.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from roomkit.lazy import lazy_exports
from roomkit_whatsapp_personal.version import __version__

__all__ = [
    "NeonizeWhatsAppProvider",
    "WhatsAppPersonalConfig",
    "WhatsAppPersonalSourceProvider",
    "__version__",
    "kit_event_handler",
]

_WHERE = {
    "NeonizeWhatsAppProvider": "roomkit_whatsapp_personal.provider",
    "WhatsAppPersonalConfig": "roomkit_whatsapp_personal.config",
    "WhatsAppPersonalSourceProvider": "roomkit_whatsapp_personal.source",
    "kit_event_handler": "roomkit_whatsapp_personal.events",
}

__getattr__, __dir__ = lazy_exports(__name__, _WHERE, globals())

if TYPE_CHECKING:
    from roomkit_whatsapp_personal.config import WhatsAppPersonalConfig
    from roomkit_whatsapp_personal.events import kit_event_handler
    from roomkit_whatsapp_personal.provider import NeonizeWhatsAppProvider
    from roomkit_whatsapp_personal.source import WhatsAppPersonalSourceProvider
