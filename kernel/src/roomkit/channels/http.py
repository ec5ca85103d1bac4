"""``HTTPChannel``: a generic HTTP webhook channel (text and rich content to another system)."""

from __future__ import annotations

from roomkit.channels.messaging import MessagingChannel
from roomkit.messaging.index import MessageIndex
from roomkit.models.enums import ChannelMediaType, ChannelType
from roomkit.models.room import ChannelCapabilities
from roomkit.providers.http.base import HTTPProvider

__all__ = ["HTTP_CAPABILITIES", "HTTPChannel"]

HTTP_CAPABILITIES = ChannelCapabilities(
    media_types=[ChannelMediaType.TEXT, ChannelMediaType.RICH],
)


def HTTPChannel(
    channel_id: str,
    *,
    provider: HTTPProvider | None = None,
    message_index: MessageIndex | None = None,
) -> MessagingChannel:
    """A ``webhook`` transport channel sending through ``provider``.

    Attach it with ``metadata={"recipient_id": ...}`` (or ``"to"``).
    """
    return MessagingChannel(
        channel_id,
        channel_type=ChannelType.WEBHOOK,
        capabilities=HTTP_CAPABILITIES,
        provider=provider,
        recipient_key="recipient_id",
        message_index=message_index,
    )
