"""The channel contract: a thin adapter between a room and one transport or intelligence.

A channel overrides one method: :meth:`Channel.deliver` for a transport, :meth:`Channel.on_event`
for an intelligence channel. Everything else the engine may ask of a channel has a working
default here, so a channel implements only what it supports:

- ``on_register(engine)``: called by ``RoomKit.register_channel``; default: nothing.
- ``handle_inbound``: turns an inbound message into an event; default: builds the event.
- ``deliver`` / ``on_event``: the broadcast; default: nothing delivered.
- ``deliver_ephemeral``: ``RoomKit.publish_ephemeral``; default: the event is ignored.
- ``register_connection`` / ``unregister_connection``: ``RoomKit.connect_websocket`` and
  ``disconnect_websocket``; default: :class:`~roomkit.errors.ConfigurationError`.
- ``apply_agent_handoff`` / ``set_language``: the ``HandoffHandler`` (voice channels);
  default: nothing.
- ``close``: ``RoomKit.close``; default: nothing.

``inline_delivery = True`` marks channels whose delivery is an in-process call (the WebSocket
channel's callbacks): the engine awaits them one after another instead of concurrently.
"""

from __future__ import annotations

from abc import ABC
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from roomkit.errors import ConfigurationError
from roomkit.models.context import RoomContext
from roomkit.models.enums import ChannelCategory, ChannelDirection, ChannelType
from roomkit.models.event import EphemeralEvent, EventSource, InboundMessage, RoomEvent
from roomkit.models.hooks import ChannelOutput
from roomkit.models.room import ChannelBinding, ChannelCapabilities

if TYPE_CHECKING:
    from roomkit.channels.engine import RoomEngine

__all__ = ["Channel", "SendFn"]

SendFn = Callable[..., Awaitable[Any]]
"""``async def send(connection_id, payload)`` or ``async def send(payload)``."""


class Channel(ABC):  # noqa: B024 - transports override deliver(), intelligence on_event()
    """Base class of every channel.

    A transport channel implements :meth:`deliver` (push an event out to people); an
    intelligence channel sets ``category = ChannelCategory.INTELLIGENCE`` and implements
    :meth:`on_event` (return generated events). :meth:`handle_inbound` turns a provider message
    into a room event and rarely needs overriding. The other methods are optional abilities
    with defaults (see the module docstring).
    """

    channel_type: ChannelType = ChannelType.WEBHOOK
    category: ChannelCategory = ChannelCategory.TRANSPORT
    direction: ChannelDirection = ChannelDirection.BIDIRECTIONAL
    #: Delivery is an in-process call: the engine awaits it in line instead of in a task.
    inline_delivery: bool = False

    def __init__(self, channel_id: str) -> None:
        if not channel_id:
            raise ValueError("channel_id must be a non-empty string")
        self.channel_id = channel_id

    def on_register(self, engine: RoomEngine) -> None:  # noqa: B027 - optional hook
        """Called once by ``RoomKit.register_channel`` with the engine the channel now serves.

        Channels that post events, fire hooks or publish realtime events later keep
        ``engine`` (see :class:`~roomkit.channels.engine.RoomEngine`); the default ignores it.
        """

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

    async def deliver_ephemeral(self, event: EphemeralEvent, binding: ChannelBinding) -> None:  # noqa: B027
        """Push a typing / presence / receipt / reaction / streamed-text event out.

        Called only for the kinds the binding's capabilities allow; the default ignores them.
        """

    def register_connection(self, connection_id: str, send_fn: SendFn) -> None:
        """Add a live connection (a socket the application owns) to this channel.

        Raises :class:`~roomkit.errors.ConfigurationError` on channels that take no
        connections (every channel but the WebSocket one, by default).
        """
        raise ConfigurationError(f"channel {self.channel_id!r} does not take connections")

    def unregister_connection(self, connection_id: str) -> bool:
        """Remove a connection added with :meth:`register_connection`.

        Returns ``False`` when it was not registered. Raises
        :class:`~roomkit.errors.ConfigurationError` on channels that take no connections.
        """
        raise ConfigurationError(f"channel {self.channel_id!r} does not take connections")

    async def apply_agent_handoff(  # noqa: B027 - optional hook
        self,
        room_id: str,
        agent: Channel,
        *,
        system_prompt: str | None = None,
        voice: str | None = None,
        greet: bool = False,
        language: str | None = None,
    ) -> None:
        """Take on the persona of ``agent`` (an :class:`~roomkit.channels.agent.Agent`) in
        ``room_id`` after a handoff: its prompt, voice and language, greeting when ``greet``.

        Voice and realtime-voice channels override it; others have nothing to reconfigure.
        """

    async def set_language(self, room_id: str, language: str) -> None:  # noqa: B027
        """Switch ``room_id`` to ``language`` (speech recognition and synthesis voices).

        Voice and realtime-voice channels override it; text channels ignore it.
        """

    async def close(self) -> None:  # noqa: B027 - optional hook, empty by default
        """Release connections and background tasks."""

    def info(self) -> dict[str, object]:
        """A small description of the channel for diagnostics (never secrets)."""
        return {
            "channel_id": self.channel_id,
            "channel_type": str(self.channel_type),
            "category": str(self.category),
        }
