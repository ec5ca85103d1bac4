"""Between RoomKit's models and neonize's protobuf types (no I/O here).

* addresses: ``"+15550100"`` <-> the JID ``15550100@s.whatsapp.net``; groups and other servers
  keep the ``user@server`` form (:func:`jid_for`, :func:`address_of`);
* out: a room event's content as what neonize sends (:func:`outgoing_parts`): text, a
  ``locationMessage``, or a media item the provider downloads and has neonize upload;
* in: a neonize ``Message`` event as an :class:`InboundMessage` (:func:`inbound_message`:
  text, image / video / document, audio and voice notes, location), its ``reactionMessage``
  (:func:`reaction_of`), a ``Receipt`` event as :class:`DeliveryStatusUpdate` items
  (:func:`receipt_updates`) and a ``ChatPresence`` event as typing (:func:`typing_of`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from neonize.proto.Neonize_pb2 import JID, ChatPresence, Message, Receipt
from neonize.proto.waE2E.WAWebProtobufsE2E_pb2 import LocationMessage
from neonize.proto.waE2E.WAWebProtobufsE2E_pb2 import Message as WAMessage

from roomkit.models.content import (
    AudioContent,
    CompositeContent,
    EventContent,
    LocationContent,
    MediaContent,
    RichContent,
    SystemContent,
    TemplateContent,
    TextContent,
    VideoContent,
)
from roomkit.models.delivery import DeliveryStatusUpdate
from roomkit.models.enums import DeliveryStatus
from roomkit.models.event import InboundMessage, RoomEvent

__all__ = [
    "PROVIDER",
    "InboundMedia",
    "Outgoing",
    "Typing",
    "address_of",
    "inbound_media",
    "inbound_message",
    "jid_for",
    "location_message",
    "outgoing_parts",
    "reaction_of",
    "receipt_updates",
    "typing_of",
]

#: The provider name on status updates.
PROVIDER = "neonize"
_USER_SERVER = "s.whatsapp.net"
_RECEIPT_WORDS = {
    Receipt.DELIVERED: ("delivered", DeliveryStatus.DELIVERED),
    Receipt.READ: ("read", DeliveryStatus.READ),
    Receipt.PLAYED: ("played", DeliveryStatus.READ),
    Receipt.SERVER_ERROR: ("failed", DeliveryStatus.FAILED),
}


def jid_for(address: str) -> JID:
    """The JID of ``address``: an E.164 number (``+15550100``, digits only after the ``+``)
    or a JID string (``15550100@s.whatsapp.net``, ``1203630...@g.us``). ``ValueError`` for
    anything else."""
    text = address.strip()
    if "@" in text:
        user, _, server = text.partition("@")
        user = user.split(":", 1)[0]
        if not user or not server:
            raise ValueError(f"{address!r} is not a JID (user@server)")
        return JID(User=user, Server=server, RawAgent=0, Device=0, Integrator=0, IsEmpty=False)
    digits = text.removeprefix("+")
    if not digits.isdigit() or not 6 <= len(digits) <= 15:
        raise ValueError(f"{address!r} is not a phone number in E.164 (+15550100) or a JID")
    return JID(User=digits, Server=_USER_SERVER, RawAgent=0, Device=0, Integrator=0, IsEmpty=False)


def address_of(jid: JID) -> str:
    """``+15550100`` for a user JID, ``user@server`` for the others (groups, LIDs)."""
    if jid.Server == _USER_SERVER and jid.User.isdigit():
        return f"+{jid.User}"
    return f"{jid.User}@{jid.Server}"


# -- outgoing ------------------------------------------------------------------------------
@dataclass(frozen=True)
class Outgoing:
    """One message to send: ``text``, a ``message`` built here (location), or a media item
    (``kind`` ``image`` / ``video`` / ``audio`` / ``document``) to fetch from ``url``."""

    text: str | None = None
    message: WAMessage | None = None
    kind: str | None = None
    url: str | None = None
    mime_type: str | None = None
    caption: str | None = None
    filename: str | None = None
    size_bytes: int | None = None
    voice_note: bool = False


def location_message(content: LocationContent) -> WAMessage:
    """A ``locationMessage`` for ``content``."""
    return WAMessage(
        locationMessage=LocationMessage(
            degreesLatitude=content.latitude,
            degreesLongitude=content.longitude,
            name=content.label or "",
            address=content.address or "",
        )
    )


def _media_kind(mime: str) -> str:
    major = mime.split("/", 1)[0].lower()
    return major if major in ("image", "video", "audio") else "document"


def outgoing_parts(event: RoomEvent) -> list[Outgoing]:
    """What ``event`` becomes on WhatsApp, in order (empty when it carries nothing)."""
    parts: list[Outgoing] = []

    def add(content: EventContent) -> None:
        if isinstance(content, TextContent | SystemContent):
            if content.body.strip():
                parts.append(Outgoing(text=content.body))
        elif isinstance(content, RichContent):
            text = content.plain_text or content.body
            if text.strip():
                parts.append(Outgoing(text=text))
        elif isinstance(content, TemplateContent):
            parts.append(Outgoing(text=content.body or content.template_id))
        elif isinstance(content, LocationContent):
            parts.append(Outgoing(message=location_message(content)))
        elif isinstance(content, MediaContent):
            parts.append(
                Outgoing(
                    kind=_media_kind(content.mime_type),
                    url=content.url,
                    mime_type=content.mime_type,
                    caption=content.caption,
                    filename=content.filename,
                    size_bytes=content.size_bytes,
                )
            )
        elif isinstance(content, AudioContent):
            parts.append(
                Outgoing(
                    kind="audio",
                    url=content.url,
                    mime_type=content.mime_type,
                    voice_note=content.mime_type.startswith("audio/ogg"),
                )
            )
        elif isinstance(content, VideoContent):
            parts.append(Outgoing(kind="video", url=content.url, mime_type=content.mime_type))
        elif isinstance(content, CompositeContent):
            for part in content.parts:
                add(part)
        else:
            body = getattr(content, "body", None)
            if isinstance(body, str) and body.strip():
                parts.append(Outgoing(text=body))

    add(event.content)
    return parts


# -- incoming -------------------------------------------------------------------------------
@dataclass(frozen=True)
class InboundMedia:
    """The media item of an incoming message: its ``kind``, MIME type, size in bytes (as
    WhatsApp declares it) and the fields RoomKit keeps."""

    kind: str
    mime_type: str
    size_bytes: int
    caption: str
    filename: str | None = None
    seconds: int | None = None
    voice_note: bool = False


def _text(message: WAMessage) -> str:
    if message.conversation:
        return str(message.conversation)
    if message.HasField("extendedTextMessage"):
        return str(message.extendedTextMessage.text)
    return ""


def inbound_media(message: WAMessage) -> InboundMedia | None:
    """The media item of ``message`` (image, video, audio, document), if it has one."""
    if message.HasField("imageMessage"):
        m = message.imageMessage
        return InboundMedia("image", m.mimetype or "image/jpeg", m.fileLength, m.caption)
    if message.HasField("videoMessage"):
        v = message.videoMessage
        return InboundMedia(
            "video", v.mimetype or "video/mp4", v.fileLength, v.caption, seconds=v.seconds
        )
    if message.HasField("audioMessage"):
        a = message.audioMessage
        return InboundMedia(
            "audio",
            a.mimetype or "audio/ogg",
            a.fileLength,
            "",
            seconds=a.seconds,
            voice_note=a.PTT,
        )
    if message.HasField("documentMessage"):
        d = message.documentMessage
        return InboundMedia(
            "document",
            d.mimetype or "application/octet-stream",
            d.fileLength,
            d.caption,
            filename=d.fileName or None,
        )
    return None


def _content(message: WAMessage, media_url: str | None, note: str | None) -> EventContent | None:
    if message.HasField("locationMessage"):
        loc = message.locationMessage
        return LocationContent(
            latitude=loc.degreesLatitude,
            longitude=loc.degreesLongitude,
            label=loc.name or None,
            address=loc.address or None,
        )
    media = inbound_media(message)
    if media is None:
        text = _text(message)
        return TextContent(body=text) if text else None
    if media_url is None:
        body = " ".join(p for p in (media.caption, note or f"[{media.kind}]") if p)
        return TextContent(body=body)
    seconds = float(media.seconds) if media.seconds else None
    if media.kind == "audio":
        return AudioContent(url=media_url, mime_type=media.mime_type, duration_seconds=seconds)
    if media.kind == "video" and not media.caption:
        return VideoContent(url=media_url, mime_type=media.mime_type, duration_seconds=seconds)
    return MediaContent(
        url=media_url,
        mime_type=media.mime_type,
        caption=media.caption or None,
        filename=media.filename,
        size_bytes=media.size_bytes or None,
    )


def inbound_message(
    event: Message,
    channel_id: str,
    *,
    media_url: str | None = None,
    media_note: str | None = None,
) -> InboundMessage | None:
    """The :class:`InboundMessage` of a neonize ``Message`` event, or ``None`` for what is not
    a user's message (reactions, protocol messages, empty ones). ``media_url`` is where the
    message's media can be read (the source downloads and decrypts it); without one the
    media is described in text (``media_note`` says why)."""
    info = event.Info
    source = info.MessageSource
    content = _content(event.Message, media_url, media_note)
    if content is None or not info.ID:
        return None
    sender = source.Sender
    if sender.Server != _USER_SERVER and source.HasField("SenderAlt"):
        sender = source.SenderAlt  # a LID sender: prefer their phone-number JID
    metadata: dict[str, Any] = {
        "provider": PROVIDER,
        "chat": address_of(source.Chat),
        "chat_jid": f"{source.Chat.User}@{source.Chat.Server}",
        "sender_jid": f"{source.Sender.User}@{source.Sender.Server}",
        "is_group": bool(source.IsGroup),
        "push_name": info.Pushname,
        "timestamp": info.Timestamp,
    }
    media = inbound_media(event.Message)
    if media is not None and media.voice_note:
        metadata["voice_note"] = True
    return InboundMessage(
        channel_id=channel_id,
        sender_id=address_of(sender),
        content=content,
        external_id=info.ID,
        idempotency_key=f"{PROVIDER}:{info.ID}",
        metadata=metadata,
    )


def reaction_of(event: Message) -> dict[str, Any] | None:
    """The reaction an incoming message carries: ``emoji`` (empty: the reaction was taken
    back), ``target_message_id``, ``sender``, ``chat``; ``None`` when it is no reaction."""
    message = event.Message
    if not message.HasField("reactionMessage"):
        return None
    reaction = message.reactionMessage
    source = event.Info.MessageSource
    return {
        "emoji": reaction.text,
        "action": "add" if reaction.text else "remove",
        "target_message_id": reaction.key.ID,
        "sender": address_of(source.Sender),
        "chat": address_of(source.Chat),
    }


def receipt_updates(event: Receipt, channel_id: str | None = None) -> list[DeliveryStatusUpdate]:
    """One :class:`DeliveryStatusUpdate` per message id of a delivered / read / played
    receipt (other receipt types give none)."""
    found = _RECEIPT_WORDS.get(event.Type)
    if found is None:
        return []
    word, status = found
    source = event.MessageSource
    return [
        DeliveryStatusUpdate(
            channel_id=channel_id,
            provider=PROVIDER,
            message_id=message_id,
            status=word,
            delivery_status=status,
            recipient=address_of(source.Sender),
            raw={"chat": address_of(source.Chat), "timestamp": event.Timestamp},
        )
        for message_id in event.MessageIDs
    ]


@dataclass(frozen=True)
class Typing:
    """A chat presence: who (``sender``) in which ``chat``, typing or not, text or audio."""

    chat: str
    sender: str
    is_typing: bool
    media: str


def typing_of(event: ChatPresence) -> Typing:
    """The typing state of a ``ChatPresence`` event."""
    source = event.MessageSource
    return Typing(
        chat=address_of(source.Chat),
        sender=address_of(source.Sender),
        is_typing=event.State == ChatPresence.COMPOSING,
        media="audio" if event.Media == ChatPresence.AUDIO else "text",
    )
