"""Builders shared by the store suite's pieces."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from roomkit.models.content import TextContent
from roomkit.models.enums import ChannelDirection, ChannelType
from roomkit.models.event import EventSource, RoomEvent
from roomkit.models.room import ChannelBinding, Room
from roomkit.store.base import ConversationStore

__all__ = ["T0", "bound_room", "new_event", "new_room"]

T0 = datetime(2026, 1, 1, tzinfo=UTC)


def new_event(
    room_id: str,
    body: str = "hi",
    *,
    sender: str | None = "u1",
    channel_id: str = "sms-1",
    direction: ChannelDirection = ChannelDirection.INBOUND,
    **extra: Any,
) -> RoomEvent:
    """A text event in ``room_id`` from ``sender`` on ``channel_id``."""
    return RoomEvent(
        room_id=room_id,
        source=EventSource(
            channel_id=channel_id,
            channel_type=ChannelType.SMS,
            participant_id=sender,
            direction=direction,
        ),
        content=TextContent(body=body),
        **extra,
    )


async def new_room(store: ConversationStore, **fields: Any) -> Room:
    """A new stored room."""
    return await store.create_room(Room(**fields))


async def bound_room(store: ConversationStore, channel_id: str, **fields: Any) -> Room:
    """A new stored room with ``channel_id`` bound to it."""
    created = await new_room(store, **fields)
    await store.add_binding(
        ChannelBinding(room_id=created.id, channel_id=channel_id, channel_type=ChannelType.SMS)
    )
    return created
