"""A wire fake of the Sinch SMS REST API (``/xms/v1``) and of Sinch's signed callbacks.

REST (what :class:`SinchWire` answers): ``POST /xms/v1/{service_plan_id}/batches`` with
``Authorization: Bearer {api_token}`` and a JSON batch -- ``{"from", "to": [...], "body"}``
(``mt_text``) or ``{"type": "mt_media", "body": {"url", "message"}}`` -- answers ``201`` with
the created batch (``id``, ``to``, ``from``, ``type``, ``body``, ``created_at`` ...). A wrong
token gets ``401``, an unknown plan ``404``, a malformed batch ``400`` with Sinch's error
object ``{"code": "syntax_...", "text": "..."}``.

Callbacks (what Sinch posts to you): :func:`mo_text`, :func:`mo_media` (inbound messages),
:func:`recipient_delivery_report` and :func:`batch_delivery_report` build the documented
JSON bodies; :func:`sign_callback` signs one as Sinch's HMAC callback signing does::

    x-sinch-webhook-signature-timestamp: <unix seconds>
    x-sinch-webhook-signature-nonce:     <random>
    x-sinch-webhook-signature-algorithm: HmacSHA256
    x-sinch-webhook-signature:           base64(HMAC-SHA256(secret, signed))

    signed = body + "." + nonce + "." + timestamp
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
import secrets
import time
from datetime import UTC, datetime
from typing import Any

from roomkit_conformance.wire.http import RecordedRequest, WireResponse, WireServer

__all__ = [
    "SIGNATURE_HEADERS",
    "SinchWire",
    "batch_delivery_report",
    "dumps",
    "mo_media",
    "mo_text",
    "recipient_delivery_report",
    "sign_callback",
]

#: The callback signing headers: signature, nonce, timestamp, algorithm.
SIGNATURE_HEADERS = (
    "x-sinch-webhook-signature",
    "x-sinch-webhook-signature-nonce",
    "x-sinch-webhook-signature-timestamp",
    "x-sinch-webhook-signature-algorithm",
)

_BATCHES = re.compile(r"^/xms/v1/(?P<plan>[^/]+)/batches$")
_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def _batch_id() -> str:
    """A 26-character id shaped like Sinch's (ULID alphabet)."""
    return "".join(secrets.choice(_ALPHABET) for _ in range(26))


def _error(status: int, code: str, text: str) -> WireResponse:
    return WireResponse.json({"code": code, "text": text}, status=status)


class SinchWire(WireServer):
    """The Sinch SMS REST API of one service plan (see the module docstring)."""

    def __init__(self, service_plan_id: str, api_token: str, *, port: int = 0) -> None:
        super().__init__(port=port)
        self.service_plan_id = service_plan_id
        self._token = api_token

    def handle(self, request: RecordedRequest) -> WireResponse:
        found = _BATCHES.match(request.path)
        if found is None or request.method != "POST":
            return _error(404, "not_found", "no such resource")
        if request.headers.get("authorization") != f"Bearer {self._token}":
            return _error(401, "unauthorized", "invalid or missing bearer token")
        if found["plan"] != self.service_plan_id:
            return _error(404, "not_found", "unknown service plan")
        try:
            batch = request.json()
        except ValueError:
            return _error(400, "syntax_invalid_json", "the request body is not JSON")
        problem = _check_batch(batch)
        if problem:
            return _error(400, "syntax_constraint_violation", problem)
        kind = batch.get("type", "mt_text")
        created = _now()
        return WireResponse.json(
            {
                "id": _batch_id(),
                "to": batch["to"],
                "from": batch["from"],
                "canceled": False,
                "body": batch["body"],
                "type": kind,
                "created_at": created,
                "modified_at": created,
                "delivery_report": batch.get("delivery_report", "none"),
                "callback_url": batch.get("callback_url"),
                "flash_message": False,
            },
            status=201,
        )


def _check_batch(batch: Any) -> str | None:
    if not isinstance(batch, dict):
        return "the batch must be a JSON object"
    to = batch.get("to")
    if not isinstance(to, list) or not to or not all(isinstance(t, str) and t for t in to):
        return "to: a non-empty list of phone numbers is required"
    if not isinstance(batch.get("from"), str) or not batch["from"]:
        return "from: required"
    kind = batch.get("type", "mt_text")
    body = batch.get("body")
    if kind == "mt_text":
        if not isinstance(body, str) or not body:
            return "body: a non-empty text is required"
        if len(body) > 2000:
            return "body: at most 2000 characters"
    elif kind == "mt_media":
        if not isinstance(body, dict) or not isinstance(body.get("url"), str):
            return "body.url: required for mt_media"
    else:
        return f"type: {kind!r} is not supported here"
    return None


def sign_callback(
    body: bytes,
    secret: str,
    *,
    nonce: str | None = None,
    timestamp: int | None = None,
) -> dict[str, str]:
    """The signing headers (lower-case) Sinch adds to a callback carrying ``body``."""
    nonce = nonce or secrets.token_hex(16)
    ts = str(int(time.time()) if timestamp is None else timestamp)
    signed = body + b"." + nonce.encode() + b"." + ts.encode()
    digest = hmac.new(secret.encode(), signed, hashlib.sha256).digest()
    return {
        "content-type": "application/json",
        "x-sinch-webhook-signature": base64.b64encode(digest).decode(),
        "x-sinch-webhook-signature-nonce": nonce,
        "x-sinch-webhook-signature-timestamp": ts,
        "x-sinch-webhook-signature-algorithm": "HmacSHA256",
    }


def mo_text(*, message_id: str, sender: str, to: str, body: str) -> dict[str, Any]:
    """An inbound SMS (``mo_text``) callback body."""
    return {
        "type": "mo_text",
        "id": message_id,
        "from": sender,
        "to": to,
        "body": body,
        "received_at": _now(),
        "operator_id": "31000",
    }


def mo_media(
    *, message_id: str, sender: str, to: str, message: str, media: list[tuple[str, str]]
) -> dict[str, Any]:
    """An inbound MMS (``mo_media``) callback body; ``media`` is ``(url, content_type)``."""
    return {
        "type": "mo_media",
        "id": message_id,
        "from": sender,
        "to": to,
        "body": {
            "message": message,
            "media": [
                {"url": url, "content_type": kind, "status": "Uploaded", "code": 0}
                for url, kind in media
            ],
        },
        "received_at": _now(),
    }


def recipient_delivery_report(
    *, batch_id: str, recipient: str, status: str, code: int = 0, mms: bool = False
) -> dict[str, Any]:
    """A per-recipient delivery report (``recipient_delivery_report_sms``) callback body.

    ``status`` is one of Sinch's words: ``Queued``, ``Dispatched``, ``Aborted``,
    ``Cancelled``, ``Failed``, ``Delivered``, ``Expired``, ``Rejected``, ``Deleted``,
    ``Unknown``."""
    return {
        "type": "recipient_delivery_report_mms" if mms else "recipient_delivery_report_sms",
        "batch_id": batch_id,
        "recipient": recipient,
        "code": code,
        "status": status,
        "at": _now(),
        "operator_status_at": _now(),
    }


def batch_delivery_report(
    *, batch_id: str, statuses: list[tuple[str, int, list[str]]]
) -> dict[str, Any]:
    """A batch delivery report (``delivery_report_sms``, kind ``full``): ``statuses`` are
    ``(status, code, recipients)``."""
    return {
        "type": "delivery_report_sms",
        "batch_id": batch_id,
        "total_message_count": sum(len(r) for _, _, r in statuses),
        "statuses": [
            {"status": status, "code": code, "count": len(recipients), "recipients": recipients}
            for status, code, recipients in statuses
        ],
    }


def dumps(data: Any) -> bytes:
    """A callback body as Sinch sends it (compact JSON, UTF-8)."""
    return json.dumps(data, separators=(",", ":"), ensure_ascii=False).encode()
