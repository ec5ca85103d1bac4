"""The default payload format of the stream sources (WebSocket, SSE, NATS): a JSON message.

A payload is a JSON object (text or bytes, or an already decoded ``dict``)::

    {"id": "evt-17", "sender_id": "alice", "text": "hello", "room_id": "r1", "metadata": {}}

``text`` (or ``body``) is required; ``sender_id`` (or ``sender``, ``from``) defaults to
``"unknown"``; ``id`` becomes the message's ``idempotency_key`` and ``external_id``, so a payload
delivered twice is stored once. Anything else raises :class:`~roomkit.errors.InvalidContentError`
(the source reports and skips it). Sources take a ``parser`` to read other formats.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from pydantic import ValidationError

from roomkit.errors import InvalidContentError
from roomkit.models.content import TextContent
from roomkit.models.event import InboundMessage

__all__ = ["MessageParser", "json_message"]

MessageParser = Callable[[Any], InboundMessage | None]
"""``parser(payload) -> message`` (``None`` skips the payload; raising rejects it)."""

_MAX_PREVIEW = 80


def json_message(payload: Any, channel_id: str) -> InboundMessage:
    """The message a default-format payload describes (see the module doc)."""
    data = payload
    if isinstance(payload, bytes | bytearray | memoryview):
        try:
            data = bytes(payload).decode("utf-8")
        except UnicodeDecodeError:
            raise InvalidContentError("payload is not UTF-8 text") from None
    if isinstance(data, str):
        try:
            data = json.loads(data)
        except ValueError:
            raise InvalidContentError(f"payload is not JSON: {data[:_MAX_PREVIEW]!r}") from None
    if not isinstance(data, dict):
        raise InvalidContentError(f"payload is not a JSON object: {str(data)[:_MAX_PREVIEW]!r}")
    text = data.get("text", data.get("body"))
    if not isinstance(text, str):
        raise InvalidContentError("payload has no 'text' string")
    sender = data.get("sender_id") or data.get("sender") or data.get("from") or "unknown"
    message_id = data.get("id")
    metadata = data.get("metadata")
    try:
        return InboundMessage(
            channel_id=channel_id,
            sender_id=str(sender),
            content=TextContent(body=text),
            room_id=data.get("room_id"),
            external_id=None if message_id is None else str(message_id),
            idempotency_key=None if message_id is None else str(message_id),
            metadata=metadata if isinstance(metadata, dict) else {},
        )
    except ValidationError as exc:
        raise InvalidContentError(
            f"payload is not a valid message: {exc.errors()[0]['msg']}"
        ) from None
