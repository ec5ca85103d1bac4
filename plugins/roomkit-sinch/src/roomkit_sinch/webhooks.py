"""Sinch SMS callbacks: HMAC signature verification and parsing.

Sinch posts JSON callbacks to your callback URL: inbound messages (``mo_text``,
``mo_media``; ``mo_binary`` is ignored) and delivery reports (``recipient_delivery_report_sms``
/ ``_mms`` per recipient, ``delivery_report_sms`` / ``_mms`` per batch). With HMAC callback
signing, each carries::

    x-sinch-webhook-signature-timestamp: <unix seconds>
    x-sinch-webhook-signature-nonce:     <random>
    x-sinch-webhook-signature-algorithm: HmacSHA256
    x-sinch-webhook-signature:           base64(HMAC-SHA256(secret, signed))

    signed = body + "." + nonce + "." + timestamp

:class:`SinchSignatureVerifier` checks that on the raw bytes (any of several secrets, so they
rotate without downtime) and refuses timestamps outside the tolerance window as replays.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import time
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from typing import Any

from roomkit.errors import ConfigurationError, WebhookPayloadError, WebhookSignatureError
from roomkit.messaging.meta import WebhookMeta, build_inbound_content
from roomkit.messaging.signing import check_timestamp, signatures_match
from roomkit.messaging.webhook import WebhookItem, WebhookParser, WebhookRequest, WebhookVerifier
from roomkit.models.delivery import DeliveryStatusUpdate, map_vendor_status
from roomkit.models.enums import ChannelType, DeliveryStatus
from roomkit.models.event import InboundMessage

__all__ = [
    "SinchSignatureVerifier",
    "SinchWebhookParser",
    "extract_sinch_meta",
    "parse_sinch_webhook",
]

PROVIDER = "sinch"
SIGNATURE = "x-sinch-webhook-signature"
NONCE = "x-sinch-webhook-signature-nonce"
TIMESTAMP = "x-sinch-webhook-signature-timestamp"
ALGORITHM = "x-sinch-webhook-signature-algorithm"

_MESSAGE_TYPES = frozenset({"mo_text", "mo_media"})
_RECIPIENT_REPORTS = frozenset({"recipient_delivery_report_sms", "recipient_delivery_report_mms"})
_BATCH_REPORTS = frozenset({"delivery_report_sms", "delivery_report_mms"})
#: Sinch status words the kernel's table does not know.
_EXTRA_STATUSES = {"deleted": DeliveryStatus.FAILED}


class SinchSignatureVerifier(WebhookVerifier):
    """Verifies Sinch's HMAC callback signature (see the module docstring)."""

    def __init__(
        self,
        secrets: Sequence[str],
        *,
        tolerance_seconds: float = 300.0,
        clock: Callable[[], float] = time.time,
    ) -> None:
        if not secrets:
            raise ConfigurationError("SinchSignatureVerifier needs at least one secret")
        self._keys = [s.encode() for s in secrets]
        self._tolerance = tolerance_seconds
        self._clock = clock

    def verify(self, request: WebhookRequest) -> None:
        given = request.header(SIGNATURE)
        if not given:
            raise WebhookSignatureError(f"no {SIGNATURE} header", reason="missing")
        nonce, timestamp = request.header(NONCE), request.header(TIMESTAMP)
        if not nonce or not timestamp or not timestamp.isdigit():
            raise WebhookSignatureError(
                f"a signed Sinch callback needs {NONCE} and a numeric {TIMESTAMP}"
            )
        algorithm = request.header(ALGORITHM)
        if algorithm is not None and algorithm.lower() != "hmacsha256":
            raise WebhookSignatureError(f"unsupported signature algorithm {algorithm!r}")
        signed = request.body + b"." + nonce.encode() + b"." + timestamp.encode()
        for key in self._keys:
            digest = base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest())
            if signatures_match(digest, given.strip().encode()):
                check_timestamp(timestamp, self._clock(), self._tolerance)
                return
        raise WebhookSignatureError("Sinch callback signature does not match")


def _string(payload: Mapping[str, Any], key: str) -> str:
    value = payload.get(key)
    if not isinstance(value, str | int) or value == "":
        raise WebhookPayloadError(f"Sinch callback has no {key!r}")
    return str(value)


def _e164(number: str) -> str:
    """Sinch sends MSISDNs with or without ``+``; long numbers become E.164, short codes stay."""
    if number.isdigit() and len(number) >= 7:
        return f"+{number}"
    return number


def _time(value: Any) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None


def _body_and_media(payload: Mapping[str, Any]) -> tuple[str, list[dict[str, str | None]]]:
    body = payload.get("body")
    if payload.get("type") == "mo_media" or isinstance(body, dict):
        if not isinstance(body, dict):
            raise WebhookPayloadError("a Sinch mo_media callback needs a 'body' object")
        items = body.get("media") or ([{"url": body["url"]}] if body.get("url") else [])
        if not isinstance(items, list):
            raise WebhookPayloadError("Sinch mo_media 'body.media' must be a list")
        media: list[dict[str, str | None]] = [
            {"url": str(m["url"]), "mime_type": m.get("content_type") or m.get("mimeType")}
            for m in items
            if isinstance(m, dict) and m.get("url") and m.get("status", "Uploaded") == "Uploaded"
        ]
        return str(body.get("message") or body.get("subject") or ""), media
    if not isinstance(body, str):
        raise WebhookPayloadError("a Sinch mo_text callback needs a text 'body'")
    media = [
        {"url": str(m["url"]), "mime_type": m.get("mimeType") or m.get("content_type")}
        for m in payload.get("media") or []
        if isinstance(m, dict) and m.get("url")
    ]
    return body, media


def parse_sinch_webhook(payload: dict[str, Any], channel_id: str) -> InboundMessage:
    """The :class:`InboundMessage` of a Sinch inbound-message callback (RoomKit 0.6.7's call
    shape; verify the signature first, as ``webhook_endpoints()`` does).

    Raises :class:`~roomkit.errors.WebhookPayloadError` for a delivery report or a body
    missing its ``id``, ``from`` or text.
    """
    if not isinstance(payload, Mapping):
        raise WebhookPayloadError("a Sinch callback must be a JSON object")
    kind = payload.get("type")
    if kind in _RECIPIENT_REPORTS or kind in _BATCH_REPORTS:
        raise WebhookPayloadError(
            f"this Sinch callback is a delivery report ({kind}), not a message"
        )
    if kind is not None and kind not in _MESSAGE_TYPES:
        raise WebhookPayloadError(f"Sinch callback type {kind!r} is not a message RoomKit reads")
    message_id = _string(payload, "id")
    body, media = _body_and_media(payload)
    if not body and not media:
        raise WebhookPayloadError("Sinch message has neither text nor media")
    return InboundMessage(
        channel_id=channel_id,
        sender_id=_e164(_string(payload, "from")),
        content=build_inbound_content(body, media),
        external_id=message_id,
        idempotency_key=message_id,
        metadata={
            "provider": PROVIDER,
            "to": str(payload.get("to") or ""),
            "received_at": payload.get("received_at"),
            "operator_id": payload.get("operator_id"),
            "client_reference": payload.get("client_reference"),
        },
    )


def _status(
    payload: Mapping[str, Any], word: str, code: Any, recipient: str, channel_id: str | None
) -> DeliveryStatusUpdate:
    mapped = _EXTRA_STATUSES.get(word.lower()) or map_vendor_status(word)
    failed = mapped == DeliveryStatus.FAILED
    return DeliveryStatusUpdate(
        channel_id=channel_id,
        channel_type=ChannelType.SMS,
        provider=PROVIDER,
        message_id=_string(payload, "batch_id"),
        status=word.lower(),
        delivery_status=mapped,
        recipient=_e164(recipient),
        error_code=str(code) if failed and code is not None else None,
        error_message=f"Sinch status {word} (code {code})" if failed else None,
        timestamp=_time(payload.get("at")),
        raw=dict(payload),
    )


def parse_sinch_reports(
    payload: Mapping[str, Any], channel_id: str | None = None
) -> list[DeliveryStatusUpdate]:
    """The status updates of a Sinch delivery-report callback (one per recipient report, one
    per status entry of a batch report)."""
    kind = payload.get("type")
    if kind in _RECIPIENT_REPORTS:
        word = _string(payload, "status")
        return [
            _status(
                payload, word, payload.get("code"), str(payload.get("recipient") or ""), channel_id
            )
        ]
    entries = payload.get("statuses")
    if kind not in _BATCH_REPORTS or not isinstance(entries, list):
        raise WebhookPayloadError("not a Sinch delivery report (no 'type' or 'statuses')")
    updates = []
    for entry in entries:
        if not isinstance(entry, dict):
            raise WebhookPayloadError("each Sinch report status must be an object")
        recipients = entry.get("recipients") or [""]
        updates.append(
            _status(
                payload, _string(entry, "status"), entry.get("code"), str(recipients[0]), channel_id
            )
        )
    return updates


class SinchWebhookParser(WebhookParser):
    """Parses verified Sinch callbacks into messages and delivery-status updates."""

    def parse(self, request: WebhookRequest, channel_id: str) -> Sequence[WebhookItem]:
        payload = request.json_object()
        kind = payload.get("type")
        if kind in _RECIPIENT_REPORTS or kind in _BATCH_REPORTS:
            return parse_sinch_reports(payload, channel_id)
        if kind == "mo_binary":
            return []  # binary SMS (UDH, ringtones ...) carry nothing a room can show
        return [parse_sinch_webhook(payload, channel_id)]


def extract_sinch_meta(payload: Mapping[str, Any]) -> WebhookMeta:
    """The vendor-neutral view of a Sinch callback, for ``extract_sms_meta("sinch", ...)``."""
    kind = payload.get("type")
    if kind in _RECIPIENT_REPORTS:
        return WebhookMeta(
            provider=PROVIDER,
            sender="",
            recipient=_e164(str(payload.get("recipient") or "")),
            body="",
            external_id=str(payload.get("batch_id") or "") or None,
            timestamp=_time(payload.get("at")),
            raw=dict(payload),
            direction="outbound",
            event_type=str(kind),
            status=str(payload.get("status") or "unknown").lower(),
            error_code=str(payload["code"]) if payload.get("code") else None,
        )
    body, media = _body_and_media(payload)
    return WebhookMeta(
        provider=PROVIDER,
        sender=_e164(str(payload.get("from") or "")),
        recipient=str(payload.get("to") or ""),
        body=body,
        external_id=str(payload.get("id") or "") or None,
        timestamp=_time(payload.get("received_at")),
        raw=dict(payload),
        media_urls=media,
        direction="inbound",
        event_type=str(kind) if kind else None,
    )
