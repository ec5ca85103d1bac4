"""A transport channel that delivers the text of each event to a sink.

Small but complete: it declares capabilities, converts content it can carry, refuses what it
cannot with a typed error, reports transport failures as :class:`DeliveryError`, and keeps a
bounded outbox when no sink is given. Replace the sink with your vendor's API client.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Awaitable, Callable

from roomkit.channels.base import Channel
from roomkit.errors import DeliveryError, InvalidContentError
from roomkit.models.content import RichContent, TextContent
from roomkit.models.context import RoomContext
from roomkit.models.enums import ChannelMediaType, ChannelType
from roomkit.models.event import RoomEvent
from roomkit.models.hooks import ChannelOutput
from roomkit.models.room import ChannelBinding, ChannelCapabilities

__all__ = ["ExampleChannel", "Sink"]

#: Where delivered text goes: an async callable taking ``(recipient, text)``.
Sink = Callable[[str, str], Awaitable[None]]


class ExampleChannel(Channel):
    """Delivers the text of each event to ``sink`` (or to :attr:`outbox`)."""

    channel_type = ChannelType.WEBHOOK

    def __init__(
        self,
        channel_id: str,
        *,
        sink: Sink | None = None,
        max_length: int = 4096,
        outbox_size: int = 1000,
    ) -> None:
        super().__init__(channel_id)
        if max_length <= 0 or outbox_size <= 0:
            raise ValueError("max_length and outbox_size must be positive")
        self._sink = sink
        self._max_length = max_length
        #: Delivered ``(recipient, text)`` pairs when no sink is set (oldest dropped first).
        self.outbox: deque[tuple[str, str]] = deque(maxlen=outbox_size)
        self._closed = False

    def capabilities(self) -> ChannelCapabilities:
        """Plain text up to ``max_length`` characters."""
        return ChannelCapabilities(media_types=[ChannelMediaType.TEXT], max_length=self._max_length)

    async def deliver(
        self, event: RoomEvent, binding: ChannelBinding, context: RoomContext
    ) -> ChannelOutput:
        """Hand the event's text (cut to ``max_length``) to the sink."""
        if self._closed:
            raise DeliveryError(f"channel {self.channel_id!r} is closed")
        text = self._text_of(event)[: self._max_length]
        recipient = binding.participant_id or context.room.id
        if self._sink is None:
            self.outbox.append((recipient, text))
            return ChannelOutput.empty()
        try:
            await self._sink(recipient, text)
        except (OSError, TimeoutError) as exc:
            raise DeliveryError(f"example channel could not deliver: {exc}") from exc
        return ChannelOutput.empty()

    @staticmethod
    def _text_of(event: RoomEvent) -> str:
        content = event.content
        if isinstance(content, TextContent):
            return content.body
        if isinstance(content, RichContent):
            return content.plain_text or content.body
        raise InvalidContentError(
            f"the example channel carries text only, not {getattr(content, 'type', '?')!r}"
        )

    async def close(self) -> None:
        """Refuse further deliveries (safe to call twice)."""
        self._closed = True
