"""The channel contract: a thin adapter between a room and one transport or intelligence."""

from __future__ import annotations

from abc import ABC

from roomkit.models.context import RoomContext
from roomkit.models.enums import ChannelCategory, ChannelDirection, ChannelType
from roomkit.models.event import EventSource, InboundMessage, RoomEvent
from roomkit.models.hooks import ChannelOutput
from roomkit.models.room import ChannelBinding, ChannelCapabilities

__all__ = ["Channel"]


class Channel(ABC):  # noqa: B024 - transports override deliver(), intelligence on_event()
    """Base class of every channel.

    A transport channel implements :meth:`deliver` (push an event out to people); an
    intelligence channel sets ``category = ChannelCategory.INTELLIGENCE`` and implements
    :meth:`on_event` (return generated events). :meth:`handle_inbound` turns a provider message
    into a room event and rarely needs overriding.
    """

    channel_type: ChannelType = ChannelType.WEBHOOK
    category: ChannelCategory = ChannelCategory.TRANSPORT
    direction: ChannelDirection = ChannelDirection.BIDIRECTIONAL

    def __init__(self, channel_id: str) -> None:
        if not channel_id:
            raise ValueError("channel_id must be a non-empty string")
        self.channel_id = channel_id

    def capabilities(self) -> ChannelCapabilities:
        """What this channel can carry (text only unless overridden)."""
        return ChannelCapabilities()

    async def handle_inbound(self, message: InboundMessage, context: RoomContext) -> RoomEvent:
        """Convert an inbound message into a room event of ``context.room``."""
        return RoomEvent(
            room_id=context.room.id,
            type=message.event_type,
            source=EventSource(
                channel_id=self.channel_id,
                channel_type=self.channel_type,
                direction=ChannelDirection.INBOUND,
                participant_id=message.sender_id,
                external_id=message.external_id,
            ),
            content=message.content,
            idempotency_key=message.idempotency_key,
            metadata=dict(message.metadata) if message.metadata else {},
        )

    async def deliver(
        self, event: RoomEvent, binding: ChannelBinding, context: RoomContext
    ) -> ChannelOutput:
        """Push ``event`` out through this channel. Raise to report a failed delivery."""
        return ChannelOutput.empty()

    async def on_event(
        self, event: RoomEvent, binding: ChannelBinding, context: RoomContext
    ) -> ChannelOutput:
        """React to an event of the room. Transport channels deliver it; override to respond."""
        return await self.deliver(event, binding, context)

    async def close(self) -> None:  # noqa: B027 - optional hook, empty by default
        """Release connections and background tasks."""

    def info(self) -> dict[str, object]:
        """A small description of the channel for diagnostics (never secrets)."""
        return {
            "channel_id": self.channel_id,
            "channel_type": str(self.channel_type),
            "category": str(self.category),
        }
