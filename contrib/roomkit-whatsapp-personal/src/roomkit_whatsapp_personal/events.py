"""The source's non-message events into a kit's rooms.

``WhatsAppPersonalSourceProvider(..., on_event=kit_event_handler(kit, "whatsapp-personal"))``:

* ``typing`` -> ``TYPING_START`` / ``TYPING_STOP`` ephemeral events in the sender's room;
* ``reaction`` -> a ``REACTION`` ephemeral event, aimed at the room event of the reacted-to
  message when the channel sent it;
* ``receipt`` -> the sent event's delivery record (``process_delivery_status``, which also
  publishes a read as a ``READ_RECEIPT`` ephemeral event).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from roomkit.channels.messaging import MessagingChannel
from roomkit.core.webhooks import process_delivery_status
from roomkit.models.delivery import DeliveryStatusUpdate
from roomkit_whatsapp_personal.mapping import Typing

if TYPE_CHECKING:
    from roomkit.core.framework import RoomKit

__all__ = ["kit_event_handler"]


def kit_event_handler(kit: RoomKit, channel_id: str) -> Callable[[str, Any], Awaitable[None]]:
    """An ``on_event`` callback publishing the source's events into ``kit``."""

    async def room_of(address: str) -> str | None:
        channel = kit.get_channel(channel_id)
        if isinstance(channel, MessagingChannel):
            ref = await channel.message_index.get(f"recipient:{address}")
            if ref is not None:
                return ref.room_id
        room = await kit.store.find_latest_room(channel_id, address, status=None)
        return room.id if room is not None else None

    async def handle(kind: str, data: Any) -> None:
        if kind == "typing" and isinstance(data, Typing):
            room_id = await room_of(data.sender)
            if room_id is not None:
                await kit.publish_typing(
                    room_id,
                    data.sender,
                    data.is_typing,
                    {"media": data.media},
                    channel_id=channel_id,
                )
        elif kind == "reaction" and isinstance(data, dict):
            room_id = await room_of(str(data["sender"]))
            if room_id is None:
                return
            target = str(data["target_message_id"])
            channel = kit.get_channel(channel_id)
            if isinstance(channel, MessagingChannel):
                ref = await channel.find_sent(target)
                if ref is not None and ref.event_id:
                    target = ref.event_id
            await kit.publish_reaction(
                room_id,
                str(data["sender"]),
                target,
                str(data["emoji"]),
                str(data["action"]),
                channel_id=channel_id,
            )
        elif kind == "receipt" and isinstance(data, DeliveryStatusUpdate):
            await process_delivery_status(kit, data)  # a read also becomes READ_RECEIPT

    return handle
