"""A configurable base for transport channels (the ones that carry messages to people)."""

from __future__ import annotations

from typing import Any

from roomkit.channels.base import Channel
from roomkit.errors import ConfigurationError
from roomkit.models.context import RoomContext
from roomkit.models.enums import ChannelCategory, ChannelDirection, ChannelType
from roomkit.models.event import ProviderResult, RoomEvent
from roomkit.models.hooks import ChannelOutput
from roomkit.models.room import ChannelBinding, ChannelCapabilities

__all__ = ["TransportChannel"]

_EMPTY: list[ChannelOutput] = []  # the shared empty output, made on first use (not at import)


class TransportChannel(Channel):
    """Base class of transport channels: type and capabilities given at construction,
    one method to implement.

    Subclasses implement :meth:`send`, which pushes one (already transcoded) event out and
    returns the provider's message id, if any; raising reports a failed delivery (the engine
    retries it per the binding's retry policy). ``binding.participant_id`` or
    ``binding.metadata["to"]`` usually names the recipient: see :meth:`recipient`.

    Used as it is (the RoomKit 0.6.7 way), it sends through ``provider``: ``await
    provider.send(event, to=recipient, **defaults)``, the recipient being
    ``binding.metadata[recipient_key]`` (else :meth:`recipient`); a provider returning a
    failed :class:`~roomkit.models.event.ProviderResult` raises its typed error. Without a
    provider (and without a :meth:`send` of its own) it raises
    :class:`~roomkit.errors.ConfigurationError` at construction.
    """

    category = ChannelCategory.TRANSPORT
    recipient_key: str = "recipient_id"

    def __init__(
        self,
        channel_id: str,
        channel_type: ChannelType | None = None,
        *,
        provider: Any = None,
        capabilities: ChannelCapabilities | None = None,
        recipient_key: str | None = None,
        defaults: dict[str, Any] | None = None,
        direction: ChannelDirection | None = None,
    ) -> None:
        super().__init__(channel_id)
        if channel_type is not None:
            self.channel_type = ChannelType(channel_type)
        if direction is not None:
            self.direction = direction
        self._capabilities = capabilities
        if provider is not None and not callable(getattr(provider, "send", None)):
            raise ConfigurationError(
                f"provider of {channel_id!r} must have an async send(event, to=...), "
                f"got {type(provider).__name__}"
            )
        if provider is None and type(self).send is TransportChannel.send:
            raise ConfigurationError(
                f"TransportChannel {channel_id!r} needs a provider (an object with an async "
                "send(event, to=...)) or a subclass that implements send()"
            )
        self._transport_provider: Any = provider
        if recipient_key is not None:
            self.recipient_key = recipient_key
        self.defaults: dict[str, Any] = dict(defaults or {})

    @property
    def provider(self) -> Any:
        """The provider this channel sends through (``None`` for subclasses that send
        themselves)."""
        return self._transport_provider

    def capabilities(self) -> ChannelCapabilities:
        """The capabilities given at construction, else the class default (text only)."""
        return self._capabilities if self._capabilities is not None else super().capabilities()

    @staticmethod
    def recipient(binding: ChannelBinding) -> str | None:
        """Who a delivery on ``binding`` goes to: ``metadata["to"]`` or the participant id."""
        to = binding.metadata.get("to")
        return str(to) if to is not None else binding.participant_id

    async def send(
        self, event: RoomEvent, binding: ChannelBinding, context: RoomContext
    ) -> str | None:
        """Send ``event`` out; return the provider's message id (or ``None``).

        The default sends through :attr:`provider` (see the class description).
        """
        provider = self._transport_provider
        if provider is None:
            raise ConfigurationError(f"channel {self.channel_id!r} has no provider to send with")
        to = binding.metadata.get(self.recipient_key)
        recipient = str(to) if to is not None else self.recipient(binding)
        if recipient is None:
            raise ConfigurationError(
                f"no recipient for channel {self.channel_id!r} in room {binding.room_id!r}: set "
                f"the binding's metadata[{self.recipient_key!r}] or its participant_id"
            )
        result = await provider.send(event, to=recipient, **self.defaults)
        if isinstance(result, ProviderResult):
            result.raise_for_failure(self.provider_name or "")
            return result.provider_message_id
        return result if isinstance(result, str) else None

    async def deliver(
        self, event: RoomEvent, binding: ChannelBinding, context: RoomContext
    ) -> ChannelOutput:
        message_id = await self.send(event, binding, context)
        if message_id is None:
            if not _EMPTY:
                _EMPTY.append(ChannelOutput())
            return _EMPTY[0]
        return ChannelOutput(metadata={"provider_message_id": message_id})

    def info(self) -> dict[str, Any]:
        data: dict[str, Any] = dict(super().info())
        caps = self.capabilities()
        data["media_types"] = [str(m) for m in caps.media_types]
        data["max_length"] = caps.max_length
        return data
