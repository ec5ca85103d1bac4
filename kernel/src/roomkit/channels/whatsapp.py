"""``WhatsAppChannel``: WhatsApp Cloud API (text, media, location, buttons, templates)."""

from __future__ import annotations

from roomkit.channels.messaging import MessagingChannel
from roomkit.messaging.index import MessageIndex
from roomkit.models.enums import ChannelMediaType, ChannelType
from roomkit.models.room import ChannelCapabilities
from roomkit.providers.whatsapp.base import WhatsAppProvider

__all__ = ["WHATSAPP_CAPABILITIES", "WhatsAppChannel"]

WHATSAPP_CAPABILITIES = ChannelCapabilities(
    media_types=[
        ChannelMediaType.TEXT,
        ChannelMediaType.RICH,
        ChannelMediaType.MEDIA,
        ChannelMediaType.LOCATION,
        ChannelMediaType.TEMPLATE,
    ],
    max_length=4096,
    max_media_size_bytes=100 * 1024 * 1024,  # documents; larger media go out as links
    supports_read_receipts=True,
    supports_reactions=True,
    supports_buttons=True,
    max_buttons=3,
    supports_quick_replies=True,
    supports_templates=True,
    delivery_receipts=True,
)


def WhatsAppChannel(
    channel_id: str,
    *,
    provider: WhatsAppProvider | None = None,
    message_index: MessageIndex | None = None,
) -> MessagingChannel:
    """A ``whatsapp`` transport channel sending through ``provider``.

    Attach it with ``metadata={"phone_number": "+1..."}`` (or ``"to"``).
    """
    return MessagingChannel(
        channel_id,
        channel_type=ChannelType.WHATSAPP,
        capabilities=WHATSAPP_CAPABILITIES,
        provider=provider,
        recipient_key="phone_number",
        message_index=message_index,
    )
