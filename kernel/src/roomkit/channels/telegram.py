"""``TelegramChannel``: Telegram Bot API (text, media, location, keyboards, edits, deletes)."""

from __future__ import annotations

from roomkit.channels.messaging import MessagingChannel
from roomkit.messaging.index import MessageIndex
from roomkit.models.enums import ChannelMediaType, ChannelType
from roomkit.models.room import ChannelCapabilities
from roomkit.providers.telegram.base import TelegramProvider

__all__ = ["TELEGRAM_CAPABILITIES", "TelegramChannel"]

TELEGRAM_CAPABILITIES = ChannelCapabilities(
    media_types=[
        ChannelMediaType.TEXT,
        ChannelMediaType.RICH,
        ChannelMediaType.MEDIA,
        ChannelMediaType.LOCATION,
    ],
    max_length=4096,
    max_media_size_bytes=20 * 1024 * 1024,  # what bots send by URL; larger go as links
    supports_typing=True,
    supports_reactions=True,
    supports_edit=True,
    supports_delete=True,
    supports_buttons=True,
    supports_quick_replies=True,
)


def TelegramChannel(
    channel_id: str,
    *,
    provider: TelegramProvider | None = None,
    message_index: MessageIndex | None = None,
) -> MessagingChannel:
    """A ``telegram`` transport channel sending through ``provider``.

    Attach it with ``metadata={"telegram_chat_id": ...}`` (or ``"to"``).
    """
    return MessagingChannel(
        channel_id,
        channel_type=ChannelType.TELEGRAM,
        capabilities=TELEGRAM_CAPABILITIES,
        provider=provider,
        recipient_key="telegram_chat_id",
        message_index=message_index,
    )
