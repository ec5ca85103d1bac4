"""``SMSChannel``: text (at most 1,600 characters per message) and MMS media, with delivery
receipts. Longer texts are split by the engine's transcoding; each delivery records its
GSM-7 / UCS-2 segment count (``sms_encoding``, ``sms_segments``)."""

from __future__ import annotations

from typing import Any

from roomkit.channels.messaging import MessagingChannel
from roomkit.messaging.index import MessageIndex
from roomkit.messaging.segments import sms_segments
from roomkit.models.content import MediaContent, TextContent
from roomkit.models.context import RoomContext
from roomkit.models.delivery import ProviderResult
from roomkit.models.enums import ChannelMediaType, ChannelType
from roomkit.models.event import RoomEvent
from roomkit.models.room import ChannelBinding, ChannelCapabilities
from roomkit.providers.messaging import MessagingProvider
from roomkit.providers.sms.base import SMSProvider

__all__ = ["SMS_CAPABILITIES", "SMS_MAX_LENGTH", "SMSChannel", "SMSTransportChannel"]

#: Characters per SMS message (vendors concatenate up to this many).
SMS_MAX_LENGTH = 1600

SMS_CAPABILITIES = ChannelCapabilities(
    media_types=[ChannelMediaType.TEXT, ChannelMediaType.MEDIA],
    max_length=SMS_MAX_LENGTH,
    delivery_receipts=True,
)


class SMSTransportChannel(MessagingChannel):
    """The channel ``SMSChannel(...)`` builds. The sender is ``binding.metadata["from"]``,
    else the channel's ``from_number``, else the provider's own default."""

    channel_type = ChannelType.SMS
    default_capabilities = SMS_CAPABILITIES
    recipient_key = "phone_number"

    def __init__(
        self,
        channel_id: str,
        *,
        provider: SMSProvider | None = None,
        from_number: str | None = None,
        message_index: MessageIndex | None = None,
    ) -> None:
        super().__init__(channel_id, provider=provider, message_index=message_index)
        self.from_number = from_number

    async def call_provider(
        self,
        provider: MessagingProvider,
        event: RoomEvent,
        to: str,
        binding: ChannelBinding,
        context: RoomContext,
    ) -> ProviderResult:
        if not isinstance(provider, SMSProvider):
            return await super().call_provider(provider, event, to, binding, context)
        sender = binding.metadata.get("from") or self.from_number
        return await provider.send(event, to, from_=str(sender) if sender else None)

    def output_metadata(self, event: RoomEvent, result: ProviderResult) -> dict[str, Any]:
        content = event.content
        text = content.body if isinstance(content, TextContent) else None
        if isinstance(content, MediaContent):
            text = content.caption or ""
        if text is None:
            return {}
        count = sms_segments(text)
        return {"sms_encoding": count.encoding, "sms_segments": count.segments}


def SMSChannel(
    channel_id: str,
    *,
    provider: SMSProvider | None = None,
    from_number: str | None = None,
    message_index: MessageIndex | None = None,
) -> SMSTransportChannel:
    """An SMS transport channel sending through ``provider`` from ``from_number``.

    Attach it with the recipient's number: ``kit.attach_channel(room_id, channel_id,
    metadata={"phone_number": "+15550100"})`` (or ``"to"``, or ``participant_id=``).
    """
    return SMSTransportChannel(
        channel_id, provider=provider, from_number=from_number, message_index=message_index
    )
