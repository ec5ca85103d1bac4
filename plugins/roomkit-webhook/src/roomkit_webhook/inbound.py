"""The generic inbound webhook format: messages (RoomKit 0.6.7's shape) and delivery statuses.

A message::

    {"sender_id": "user-123", "body": "Hello!", "external_id": "msg-456",
     "media": [{"url": "https://...", "mime_type": "image/png"}], "metadata": {}}

(``type`` may be ``"message"``; ``external_id``, ``media`` and ``metadata`` are optional; a
message carries a ``body``, media, or both). A delivery status of a message posted earlier::

    {"type": "status", "message_id": "...", "status": "delivered",
     "error_code": "...", "error_message": "...", "recipient": "..."}

``status`` is a word such as ``sent``, ``delivered``, ``read`` or ``failed``. A JSON array of
such objects carries several items in one request.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from roomkit.errors import WebhookPayloadError
from roomkit.messaging.webhook import WebhookItem, WebhookParser, WebhookRequest
from roomkit.models.content import CompositeContent, EventContent, MediaContent, TextContent
from roomkit.models.delivery import DeliveryStatusUpdate
from roomkit.models.enums import ChannelType
from roomkit.models.event import InboundMessage

__all__ = ["HTTPWebhookParser", "parse_http_status", "parse_http_webhook"]

#: Items one request may carry.
MAX_ITEMS = 100


def _text(payload: Mapping[str, Any], key: str, *, required: bool = False) -> str | None:
    value = payload.get(key)
    if value is None or value == "":
        if required:
            raise WebhookPayloadError(f"webhook item has no {key!r}")
        return None
    if not isinstance(value, str | int):
        raise WebhookPayloadError(f"webhook item field {key!r} must be a string")
    return str(value)


def _media(payload: Mapping[str, Any]) -> list[MediaContent]:
    items = payload.get("media") or []
    if not isinstance(items, list):
        raise WebhookPayloadError("webhook item field 'media' must be a list")
    found = []
    for item in items:
        if not isinstance(item, dict) or not isinstance(item.get("url"), str):
            raise WebhookPayloadError("each 'media' entry needs a 'url' string")
        mime = item.get("mime_type") or "application/octet-stream"
        found.append(MediaContent(url=item["url"], mime_type=str(mime)))
    return found


def _content(body: str | None, media: list[MediaContent]) -> EventContent:
    if not media:
        return TextContent(body=body or "")
    if len(media) == 1:
        return media[0].model_copy(update={"caption": body}) if body else media[0]
    parts: list[Any] = [TextContent(body=body)] if body else []
    return CompositeContent(parts=[*parts, *media])


def parse_http_webhook(payload: dict[str, Any], channel_id: str) -> InboundMessage:
    """The :class:`InboundMessage` a generic webhook message carries (RoomKit 0.6.7's call
    shape; the signature must have been checked before, see ``webhook_endpoints()``).

    Raises :class:`~roomkit.errors.WebhookPayloadError` when ``sender_id`` is missing, when
    neither a ``body`` nor media is given, or when ``payload`` is a status.
    """
    if not isinstance(payload, Mapping):
        raise WebhookPayloadError("a webhook message must be a JSON object")
    if payload.get("type", "message") != "message":
        raise WebhookPayloadError(
            f"webhook item of type {payload.get('type')!r} is not a message"
            " (statuses go through parse_http_status)"
        )
    sender = _text(payload, "sender_id", required=True)
    body = _text(payload, "body")
    media = _media(payload)
    if body is None and not media:
        raise WebhookPayloadError("webhook message has neither 'body' nor 'media'")
    metadata = payload.get("metadata")
    metadata = {} if metadata is None else metadata
    if not isinstance(metadata, dict):
        raise WebhookPayloadError("webhook item field 'metadata' must be an object")
    external_id = _text(payload, "external_id")
    return InboundMessage(
        channel_id=channel_id,
        sender_id=sender or "",
        content=_content(body, media),
        external_id=external_id,
        idempotency_key=external_id,
        metadata=dict(metadata),
    )


def parse_http_status(
    payload: Mapping[str, Any], provider: str = "webhook", channel_id: str | None = None
) -> DeliveryStatusUpdate:
    """The :class:`DeliveryStatusUpdate` a generic webhook status carries."""
    return DeliveryStatusUpdate(
        provider=provider,
        channel_id=channel_id,
        channel_type=ChannelType.WEBHOOK,
        message_id=_text(payload, "message_id", required=True) or "",
        status=_text(payload, "status", required=True) or "",
        recipient=_text(payload, "recipient") or "",
        error_code=_text(payload, "error_code"),
        error_message=_text(payload, "error_message"),
        raw=dict(payload),
    )


class HTTPWebhookParser(WebhookParser):
    """Parses the generic format (see the module docstring) of a verified request."""

    def __init__(self, provider: str = "webhook") -> None:
        self._provider = provider

    def parse(self, request: WebhookRequest, channel_id: str) -> Sequence[WebhookItem]:
        data = request.json()
        entries = data if isinstance(data, list) else [data]
        if len(entries) > MAX_ITEMS:
            raise WebhookPayloadError(f"a webhook request carries at most {MAX_ITEMS} items")
        items: list[WebhookItem] = []
        for entry in entries:
            if not isinstance(entry, dict):
                raise WebhookPayloadError("each webhook item must be a JSON object")
            kind = entry.get("type", "message")
            if kind == "status":
                items.append(parse_http_status(entry, self._provider, channel_id))
            elif kind == "message":
                items.append(parse_http_webhook(entry, channel_id))
            else:
                raise WebhookPayloadError(
                    f"unknown webhook item type {kind!r} (use 'message' or 'status')"
                )
        return items
