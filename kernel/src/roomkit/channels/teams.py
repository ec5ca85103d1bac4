"""``TeamsChannel``: Microsoft Teams (text and Adaptive Cards, threads, edits, reactions)."""

from __future__ import annotations

from roomkit.channels.messaging import MessagingChannel
from roomkit.messaging.index import MessageIndex
from roomkit.models.enums import ChannelMediaType, ChannelType
from roomkit.models.room import ChannelCapabilities
from roomkit.providers.teams.base import TeamsProvider

__all__ = ["TEAMS_CAPABILITIES", "TeamsChannel"]

TEAMS_CAPABILITIES = ChannelCapabilities(
    media_types=[ChannelMediaType.TEXT, ChannelMediaType.RICH],
    max_length=28000,
    supports_threading=True,
    supports_typing=True,
    supports_read_receipts=True,
    supports_reactions=True,
    supports_edit=True,
    supports_delete=True,
    supports_buttons=True,
    supports_cards=True,
)


def TeamsChannel(
    channel_id: str,
    *,
    provider: TeamsProvider | None = None,
    message_index: MessageIndex | None = None,
) -> MessagingChannel:
    """A ``teams`` transport channel sending through ``provider``.

    Attach it with ``metadata={"teams_conversation_id": ...}`` (or ``"to"``).
    """
    return MessagingChannel(
        channel_id,
        channel_type=ChannelType.TEAMS,
        capabilities=TEAMS_CAPABILITIES,
        provider=provider,
        recipient_key="teams_conversation_id",
        message_index=message_index,
    )
