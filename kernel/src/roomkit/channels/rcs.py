"""``RCSChannel``: text, rich cards, carousels, suggested actions and media, with optional
SMS fallback when the recipient cannot receive RCS."""

from __future__ import annotations

from typing import Any

from roomkit.channels.messaging import MessagingChannel
from roomkit.messaging.index import MessageIndex
from roomkit.models.context import RoomContext
from roomkit.models.delivery import ProviderResult
from roomkit.models.enums import ChannelMediaType, ChannelType
from roomkit.models.event import RoomEvent
from roomkit.models.room import ChannelBinding, ChannelCapabilities
from roomkit.providers.messaging import MessagingProvider
from roomkit.providers.rcs.base import RCSDeliveryResult, RCSProvider

__all__ = ["RCS_CAPABILITIES", "RCSChannel", "RCSTransportChannel"]

RCS_CAPABILITIES = ChannelCapabilities(
    media_types=[ChannelMediaType.TEXT, ChannelMediaType.RICH, ChannelMediaType.MEDIA],
    max_length=8000,
    supports_typing=True,
    supports_read_receipts=True,
    supports_buttons=True,
    supports_cards=True,
    supports_quick_replies=True,
    delivery_receipts=True,
)


class RCSTransportChannel(MessagingChannel):
    """The channel ``RCSChannel(...)`` builds; ``fallback`` allows SMS when RCS is not
    available (the delivery's metadata then says ``channel_used="sms"``)."""

    channel_type = ChannelType.RCS
    default_capabilities = RCS_CAPABILITIES
    recipient_key = "phone_number"

    def __init__(
        self,
        channel_id: str,
        *,
        provider: RCSProvider | None = None,
        fallback: bool = True,
        message_index: MessageIndex | None = None,
    ) -> None:
        super().__init__(channel_id, provider=provider, message_index=message_index)
        self.fallback = fallback

    async def call_provider(
        self,
        provider: MessagingProvider,
        event: RoomEvent,
        to: str,
        binding: ChannelBinding,
        context: RoomContext,
    ) -> ProviderResult:
        if not isinstance(provider, RCSProvider):
            return await super().call_provider(provider, event, to, binding, context)
        return await provider.send(event, to, fallback=self.fallback)

    def output_metadata(self, event: RoomEvent, result: ProviderResult) -> dict[str, Any]:
        if isinstance(result, RCSDeliveryResult):
            return {"channel_used": result.channel_used, "fallback": result.fallback}
        return {}


def RCSChannel(
    channel_id: str,
    *,
    provider: RCSProvider | None = None,
    fallback: bool = True,
    message_index: MessageIndex | None = None,
) -> RCSTransportChannel:
    """An RCS transport channel; ``fallback=True`` (default) lets the provider fall back to
    SMS. Attach it with ``metadata={"phone_number": "+1..."}``."""
    return RCSTransportChannel(
        channel_id, provider=provider, fallback=fallback, message_index=message_index
    )
