"""A configurable base for transport channels (the ones that carry messages to people)."""

from __future__ import annotations

from abc import abstractmethod
from typing import Any

from roomkit.channels.base import Channel
from roomkit.models.context import RoomContext
from roomkit.models.enums import ChannelCategory, ChannelDirection, ChannelType
from roomkit.models.event import RoomEvent
from roomkit.models.hooks import ChannelOutput
from roomkit.models.room import ChannelBinding, ChannelCapabilities

__all__ = ["TransportChannel"]

_EMPTY = ChannelOutput()


class TransportChannel(Channel):
    """Base class of transport channels: type and capabilities given at construction,
    one method to implement.

    Subclasses implement :meth:`send`, which pushes one (already transcoded) event out and
    returns the provider's message id, if any; raising reports a failed delivery (the engine
    retries it per the binding's retry policy). ``binding.participant_id`` or
    ``binding.metadata["to"]`` usually names the recipient: see :meth:`recipient`.
    """

    category = ChannelCategory.TRANSPORT

    def __init__(
        self,
        channel_id: str,
        *,
        channel_type: ChannelType | None = None,
        capabilities: ChannelCapabilities | None = None,
        direction: ChannelDirection | None = None,
    ) -> None:
        super().__init__(channel_id)
        if channel_type is not None:
            self.channel_type = channel_type
        if direction is not None:
            self.direction = direction
        self._capabilities = capabilities

    def capabilities(self) -> ChannelCapabilities:
        """The capabilities given at construction, else the class default (text only)."""
        return self._capabilities if self._capabilities is not None else super().capabilities()

    @staticmethod
    def recipient(binding: ChannelBinding) -> str | None:
        """Who a delivery on ``binding`` goes to: ``metadata["to"]`` or the participant id."""
        to = binding.metadata.get("to")
        return str(to) if to is not None else binding.participant_id

    @abstractmethod
    async def send(
        self, event: RoomEvent, binding: ChannelBinding, context: RoomContext
    ) -> str | None:
        """Send ``event`` out; return the provider's message id (or ``None``)."""

    async def deliver(
        self, event: RoomEvent, binding: ChannelBinding, context: RoomContext
    ) -> ChannelOutput:
        message_id = await self.send(event, binding, context)
        if message_id is None:
            return _EMPTY
        return ChannelOutput(metadata={"provider_message_id": message_id})

    def info(self) -> dict[str, Any]:
        data: dict[str, Any] = dict(super().info())
        caps = self.capabilities()
        data["media_types"] = [str(m) for m in caps.media_types]
        data["max_length"] = caps.max_length
        return data
