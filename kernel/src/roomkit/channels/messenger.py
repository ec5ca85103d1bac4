"""``MessengerChannel``: Facebook Messenger (text, media, templates, buttons, quick replies)."""

from __future__ import annotations

from roomkit.channels.messaging import MessagingChannel
from roomkit.messaging.index import MessageIndex
from roomkit.models.enums import ChannelMediaType, ChannelType
from roomkit.models.room import ChannelCapabilities
from roomkit.providers.messenger.base import MessengerProvider

__all__ = ["MESSENGER_CAPABILITIES", "MessengerChannel"]

MESSENGER_CAPABILITIES = ChannelCapabilities(
    media_types=[
        ChannelMediaType.TEXT,
        ChannelMediaType.RICH,
        ChannelMediaType.MEDIA,
        ChannelMediaType.TEMPLATE,
    ],
    max_length=2000,
    max_media_size_bytes=25 * 1024 * 1024,  # larger media go out as links
    supports_typing=True,
    supports_read_receipts=True,
    supports_buttons=True,
    max_buttons=3,
    supports_quick_replies=True,
    supports_templates=True,
    delivery_receipts=True,
)


def MessengerChannel(
    channel_id: str,
    *,
    provider: MessengerProvider | None = None,
    message_index: MessageIndex | None = None,
) -> MessagingChannel:
    """A ``messenger`` transport channel sending through ``provider``.

    Attach it with ``metadata={"facebook_user_id": <PSID>}`` (or ``"to"``).
    """
    return MessagingChannel(
        channel_id,
        channel_type=ChannelType.MESSENGER,
        capabilities=MESSENGER_CAPABILITIES,
        provider=provider,
        recipient_key="facebook_user_id",
        message_index=message_index,
    )
