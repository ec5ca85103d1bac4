"""Messenger webhooks: ``X-Hub-Signature-256`` verification, the subscription handshake, and
parsing page events into messages and delivery statuses.

Meta posts ``{"object": "page", "entry": [{"id": PAGE_ID, "time", "messaging": [...]}]}``,
signed with the app secret::

    X-Hub-Signature-256: sha256=<hex HMAC-SHA256(app_secret, raw body)>

The scheme has no timestamp: a request played again is recognised by its message ids (the
webhook server drops ids it accepted within ``dedupe_ttl_seconds``), never stored twice.

Messaging events read: ``message`` (text, attachments, quick-reply taps; echoes of the
page's own messages are skipped), ``postback`` (button taps, as a message whose text is the
button title and whose ``metadata["postback_payload"]`` is its payload) and ``delivery``
(a ``delivered`` status per message id). ``read`` (a watermark, no ids), reactions and
other events give nothing.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from roomkit.errors import ConfigurationError, WebhookPayloadError, WebhookSignatureError
from roomkit.messaging.meta import build_inbound_content
from roomkit.messaging.signing import signatures_match
from roomkit.messaging.webhook import (
    WebhookItem,
    WebhookParser,
    WebhookReply,
    WebhookRequest,
    WebhookVerifier,
)
from roomkit.models.delivery import DeliveryStatusUpdate
from roomkit.models.enums import ChannelType, DeliveryStatus
from roomkit.models.event import InboundMessage

__all__ = [
    "SIGNATURE_HEADER",
    "MessengerWebhookParser",
    "MetaSignatureVerifier",
    "answer_handshake",
    "meta_signature",
    "parse_messenger_events",
    "parse_messenger_webhook",
]

PROVIDER = "messenger"
SIGNATURE_HEADER = "x-hub-signature-256"
_MIME = {
    "image": "image/*",
    "video": "video/*",
    "audio": "audio/*",
    "file": "application/octet-stream",
}


def meta_signature(body: bytes, app_secret: str) -> str:
    """The ``X-Hub-Signature-256`` value of ``body``."""
    return "sha256=" + hmac.new(app_secret.encode(), body, hashlib.sha256).hexdigest()


class MetaSignatureVerifier(WebhookVerifier):
    """Verifies ``X-Hub-Signature-256`` with any of ``app_secrets`` (so secrets rotate)."""

    def __init__(self, app_secrets: Sequence[str]) -> None:
        if not app_secrets or not all(app_secrets):
            raise ConfigurationError("MetaSignatureVerifier needs the app secret")
        self._secrets = list(app_secrets)

    def verify(self, request: WebhookRequest) -> None:
        given = request.header(SIGNATURE_HEADER)
        if not given:
            raise WebhookSignatureError(f"no {SIGNATURE_HEADER} header", reason="missing")
        if not given.startswith("sha256="):
            raise WebhookSignatureError(f"{SIGNATURE_HEADER} must start with 'sha256='")
        for secret in self._secrets:
            if signatures_match(meta_signature(request.body, secret), given.strip()):
                return
        raise WebhookSignatureError(
            "webhook signature does not match the app secret", reason="invalid"
        )


def answer_handshake(request: WebhookRequest, verify_token: str | None) -> WebhookReply:
    """Meta's subscription handshake: the challenge back when ``hub.verify_token`` matches,
    else ``403``."""
    query = request.query
    if query.get("hub.mode") != "subscribe" or "hub.challenge" not in query:
        return WebhookReply(400, b"expected hub.mode=subscribe and hub.challenge")
    given = query.get("hub.verify_token", "")
    if verify_token is None or not signatures_match(verify_token, given):
        return WebhookReply(403, b"hub.verify_token does not match")
    return WebhookReply(200, query["hub.challenge"].encode())


def _time(ms: Any) -> datetime | None:
    if isinstance(ms, int | float) and ms > 0:
        return datetime.fromtimestamp(ms / 1000, UTC)
    return None


def _id(event: Mapping[str, Any], key: str) -> str:
    value = event.get(key)
    found = value.get("id") if isinstance(value, dict) else None
    if not isinstance(found, str | int) or found == "":
        raise WebhookPayloadError(f"Messenger event has no {key}.id")
    return str(found)


def _message(event: Mapping[str, Any], channel_id: str) -> InboundMessage | None:
    message = event["message"]
    if not isinstance(message, dict):
        raise WebhookPayloadError("Messenger 'message' must be an object")
    if message.get("is_echo"):
        return None  # the page's own message, echoed back
    mid = message.get("mid")
    if not isinstance(mid, str) or not mid:
        raise WebhookPayloadError("Messenger message has no 'mid'")
    raw_text = message.get("text")
    text = raw_text if isinstance(raw_text, str) else ""
    media: list[dict[str, str | None]] = []
    attachments = message.get("attachments") or []
    if not isinstance(attachments, list):
        raise WebhookPayloadError("Messenger 'attachments' must be a list")
    for item in attachments:
        payload = item.get("payload") if isinstance(item, dict) else None
        url = payload.get("url") if isinstance(payload, dict) else None
        if isinstance(url, str) and url:
            media.append({"url": url, "mime_type": _MIME.get(str(item.get("type")))})
    if not text and not media:
        return None  # stickers without URL, reactions ... nothing a room shows
    metadata: dict[str, Any] = {
        "provider": PROVIDER,
        "page_id": _id(event, "recipient"),
        "timestamp": event.get("timestamp"),
    }
    quick_reply = message.get("quick_reply")
    if isinstance(quick_reply, dict) and "payload" in quick_reply:
        metadata["quick_reply_payload"] = quick_reply["payload"]
    if isinstance(message.get("reply_to"), dict):
        metadata["reply_to"] = message["reply_to"].get("mid")
    return InboundMessage(
        channel_id=channel_id,
        sender_id=_id(event, "sender"),
        content=build_inbound_content(text, media),
        external_id=mid,
        idempotency_key=mid,
        metadata=metadata,
    )


def _postback(event: Mapping[str, Any], channel_id: str) -> InboundMessage:
    postback = event["postback"]
    if not isinstance(postback, dict):
        raise WebhookPayloadError("Messenger 'postback' must be an object")
    sender = _id(event, "sender")
    payload = str(postback.get("payload") or "")
    title = str(postback.get("title") or payload)
    if not title:
        raise WebhookPayloadError("Messenger postback has neither title nor payload")
    mid = postback.get("mid") or f"postback:{sender}:{event.get('timestamp')}:{payload}"
    return InboundMessage(
        channel_id=channel_id,
        sender_id=sender,
        content=build_inbound_content(title, []),
        external_id=str(mid),
        idempotency_key=str(mid),
        metadata={
            "provider": PROVIDER,
            "page_id": _id(event, "recipient"),
            "postback_payload": payload,
            "timestamp": event.get("timestamp"),
        },
    )


def _deliveries(event: Mapping[str, Any], channel_id: str | None) -> list[DeliveryStatusUpdate]:
    delivery = event["delivery"]
    mids = delivery.get("mids") if isinstance(delivery, dict) else None
    if not isinstance(mids, list):
        return []  # old clients send only a watermark: no ids to update
    recipient = _id(event, "sender")
    return [
        DeliveryStatusUpdate(
            channel_id=channel_id,
            channel_type=ChannelType.MESSENGER,
            provider=PROVIDER,
            message_id=str(mid),
            status="delivered",
            delivery_status=DeliveryStatus.DELIVERED,
            recipient=recipient,
            timestamp=_time(delivery.get("watermark")),
            raw=dict(event),
        )
        for mid in mids
        if isinstance(mid, str) and mid
    ]


def parse_messenger_events(payload: Mapping[str, Any], channel_id: str) -> list[WebhookItem]:
    """Every message and delivery status of a (verified) Messenger webhook body."""
    if not isinstance(payload, Mapping) or payload.get("object") != "page":
        raise WebhookPayloadError("not a Messenger webhook (object must be 'page')")
    entries = payload.get("entry")
    if not isinstance(entries, list):
        raise WebhookPayloadError("Messenger webhook has no 'entry' list")
    items: list[WebhookItem] = []
    for entry in entries:
        events = entry.get("messaging") if isinstance(entry, dict) else None
        if not isinstance(events, list):
            continue  # standby / changes entries: not messaging
        for event in events:
            if not isinstance(event, dict):
                raise WebhookPayloadError("each Messenger messaging event must be an object")
            if "message" in event:
                found = _message(event, channel_id)
                if found is not None:
                    items.append(found)
            elif "postback" in event:
                items.append(_postback(event, channel_id))
            elif "delivery" in event:
                items.extend(_deliveries(event, channel_id))
    return items


def parse_messenger_webhook(payload: dict[str, Any], channel_id: str) -> list[InboundMessage]:
    """The inbound messages of a Messenger webhook body (RoomKit 0.6.7's call shape; verify
    the signature first, as ``webhook_endpoints()`` does). Delivery statuses are left out:
    :func:`parse_messenger_events` returns them too."""
    return [i for i in parse_messenger_events(payload, channel_id) if isinstance(i, InboundMessage)]


class MessengerWebhookParser(WebhookParser):
    """Parses verified Messenger webhooks and answers the subscription handshake."""

    def __init__(self, verify_token: str | None = None) -> None:
        self._verify_token = verify_token

    def parse(self, request: WebhookRequest, channel_id: str) -> Sequence[WebhookItem]:
        return parse_messenger_events(request.json_object(), channel_id)

    def acknowledge(self, request: WebhookRequest, items: Sequence[WebhookItem]) -> WebhookReply:
        return WebhookReply(200, b"EVENT_RECEIVED")

    def handshake(self, request: WebhookRequest) -> WebhookReply | None:
        return answer_handshake(request, self._verify_token)
