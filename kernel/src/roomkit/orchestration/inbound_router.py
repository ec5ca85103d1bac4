"""Inbound room routing: which room a message arriving from outside belongs to.

An :class:`InboundRoomRouter` answers ``route(channel_id, channel_type, participant_id,
channel_data) -> room_id | None``; ``RoomKit(inbound_router=...)`` asks it for every inbound
message that names no room (``None`` lets the kit find or create the room itself).
:class:`DefaultInboundRoomRouter` is the kit's own rule as a router: the sender's latest active
room on that channel, else the channel's latest active room.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Awaitable, Callable
from typing import Any

from roomkit.errors import ConfigurationError
from roomkit.models.enums import ChannelType
from roomkit.models.event import InboundMessage
from roomkit.store.base import ConversationStore

__all__ = ["DefaultInboundRoomRouter", "InboundRoomRouter", "room_router_of"]


class InboundRoomRouter(ABC):
    """Picks the room of an inbound message; subclass and implement :meth:`route`."""

    @abstractmethod
    async def route(
        self,
        channel_id: str,
        channel_type: ChannelType,
        participant_id: str | None = None,
        channel_data: dict[str, Any] | None = None,
    ) -> str | None:
        """The id of the room the message belongs to, or ``None`` (the kit decides).

        ``channel_data`` is the message's metadata (vendor fields such as a thread id).
        """


class DefaultInboundRoomRouter(InboundRoomRouter):
    """The sender's latest active room bound to ``channel_id``, else the channel's latest
    active room (``None`` when the channel is bound to no active room)."""

    def __init__(self, store: ConversationStore) -> None:
        if not isinstance(store, ConversationStore):
            raise ConfigurationError(
                f"DefaultInboundRoomRouter needs a ConversationStore, got {type(store).__name__}"
            )
        self.store = store

    async def route(
        self,
        channel_id: str,
        channel_type: ChannelType,
        participant_id: str | None = None,
        channel_data: dict[str, Any] | None = None,
    ) -> str | None:
        """See the class description."""
        if participant_id is not None:
            room = await self.store.find_latest_room(channel_id, participant_id)
            if room is not None:
                return room.id
        room = await self.store.find_latest_room(channel_id)
        return None if room is None else room.id


def room_router_of(
    router: InboundRoomRouter, channel_type_of: Callable[[str], ChannelType]
) -> Callable[[InboundMessage], Awaitable[str | None]]:
    """``router`` as the kit's ``room_router`` callable; ``channel_type_of(channel_id)`` gives
    the type of the channel a message arrived on."""
    if not isinstance(router, InboundRoomRouter):
        raise ConfigurationError(
            f"inbound_router must be an InboundRoomRouter, got {type(router).__name__}"
        )

    async def route(message: InboundMessage) -> str | None:
        return await router.route(
            message.channel_id,
            channel_type_of(message.channel_id),
            message.sender_id,
            dict(message.metadata),
        )

    return route
