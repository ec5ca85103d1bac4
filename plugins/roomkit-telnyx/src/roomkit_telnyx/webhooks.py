"""Telnyx's webhooks: ed25519 signature and replay-window check, then parsing.

* :class:`TelnyxSignatureVerifier`: Telnyx signs ``"{telnyx-timestamp}|{raw body}"`` with its
  ed25519 key; the signature (base64, ``telnyx-signature-ed25519``) is verified with the
  account's public key (pynacl) on the raw bytes before anything parses them, then the signed
  timestamp must be within the tolerance of the time the request arrived (a replay otherwise).
* :class:`TelnyxWebhookParser`: ``message.received`` -> :class:`InboundMessage` (SMS, MMS or
  RCS), ``message.sent`` / ``message.finalized`` -> :class:`DeliveryStatusUpdate` (the
  recipient's status: ``sent``, ``delivered``, ``delivery_failed``, ``read`` ...); other event
  types are acknowledged and ignored.
* :func:`extract_telnyx_meta` reads a webhook for ``extract_sms_meta("telnyx", payload)``.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from nacl.exceptions import BadSignatureError
from nacl.signing import VerifyKey

from roomkit.errors import ConfigurationError, WebhookPayloadError, WebhookSignatureError
from roomkit.messaging.meta import WebhookMeta, build_inbound_content
from roomkit.messaging.signing import check_timestamp
from roomkit.messaging.webhook import WebhookItem, WebhookParser, WebhookRequest, WebhookVerifier
from roomkit.models.delivery import DeliveryStatusUpdate
from roomkit.models.event import InboundMessage

__all__ = [
    "TelnyxSignatureVerifier",
    "TelnyxWebhookParser",
    "extract_telnyx_meta",
    "telnyx_inbound_message",
]

_STATUS_EVENTS = frozenset({"message.sent", "message.finalized", "message.delivered"})


def load_public_key(public_key: str) -> VerifyKey:
    """The ed25519 key of a base64 public key; ConfigurationError when it is not one."""
    try:
        raw = base64.b64decode(public_key, validate=True)
        if len(raw) != 32:
            raise ValueError
        return VerifyKey(raw)
    except (binascii.Error, ValueError):
        raise ConfigurationError(
            "public_key must be the account's base64 ed25519 public key (32 bytes), from "
            "Mission Control > Keys & Credentials > Public Key"
        ) from None


class TelnyxSignatureVerifier(WebhookVerifier):
    """Verifies ``telnyx-signature-ed25519`` / ``telnyx-timestamp``."""

    def __init__(self, public_key: str, *, tolerance_seconds: float = 300.0) -> None:
        self._key = load_public_key(public_key)
        self._tolerance = tolerance_seconds

    def verify(self, request: WebhookRequest) -> None:
        signature = request.header("telnyx-signature-ed25519")
        timestamp = request.header("telnyx-timestamp")
        if not signature or not timestamp:
            raise WebhookSignatureError(
                "no telnyx-signature-ed25519 / telnyx-timestamp header", reason="missing"
            )
        try:
            raw = base64.b64decode(signature, validate=True)
            self._key.verify(timestamp.encode() + b"|" + request.body, raw)
        except (binascii.Error, ValueError, BadSignatureError):
            raise WebhookSignatureError(
                "telnyx-signature-ed25519 does not match: check public_key", reason="invalid"
            ) from None
        check_timestamp(timestamp, request.received_at, self._tolerance)


def _parse_time(value: Any) -> datetime | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None


def _envelope(payload: Mapping[str, Any]) -> tuple[str, dict[str, Any]]:
    data = payload.get("data")
    if not isinstance(data, Mapping):
        raise WebhookPayloadError("a Telnyx webhook has a 'data' object")
    inner = data.get("payload")
    if not isinstance(inner, Mapping):
        raise WebhookPayloadError("a Telnyx webhook has a 'data.payload' object")
    return str(data.get("event_type") or ""), dict(inner)


def _first_recipient(inner: Mapping[str, Any]) -> dict[str, Any]:
    to = inner.get("to")
    if isinstance(to, list):
        to = to[0] if to else {}
    return dict(to) if isinstance(to, Mapping) else {}


def _media(inner: Mapping[str, Any]) -> list[dict[str, str | None]]:
    found: list[dict[str, str | None]] = []
    for item in inner.get("media") or []:
        if isinstance(item, Mapping) and item.get("url"):
            found.append({"url": str(item["url"]), "mime_type": item.get("content_type")})
    return found


def extract_telnyx_meta(payload: Mapping[str, Any]) -> WebhookMeta:
    """The vendor-neutral view of a Telnyx webhook (``extract_sms_meta("telnyx", payload)``)."""
    event_type, inner = _envelope(payload)
    recipient = _first_recipient(inner)
    found = inner.get("from")
    sender: Mapping[str, Any] = found if isinstance(found, Mapping) else {}
    is_status = event_type in _STATUS_EVENTS or inner.get("direction") == "outbound"
    errors = inner.get("errors") or []
    error = errors[0] if errors and isinstance(errors[0], Mapping) else {}
    status = str(recipient.get("status") or event_type.rsplit(".", 1)[-1]) if is_status else None
    return WebhookMeta(
        provider="telnyx",
        sender=str(sender.get("phone_number") or sender.get("agent_id") or ""),
        recipient=str(recipient.get("phone_number") or recipient.get("agent_id") or ""),
        body=str(inner.get("text") or ""),
        external_id=str(inner["id"]) if inner.get("id") else None,
        timestamp=_parse_time(inner.get("received_at") or inner.get("completed_at")),
        raw=dict(payload),
        media_urls=_media(inner),
        direction=str(inner["direction"]) if inner.get("direction") else None,
        event_type=event_type or None,
        status=status,
        error_code=str(error["code"]) if error.get("code") else None,
        error_message=str(error.get("detail") or error.get("title") or "") or None,
    )


def telnyx_inbound_message(
    payload: Mapping[str, Any], channel_id: str, *, channel: str = "sms", strict: bool = True
) -> InboundMessage:
    """A ``message.received`` webhook as an :class:`InboundMessage` (the Telnyx message id is
    its idempotency key). ``strict``: refuse other events (``WebhookPayloadError``)."""
    meta = extract_telnyx_meta(payload)
    if strict and (meta.is_status or meta.event_type not in (None, "message.received")):
        raise WebhookPayloadError(
            f"not an inbound Telnyx message (event_type={meta.event_type}, "
            f"direction={meta.direction}): use extract_sms_meta('telnyx', payload) and "
            "meta.is_inbound to sort webhooks"
        )
    _, inner = _envelope(payload)
    if not meta.sender or not meta.external_id:
        raise WebhookPayloadError("a Telnyx message webhook has payload.id and from.phone_number")
    recipient = _first_recipient(inner)
    received = inner.get("received_at")
    metadata: dict[str, Any] = {"provider": "telnyx", "received_at": received}
    body = meta.body
    if channel == "rcs":
        suggestion = inner.get("suggestion_response")
        if not body and isinstance(suggestion, Mapping):
            body = str(suggestion.get("text") or suggestion.get("postback_data") or "")
        metadata.update(
            agent_id=recipient.get("agent_id") or "",
            agent_name=recipient.get("agent_name") or "",
            type=inner.get("type"),
            suggestion_response=suggestion,
            location=inner.get("location"),
        )
    else:
        metadata["destination_number"] = meta.recipient
    return InboundMessage(
        channel_id=channel_id,
        sender_id=meta.sender,
        content=build_inbound_content(body, meta.media_urls),
        external_id=meta.external_id,
        idempotency_key=meta.external_id,
        metadata=metadata,
    )


class TelnyxWebhookParser(WebhookParser):
    """Parses Telnyx's JSON webhooks for one provider (``channel`` ``sms`` or ``rcs``)."""

    def __init__(self, provider: str, *, channel: str = "sms") -> None:
        self._provider = provider
        self._channel = channel

    def parse(self, request: WebhookRequest, channel_id: str) -> Sequence[WebhookItem]:
        payload = request.json_object()
        meta = extract_telnyx_meta(payload)
        if meta.event_type == "message.received":
            return [telnyx_inbound_message(payload, channel_id, channel=self._channel)]
        if meta.status is None or meta.event_type not in _STATUS_EVENTS:
            return []  # an event this plugin does not handle (number orders, calls ...)
        if not meta.external_id:
            raise WebhookPayloadError("a Telnyx status webhook without payload.id")
        return [
            DeliveryStatusUpdate(
                channel_id=channel_id,
                provider=self._provider,
                message_id=meta.external_id,
                status=meta.status,
                recipient=meta.recipient,
                sender=meta.sender,
                error_code=meta.error_code,
                error_message=meta.error_message,
                timestamp=meta.timestamp,
                raw=dict(payload),
            )
        ]
