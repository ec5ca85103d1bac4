"""``WhatsAppPersonalChannel``: a personal WhatsApp account through a client library: text,
media, audio, video and location, with typing indicators and read receipts."""

from __future__ import annotations

from roomkit.channels.messaging import MessagingChannel
from roomkit.messaging.index import MessageIndex
from roomkit.models.enums import ChannelMediaType, ChannelType
from roomkit.models.room import ChannelCapabilities
from roomkit.providers.whatsapp.personal import WhatsAppPersonalProvider

__all__ = ["WHATSAPP_PERSONAL_CAPABILITIES", "WhatsAppPersonalChannel"]

WHATSAPP_PERSONAL_CAPABILITIES = ChannelCapabilities(
    media_types=[
        ChannelMediaType.TEXT,
        ChannelMediaType.MEDIA,
        ChannelMediaType.AUDIO,
        ChannelMediaType.VIDEO,
        ChannelMediaType.LOCATION,
    ],
    max_length=4096,
    supports_typing=True,
    supports_read_receipts=True,
    supports_reactions=True,
)


def WhatsAppPersonalChannel(
    channel_id: str,
    *,
    provider: WhatsAppPersonalProvider | None = None,
    message_index: MessageIndex | None = None,
) -> MessagingChannel:
    """A ``whatsapp_personal`` transport channel sending through ``provider``.

    Attach it with ``metadata={"phone_number": "+1..."}`` (or ``"to"``).
    """
    return MessagingChannel(
        channel_id,
        channel_type=ChannelType.WHATSAPP_PERSONAL,
        capabilities=WHATSAPP_PERSONAL_CAPABILITIES,
        provider=provider,
        recipient_key="phone_number",
        message_index=message_index,
    )
