"""``EmailChannel``: text, rich (HTML / markdown) and media, threaded per room.

Threading: every email the channel sends gets its own ``Message-ID``
(``<event-id.part@sender-domain>``) and, after the first one of a room, ``In-Reply-To`` /
``References`` naming the room's previous email and a ``Re:`` subject. The channel remembers
which room each ``Message-ID`` belongs to (sent and received), so a reply whose
``In-Reply-To`` or ``References`` names one of them goes to that room
(:func:`roomkit.core.webhooks.process_message`). Providers send the headers found in
``event.metadata["email"]`` (:class:`~roomkit.providers.email.base.EmailThreading`); parsers put
the received ones in ``message.metadata["email"]``.
"""

from __future__ import annotations

from roomkit.channels.messaging import MessagingChannel
from roomkit.messaging.index import MessageIndex, MessageRef
from roomkit.models.context import RoomContext
from roomkit.models.delivery import ProviderResult
from roomkit.models.enums import ChannelMediaType, ChannelType
from roomkit.models.event import InboundMessage, RoomEvent
from roomkit.models.room import ChannelBinding, ChannelCapabilities
from roomkit.providers.email.base import EMAIL_METADATA_KEY, EmailProvider, EmailThreading
from roomkit.providers.messaging import MessagingProvider

__all__ = ["EMAIL_CAPABILITIES", "EmailChannel", "EmailTransportChannel", "reply_subject"]

EMAIL_CAPABILITIES = ChannelCapabilities(
    media_types=[ChannelMediaType.TEXT, ChannelMediaType.RICH, ChannelMediaType.MEDIA],
    supports_threading=True,
)

#: References kept in a thread (RFC 5322 allows trimming the middle of long chains).
_MAX_REFERENCES = 20


def reply_subject(subject: str | None) -> str | None:
    """``"Re: <subject>"`` unless it already is a reply."""
    if not subject:
        return subject
    return subject if subject[:3].lower() == "re:" else f"Re: {subject}"


def _thread_key(room_id: str) -> str:
    return f"thread:{room_id}"


def _message_key(message_id: str) -> str:
    return f"msgid:{message_id.strip()}"


class EmailTransportChannel(MessagingChannel):
    """The channel ``EmailChannel(...)`` builds. The sender is ``binding.metadata["from"]``
    or ``from_address``; the first subject is ``binding.metadata["subject"]`` or ``subject``."""

    channel_type = ChannelType.EMAIL
    default_capabilities = EMAIL_CAPABILITIES
    recipient_key = "email_address"

    def __init__(
        self,
        channel_id: str,
        *,
        provider: EmailProvider | None = None,
        from_address: str | None = None,
        subject: str | None = None,
        message_index: MessageIndex | None = None,
    ) -> None:
        super().__init__(channel_id, provider=provider, message_index=message_index)
        self.from_address = from_address
        self.subject = subject

    def _domain(self, sender: str | None) -> str:
        if sender and "@" in sender:
            return sender.rsplit("@", 1)[1].strip(" >") or "roomkit.invalid"
        return "roomkit.invalid"

    async def call_provider(
        self,
        provider: MessagingProvider,
        event: RoomEvent,
        to: str,
        binding: ChannelBinding,
        context: RoomContext,
    ) -> ProviderResult:
        if not isinstance(provider, EmailProvider):
            return await super().call_provider(provider, event, to, binding, context)
        sender = str(binding.metadata.get("from") or self.from_address or "") or None
        state = await self.message_index.get(_thread_key(binding.room_id))
        data = state.data if state is not None else {}
        subject = data.get("subject") or binding.metadata.get("subject") or self.subject
        part = event.metadata.get("part", 1)
        threading = EmailThreading(
            message_id=f"<{event.id}.{part}@{self._domain(sender)}>", subject=subject
        )
        last = data.get("last")
        if last:
            threading.in_reply_to = last
            earlier = list(data.get("references", []))[-(_MAX_REFERENCES - 1) :]
            threading.references = [*earlier, last]
            threading.subject = reply_subject(subject)
        metadata = {**event.metadata, EMAIL_METADATA_KEY: threading.model_dump()}
        out = event.model_copy(update={"metadata": metadata})
        result = await provider.send(out, to, from_=sender, subject=threading.subject)
        if result.success and threading.message_id:
            await self._record_thread(binding.room_id, threading.message_id, subject, event.id)
        return result

    async def _record_thread(
        self, room_id: str, message_id: str, subject: str | None, event_id: str | None
    ) -> None:
        index = self.message_index
        ref = MessageRef(room_id=room_id, event_id=event_id, channel_id=self.channel_id)
        await index.put(_message_key(message_id), ref)
        state = await index.get(_thread_key(room_id))
        data = dict(state.data) if state is not None else {}
        references = [*data.get("references", [])]
        if data.get("last"):
            references.append(data["last"])
        data.update(last=message_id, references=references[-_MAX_REFERENCES:])
        if subject and not data.get("subject"):
            data["subject"] = subject[4:].strip() if subject[:3].lower() == "re:" else subject
        await index.put(_thread_key(room_id), ref.model_copy(update={"data": data}))

    async def resolve_room(self, message: InboundMessage) -> str | None:
        """The room of the email this one answers (``In-Reply-To``, then ``References``
        newest first); ``None`` for a message that starts a new thread."""
        threading = EmailThreading.from_metadata(message.metadata)
        for message_id in [threading.in_reply_to, *reversed(threading.references)]:
            if message_id:
                ref = await self.message_index.get(_message_key(message_id))
                if ref is not None:
                    return ref.room_id
        return None

    async def after_inbound(self, message: InboundMessage, room_id: str) -> None:
        threading = EmailThreading.from_metadata(message.metadata)
        if threading.message_id:
            await self._record_thread(room_id, threading.message_id, threading.subject, None)


def EmailChannel(
    channel_id: str,
    *,
    provider: EmailProvider | None = None,
    from_address: str | None = None,
    subject: str | None = None,
    message_index: MessageIndex | None = None,
) -> EmailTransportChannel:
    """An email transport channel sending from ``from_address``. Attach it with
    ``metadata={"email_address": "person@example.com"}``."""
    return EmailTransportChannel(
        channel_id,
        provider=provider,
        from_address=from_address,
        subject=subject,
        message_index=message_index,
    )
