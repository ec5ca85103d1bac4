"""WhatsApp provider contracts (Cloud API and personal) and their mocks."""

from __future__ import annotations

from roomkit.providers.whatsapp.base import WhatsAppProvider
from roomkit.providers.whatsapp.mock import (
    MockWhatsAppPersonalProvider,
    MockWhatsAppProvider,
)
from roomkit.providers.whatsapp.personal import WhatsAppPersonalProvider

__all__ = [
    "MockWhatsAppPersonalProvider",
    "MockWhatsAppProvider",
    "WhatsAppPersonalProvider",
    "WhatsAppProvider",
]
