"""Ephemeral realtime events of a room: typing, presence, receipts, reactions, tool calls.

They go out on the kit's :class:`~roomkit.realtime.base.RealtimeBackend` under the channel
name ``room:<room_id>`` and are never stored. Transport channels attached to the room that
implement :meth:`~roomkit.channels.base.Channel.deliver_ephemeral` (the WebSocket channel does)
also receive the kinds their capabilities allow (typing, read receipts, reactions, and
streamed AI text for channels that support streaming); a failing channel is logged and the
others still receive.
Tool-call events carry the model's arguments, so they go to ``subscribe_room`` subscribers
(the application's own UI) only, never out through a transport to the end user.
"""

from __future__ import annotations

import logging
from typing import Any

from roomkit.channels.base import Channel
from roomkit.core.runtime import Runtime
from roomkit.models.enums import EphemeralEventType
from roomkit.models.event import EphemeralEvent
from roomkit.models.keys import STREAM_EVENT_KIND
from roomkit.models.room import ChannelCapabilities
from roomkit.realtime.base import EphemeralCallback, RealtimeBackend

__all__ = ["STREAM_EVENT_KIND", "EphemeralMixin", "room_channel"]

logger = logging.getLogger("roomkit.realtime")

_PRESENCE = {
    "online": EphemeralEventType.PRESENCE_ONLINE,
    "away": EphemeralEventType.PRESENCE_AWAY,
    "offline": EphemeralEventType.PRESENCE_OFFLINE,
}


_IGNORES_EPHEMERAL = Channel.deliver_ephemeral


def room_channel(room_id: str) -> str:
    """The realtime channel name of a room."""
    return f"room:{room_id}"


def _allowed(caps: ChannelCapabilities, event: EphemeralEvent) -> bool:
    kind = event.type
    if kind in (EphemeralEventType.TOOL_CALL_START, EphemeralEventType.TOOL_CALL_END):
        return False
    if kind == EphemeralEventType.CUSTOM and event.data.get("kind") == STREAM_EVENT_KIND:
        return caps.supports_streaming
    if kind in (EphemeralEventType.TYPING_START, EphemeralEventType.TYPING_STOP):
        return caps.supports_typing
    if kind == EphemeralEventType.READ_RECEIPT:
        return caps.supports_read_receipts
    if kind == EphemeralEventType.REACTION:
        return caps.supports_reactions
    return True


class EphemeralMixin:
    """The ``subscribe_room`` / ``publish_*`` part of :class:`~roomkit.RoomKit`."""

    realtime: RealtimeBackend
    _rt: Runtime

    async def subscribe_room(self, room_id: str, callback: EphemeralCallback) -> str:
        """Call ``callback(event)`` for every ephemeral event of the room; returns an id."""
        return await self.realtime.subscribe(room_channel(room_id), callback)

    async def unsubscribe_room(self, subscription_id: str) -> bool:
        """Stop a subscription made with :meth:`subscribe_room`."""
        return await self.realtime.unsubscribe(subscription_id)

    async def publish_ephemeral(
        self, event: EphemeralEvent | str, ephemeral: EphemeralEvent | None = None
    ) -> None:
        """Publish an event to the room's subscribers and capable transport channels.

        Call as ``publish_ephemeral(event)`` or ``publish_ephemeral(room_id, event)``.
        """
        if isinstance(event, str):
            if ephemeral is None:
                raise TypeError("publish_ephemeral(room_id, event): the event is missing")
            if ephemeral.room_id != event:
                ephemeral = ephemeral.model_copy(update={"room_id": event})
            event = ephemeral
        await self.realtime.publish(room_channel(event.room_id), event)
        channels = self._rt.channels
        for binding in await self._rt.store.list_bindings(event.room_id):
            if binding.channel_id == event.channel_id or not binding.can_read:
                continue
            channel = channels.get(binding.channel_id)
            if channel is None or type(channel).deliver_ephemeral is _IGNORES_EPHEMERAL:
                continue
            if not _allowed(binding.capabilities, event):
                continue
            try:
                await channel.deliver_ephemeral(event, binding)
            except Exception as exc:
                logger.warning(
                    "ephemeral %s to channel %r failed: %r", event.type, binding.channel_id, exc
                )

    async def publish_typing(
        self,
        room_id: str,
        user_id: str,
        is_typing: bool = True,
        *,
        channel_id: str | None = None,
    ) -> EphemeralEvent:
        """Announce that ``user_id`` started (or stopped) typing."""
        kind = EphemeralEventType.TYPING_START if is_typing else EphemeralEventType.TYPING_STOP
        return await self._publish(room_id, kind, user_id, channel_id, {})

    async def publish_presence(
        self, room_id: str, user_id: str, status: str, *, channel_id: str | None = None
    ) -> EphemeralEvent:
        """Announce ``user_id``'s presence: ``"online"``, ``"away"`` or ``"offline"``."""
        kind = _PRESENCE.get(str(status).lower())
        if kind is None:
            raise ValueError(f"presence status must be one of {sorted(_PRESENCE)}, not {status!r}")
        return await self._publish(room_id, kind, user_id, channel_id, {"status": kind.value})

    async def publish_read_receipt(
        self, room_id: str, user_id: str, event_id: str, *, channel_id: str | None = None
    ) -> EphemeralEvent:
        """Announce that ``user_id`` has read up to ``event_id``."""
        data = {"event_id": event_id}
        return await self._publish(
            room_id, EphemeralEventType.READ_RECEIPT, user_id, channel_id, data
        )

    async def publish_reaction(
        self,
        room_id: str,
        user_id: str,
        event_id: str,
        emoji: str,
        *,
        remove: bool = False,
        channel_id: str | None = None,
    ) -> EphemeralEvent:
        """Announce that ``user_id`` reacted to ``event_id`` with ``emoji`` (or removed it)."""
        data = {"event_id": event_id, "emoji": emoji, "action": "remove" if remove else "add"}
        return await self._publish(room_id, EphemeralEventType.REACTION, user_id, channel_id, data)

    async def _publish(
        self,
        room_id: str,
        kind: EphemeralEventType,
        user_id: str | None,
        channel_id: str | None,
        data: dict[str, Any],
    ) -> EphemeralEvent:
        event = EphemeralEvent(
            room_id=room_id, type=kind, user_id=user_id, channel_id=channel_id, data=data
        )
        await self.publish_ephemeral(event)
        return event
