"""WhatsApp Cloud API webhooks: ``X-Hub-Signature-256`` verification, the subscription
handshake, and parsing ``messages`` changes into inbound messages and delivery statuses.

Meta posts ``{"object": "whatsapp_business_account", "entry": [{"changes": [{"field":
"messages", "value": {...}}]}]}`` signed with the app secret::

    X-Hub-Signature-256: sha256=<hex HMAC-SHA256(app_secret, raw body)>

The scheme has no timestamp: a replayed request is recognised by its ``wamid`` ids (the
webhook server drops ids it accepted within ``dedupe_ttl_seconds``).

A ``value`` carries ``messages`` (text, image / video / audio / document / sticker,
location, button and list replies, template quick-reply buttons) and ``statuses`` (``sent``,
``delivered``, ``read``, ``failed`` with Meta's error code). Senders become E.164
(``+`` and the digits WhatsApp sends). Inbound media carry a media id: the content's URL is
the ``url`` the webhook gives (recent API versions), else the media's Graph node
``{base_url}/{media_id}`` (:meth:`~roomkit_whatsapp.provider.WhatsAppCloudProvider.
media_url` resolves it to a download URL, which needs the access token).
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from roomkit.errors import ConfigurationError, WebhookPayloadError, WebhookSignatureError
from roomkit.messaging.signing import signatures_match
from roomkit.messaging.webhook import (
    WebhookItem,
    WebhookParser,
    WebhookReply,
    WebhookRequest,
    WebhookVerifier,
)
from roomkit.models.content import LocationContent, MediaContent, TextContent
from roomkit.models.delivery import DeliveryStatusUpdate, map_vendor_status
from roomkit.models.enums import ChannelType
from roomkit.models.event import InboundMessage

__all__ = [
    "SIGNATURE_HEADER",
    "WhatsAppSignatureVerifier",
    "WhatsAppWebhookParser",
    "parse_whatsapp_events",
    "parse_whatsapp_webhook",
]

PROVIDER = "whatsapp"
SIGNATURE_HEADER = "x-hub-signature-256"
GRAPH_MEDIA_BASE = "https://graph.facebook.com/v21.0"
_MEDIA = frozenset({"image", "video", "audio", "document", "sticker"})


class WhatsAppSignatureVerifier(WebhookVerifier):
    """Verifies ``X-Hub-Signature-256`` with any of ``app_secrets`` (so secrets rotate)."""

    def __init__(self, app_secrets: Sequence[str]) -> None:
        if not app_secrets or not all(app_secrets):
            raise ConfigurationError("WhatsAppSignatureVerifier needs the app secret")
        self._keys = [s.encode() for s in app_secrets]

    def verify(self, request: WebhookRequest) -> None:
        given = request.header(SIGNATURE_HEADER)
        if not given:
            raise WebhookSignatureError(f"no {SIGNATURE_HEADER} header", reason="missing")
        if not given.startswith("sha256="):
            raise WebhookSignatureError(f"{SIGNATURE_HEADER} must start with 'sha256='")
        for key in self._keys:
            expected = "sha256=" + hmac.new(key, request.body, hashlib.sha256).hexdigest()
            if signatures_match(expected, given.strip()):
                return
        raise WebhookSignatureError("webhook signature does not match the app secret")


def _e164(wa_id: Any) -> str:
    text = str(wa_id or "")
    if not text.isdigit():
        raise WebhookPayloadError("a WhatsApp 'from' / 'recipient_id' must be digits")
    return f"+{text}"


def _time(value: Any) -> datetime | None:
    try:
        return datetime.fromtimestamp(int(value), UTC)
    except (TypeError, ValueError, OverflowError):
        return None


def _content(message: Mapping[str, Any], media_base: str) -> Any:
    kind = message.get("type")
    part = message.get(str(kind))
    if kind == "text" and isinstance(part, dict):
        return TextContent(body=str(part.get("body") or ""))
    if kind in _MEDIA and isinstance(part, dict):
        media_id = part.get("id")
        url = part.get("url") or (f"{media_base}/{media_id}" if media_id else None)
        if not url:
            raise WebhookPayloadError(f"WhatsApp {kind} message has neither url nor id")
        return MediaContent(
            url=str(url),
            mime_type=str(part.get("mime_type") or "application/octet-stream"),
            caption=part.get("caption") or None,
            filename=part.get("filename") or None,
        )
    if kind == "location" and isinstance(part, dict):
        try:
            return LocationContent(
                latitude=float(part["latitude"]),
                longitude=float(part["longitude"]),
                label=part.get("name"),
                address=part.get("address"),
            )
        except (KeyError, TypeError, ValueError):
            raise WebhookPayloadError("WhatsApp location needs latitude and longitude") from None
    if kind == "interactive" and isinstance(part, dict):
        reply = part.get("button_reply") or part.get("list_reply")
        if isinstance(reply, dict):
            return TextContent(body=str(reply.get("title") or reply.get("id") or ""))
    if kind == "button" and isinstance(part, dict):  # a template's quick-reply button
        return TextContent(body=str(part.get("text") or part.get("payload") or ""))
    return None  # reactions, contacts, system and unsupported messages


def _reply_id(message: Mapping[str, Any]) -> str | None:
    part = message.get("interactive")
    if isinstance(part, dict):
        reply = part.get("button_reply") or part.get("list_reply")
        if isinstance(reply, dict) and reply.get("id"):
            return str(reply["id"])
    button = message.get("button")
    if isinstance(button, dict) and button.get("payload"):
        return str(button["payload"])
    return None


def _inbound(
    message: Mapping[str, Any],
    value: Mapping[str, Any],
    channel_id: str,
    media_base: str,
) -> InboundMessage | None:
    message_id = message.get("id")
    if not isinstance(message_id, str) or not message_id:
        raise WebhookPayloadError("WhatsApp message has no 'id'")
    content = _content(message, media_base)
    if content is None:
        return None
    sender = _e164(message.get("from"))
    names = {
        c.get("wa_id"): (c.get("profile") or {}).get("name")
        for c in value.get("contacts") or []
        if isinstance(c, dict)
    }
    metadata: dict[str, Any] = {
        "provider": PROVIDER,
        "phone_number_id": (value.get("metadata") or {}).get("phone_number_id"),
        "profile_name": names.get(message.get("from")),
        "timestamp": message.get("timestamp"),
        "message_type": message.get("type"),
    }
    reply_id = _reply_id(message)
    if reply_id is not None:
        metadata["reply_id"] = reply_id
    context = message.get("context")
    if isinstance(context, dict) and context.get("id"):
        metadata["reply_to"] = context["id"]
    return InboundMessage(
        channel_id=channel_id,
        sender_id=sender,
        content=content,
        external_id=message_id,
        idempotency_key=message_id,
        metadata=metadata,
    )


def _status(entry: Mapping[str, Any], channel_id: str | None) -> DeliveryStatusUpdate:
    message_id = entry.get("id")
    word = entry.get("status")
    if not isinstance(message_id, str) or not message_id or not isinstance(word, str):
        raise WebhookPayloadError("a WhatsApp status needs 'id' and 'status'")
    errors = entry.get("errors") or []
    error = errors[0] if errors and isinstance(errors[0], dict) else {}
    details = (error.get("error_data") or {}).get("details") if error else None
    return DeliveryStatusUpdate(
        channel_id=channel_id,
        channel_type=ChannelType.WHATSAPP,
        provider=PROVIDER,
        message_id=message_id,
        status=word,
        delivery_status=map_vendor_status(word),
        recipient=_e164(entry.get("recipient_id")) if entry.get("recipient_id") else "",
        error_code=str(error["code"]) if error.get("code") is not None else None,
        error_message=": ".join(str(p) for p in (error.get("title"), details) if p) or None,
        timestamp=_time(entry.get("timestamp")),
        raw=dict(entry),
    )


def parse_whatsapp_events(
    payload: Mapping[str, Any], channel_id: str, *, media_base: str = GRAPH_MEDIA_BASE
) -> list[WebhookItem]:
    """Every inbound message and status of a (verified) Cloud API webhook body."""
    if not isinstance(payload, Mapping) or payload.get("object") != "whatsapp_business_account":
        raise WebhookPayloadError(
            "not a WhatsApp webhook (object must be 'whatsapp_business_account')"
        )
    entries = payload.get("entry")
    if not isinstance(entries, list):
        raise WebhookPayloadError("WhatsApp webhook has no 'entry' list")
    items: list[WebhookItem] = []
    for entry in entries:
        changes = entry.get("changes") if isinstance(entry, dict) else None
        for change in changes if isinstance(changes, list) else []:
            if not isinstance(change, dict) or change.get("field") != "messages":
                continue  # template / account updates: not messages
            value = change.get("value")
            if not isinstance(value, dict):
                raise WebhookPayloadError("a WhatsApp change needs a 'value' object")
            for message in value.get("messages") or []:
                if not isinstance(message, dict):
                    raise WebhookPayloadError("each WhatsApp message must be an object")
                found = _inbound(message, value, channel_id, media_base)
                if found is not None:
                    items.append(found)
            for status in value.get("statuses") or []:
                if not isinstance(status, dict):
                    raise WebhookPayloadError("each WhatsApp status must be an object")
                items.append(_status(status, channel_id))
    return items


def parse_whatsapp_webhook(payload: dict[str, Any], channel_id: str) -> list[InboundMessage]:
    """The inbound messages of a Cloud API webhook body (verify the signature first, as
    ``webhook_endpoints()`` does); :func:`parse_whatsapp_events` returns the statuses too."""
    return [i for i in parse_whatsapp_events(payload, channel_id) if isinstance(i, InboundMessage)]


class WhatsAppWebhookParser(WebhookParser):
    """Parses verified Cloud API webhooks and answers the subscription handshake."""

    def __init__(
        self, verify_token: str | None = None, *, media_base: str = GRAPH_MEDIA_BASE
    ) -> None:
        self._verify_token = verify_token
        self._media_base = media_base

    def parse(self, request: WebhookRequest, channel_id: str) -> Sequence[WebhookItem]:
        return parse_whatsapp_events(request.json_object(), channel_id, media_base=self._media_base)

    def handshake(self, request: WebhookRequest) -> WebhookReply | None:
        query = request.query
        if query.get("hub.mode") != "subscribe" or "hub.challenge" not in query:
            return WebhookReply(400, b"expected hub.mode=subscribe and hub.challenge")
        given = query.get("hub.verify_token", "")
        if self._verify_token is None or not signatures_match(self._verify_token, given):
            return WebhookReply(403, b"hub.verify_token does not match")
        return WebhookReply(200, query["hub.challenge"].encode())
