"""Telegram updates: the webhook's secret token, and parsing updates into inbound messages.

Telegram posts one ``Update`` per request. Given ``secret_token`` in ``setWebhook``, it sends
it back in ``X-Telegram-Bot-Api-Secret-Token``: :class:`SecretTokenVerifier` compares it in
constant time (several secrets accepted while rotating). The token has no timestamp: an
update delivered again (Telegram retries until it gets a 2xx) keeps its chat and message
ids, which the webhook server and the kit deduplicate.

Read: ``message`` and ``channel_post`` (text, photo, video, audio, voice, document,
animation, sticker emoji, location, venue; the caption with media), ``edited_message``
(as a new message marked ``metadata["edited"]``) and ``callback_query`` (an inline button
tap: its ``data`` as text, ``metadata["callback_query_id"]`` to answer it). Other updates
(member changes, polls ...) give nothing.

The sender of a message is its **chat** id (``telegram_chat_id``: where replies go; the
same as the user id in private chats); the user is in ``metadata["from_user_id"]``. Media
arrive as ``telegram-file://<file_id>`` URLs: a Telegram download URL holds the bot token,
so it never goes into a room; ``TelegramBotProvider.download_file(file_id)`` fetches the
bytes.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from roomkit.errors import ConfigurationError, WebhookPayloadError, WebhookSignatureError
from roomkit.messaging.signing import signatures_match
from roomkit.messaging.webhook import WebhookItem, WebhookParser, WebhookRequest, WebhookVerifier
from roomkit.models.content import (
    AudioContent,
    CompositeContent,
    LocationContent,
    MediaContent,
    TextContent,
    VideoContent,
)
from roomkit.models.event import InboundMessage

__all__ = [
    "FILE_SCHEME",
    "SECRET_HEADER",
    "SecretTokenVerifier",
    "TelegramUpdateParser",
    "parse_telegram_update",
    "parse_telegram_webhook",
]

PROVIDER = "telegram"
SECRET_HEADER = "x-telegram-bot-api-secret-token"
FILE_SCHEME = "telegram-file://"


class SecretTokenVerifier(WebhookVerifier):
    """Checks ``X-Telegram-Bot-Api-Secret-Token`` against any of ``secrets``."""

    def __init__(self, secrets: Sequence[str]) -> None:
        if not secrets or not all(secrets):
            raise ConfigurationError("SecretTokenVerifier needs the webhook secret")
        self._secrets = list(secrets)

    def verify(self, request: WebhookRequest) -> None:
        given = request.header(SECRET_HEADER)
        if not given:
            raise WebhookSignatureError(f"no {SECRET_HEADER} header", reason="missing")
        if not any(signatures_match(secret, given) for secret in self._secrets):
            raise WebhookSignatureError("the webhook secret token does not match")


def _file(kind: str, part: Mapping[str, Any], caption: str | None) -> Any:
    file_id = part.get("file_id")
    if not isinstance(file_id, str) or not file_id:
        raise WebhookPayloadError(f"Telegram {kind} has no file_id")
    url = FILE_SCHEME + file_id
    mime = part.get("mime_type")
    size = part.get("file_size") if isinstance(part.get("file_size"), int) else None
    duration = part.get("duration") if isinstance(part.get("duration"), int | float) else None
    if kind in ("voice", "audio"):
        audio = AudioContent(url=url, mime_type=str(mime or "audio/ogg"), duration_seconds=duration)
        return audio if not caption else CompositeContent(parts=[audio, TextContent(body=caption)])
    if kind in ("video", "video_note"):
        video = VideoContent(url=url, mime_type=str(mime or "video/mp4"), duration_seconds=duration)
        return video if not caption else CompositeContent(parts=[video, TextContent(body=caption)])
    default = "image/jpeg" if kind == "photo" else "application/octet-stream"
    return MediaContent(
        url=url,
        mime_type=str(mime or default),
        filename=part.get("file_name"),
        caption=caption or None,
        size_bytes=size,
    )


def _content(message: Mapping[str, Any]) -> Any:
    caption = message.get("caption") if isinstance(message.get("caption"), str) else None
    photos = message.get("photo")
    if isinstance(photos, list) and photos:
        return _file("photo", photos[-1], caption)  # the largest size comes last
    for kind in ("video", "video_note", "animation", "voice", "audio", "document"):
        part = message.get(kind)
        if isinstance(part, dict):
            return _file(kind, part, caption)
    venue = message.get("venue")
    location = venue.get("location") if isinstance(venue, dict) else message.get("location")
    if isinstance(location, dict):
        try:
            return LocationContent(
                latitude=float(location["latitude"]),
                longitude=float(location["longitude"]),
                label=venue.get("title") if isinstance(venue, dict) else None,
                address=venue.get("address") if isinstance(venue, dict) else None,
            )
        except (KeyError, TypeError, ValueError):
            raise WebhookPayloadError("Telegram location needs latitude and longitude") from None
    text = message.get("text")
    if isinstance(text, str) and text:
        return TextContent(body=text)
    sticker = message.get("sticker")
    if isinstance(sticker, dict) and sticker.get("emoji"):
        return TextContent(body=str(sticker["emoji"]))
    return None


def _chat_id(message: Mapping[str, Any]) -> str:
    chat = message.get("chat")
    chat_id = chat.get("id") if isinstance(chat, dict) else None
    if not isinstance(chat_id, int | str) or chat_id == "":
        raise WebhookPayloadError("Telegram message has no chat.id")
    return str(chat_id)


def _message(
    message: Mapping[str, Any], channel_id: str, *, edited: bool = False
) -> InboundMessage | None:
    content = _content(message)
    if content is None:
        return None
    message_id = message.get("message_id")
    if not isinstance(message_id, int | str) or message_id == "":
        raise WebhookPayloadError("Telegram message has no message_id")
    chat_id = _chat_id(message)
    found = message.get("from")
    sender: dict[str, Any] = found if isinstance(found, dict) else {}
    key = f"{chat_id}:{message_id}"
    if edited:
        key += f":edit:{message.get('edit_date')}"
    metadata: dict[str, Any] = {
        "provider": PROVIDER,
        "chat_type": (message.get("chat") or {}).get("type"),
        "from_user_id": sender.get("id"),
        "username": sender.get("username"),
        "message_id": message_id,
        "date": message.get("date"),
    }
    if edited:
        metadata["edited"] = True
    reply = message.get("reply_to_message")
    if isinstance(reply, dict):
        metadata["reply_to"] = reply.get("message_id")
    return InboundMessage(
        channel_id=channel_id,
        sender_id=chat_id,
        content=content,
        external_id=str(message_id),
        idempotency_key=key,
        metadata=metadata,
    )


def _callback(query: Mapping[str, Any], channel_id: str) -> InboundMessage | None:
    query_id = query.get("id")
    data = query.get("data")
    if not isinstance(query_id, str) or not query_id:
        raise WebhookPayloadError("Telegram callback_query has no id")
    if not isinstance(data, str) or not data:
        return None  # a game button: nothing to say
    message = query.get("message")
    found = query.get("from")
    user: dict[str, Any] = found if isinstance(found, dict) else {}
    chat_id = _chat_id(message) if isinstance(message, dict) else str(user.get("id", ""))
    if not chat_id:
        raise WebhookPayloadError("Telegram callback_query has neither message nor from")
    return InboundMessage(
        channel_id=channel_id,
        sender_id=chat_id,
        content=TextContent(body=data),
        external_id=f"callback:{query_id}",
        idempotency_key=f"callback:{query_id}",
        metadata={
            "provider": PROVIDER,
            "callback_query_id": query_id,
            "callback_data": data,
            "from_user_id": user.get("id"),
            "message_id": message.get("message_id") if isinstance(message, dict) else None,
        },
    )


def parse_telegram_update(update: Mapping[str, Any], channel_id: str) -> InboundMessage | None:
    """The inbound message of one (verified) update, or ``None`` for updates RoomKit does
    not read; :class:`~roomkit.errors.WebhookPayloadError` for a malformed update."""
    if not isinstance(update, Mapping) or not isinstance(update.get("update_id"), int):
        raise WebhookPayloadError("not a Telegram update (no integer update_id)")
    for kind in ("message", "channel_post"):
        if isinstance(update.get(kind), dict):
            return _message(update[kind], channel_id)
    for kind in ("edited_message", "edited_channel_post"):
        if isinstance(update.get(kind), dict):
            return _message(update[kind], channel_id, edited=True)
    if isinstance(update.get("callback_query"), dict):
        return _callback(update["callback_query"], channel_id)
    return None


def parse_telegram_webhook(payload: dict[str, Any], channel_id: str) -> InboundMessage:
    """The inbound message of a Telegram webhook update (RoomKit 0.6.7's call shape; verify
    the secret token first, as ``webhook_endpoints()`` does). Raises
    :class:`~roomkit.errors.WebhookPayloadError` when the update carries no message."""
    found = parse_telegram_update(payload, channel_id)
    if found is None:
        raise WebhookPayloadError("this Telegram update carries no message RoomKit reads")
    return found


class TelegramUpdateParser(WebhookParser):
    """Parses verified webhook updates (one per request)."""

    def parse(self, request: WebhookRequest, channel_id: str) -> Sequence[WebhookItem]:
        found = parse_telegram_update(request.json_object(), channel_id)
        return [] if found is None else [found]
