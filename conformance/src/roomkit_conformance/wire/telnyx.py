"""A Telnyx wire fake: Messaging API v2, and webhooks signed with ed25519 as Telnyx signs them.

:class:`TelnyxWire` answers what ``api.telnyx.com`` answers:

* ``POST /v2/messages`` (JSON ``from``, ``to``, ``text``, ``media_urls``,
  ``messaging_profile_id``, ``webhook_url``) -> ``200 {"data": <message>}`` (``id``, ``type``
  ``SMS`` / ``MMS``, ``to[0].status`` ``queued``);
* ``POST /v2/messages/rcs`` (``agent_id``, ``to``, ``agent_message.content_message``,
  ``sms_fallback``) -> ``200 {"data": <message>}`` of type ``RCS``;
* ``GET /v2/messages/{id}`` and ``GET /v2/messaging/rcs/capabilities/{agent}/{number}``;
* errors as ``{"errors": [{"code", "title", "detail"}]}``: 401 without the bearer key, 422 for
  an invalid ``to`` (40310) or an empty message (40305), 400 / 40013 for a ``from`` the
  account does not own; scripted faults carry the same body.

Webhooks: Telnyx signs ``"{telnyx-timestamp}|{raw body}"`` with its ed25519 key and sends the
base64 signature in ``telnyx-signature-ed25519``; the receiver verifies with the account's
public key (:attr:`TelnyxWire.public_key`) and refuses old timestamps. The fake holds a test
keypair (requires ``pynacl``: ``roomkit-conformance[telnyx]``).
"""

from __future__ import annotations

import base64
import json
import re
import threading
import time
import uuid
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from roomkit_conformance.wire.http import RecordedRequest, WireResponse, WireServer
from roomkit_conformance.wire.webhook_post import post_webhook

__all__ = ["TelnyxWire", "telnyx_error"]

_E164 = re.compile(r"^\+[1-9]\d{6,14}$")
_MESSAGE = re.compile(r"^/v2/messages/(?P<id>[\w-]+)$")
_CAPABILITY = re.compile(r"^/v2/messaging/rcs/capabilities/(?P<agent>[^/]+)/(?P<number>[^/]+)$")

_TITLES = {
    "10001": "Unauthorized",
    "10011": "Too many requests",
    "10007": "Unexpected error",
    "40013": "Invalid source number",
    "40305": "Invalid message body",
    "40310": "Invalid 'to' address",
}
_BY_STATUS = {401: "10001", 429: "10011"}


def telnyx_error(status: int, code: str | None = None, detail: str | None = None) -> dict[str, Any]:
    """Telnyx's error body for an HTTP ``status``."""
    code = code or _BY_STATUS.get(status, "10007")
    title = _TITLES.get(code, f"HTTP {status}")
    return {"errors": [{"code": code, "title": title, "detail": detail or title}]}


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds")


class TelnyxWire(WireServer):
    """The Telnyx Messaging API on 127.0.0.1 (see the module docstring).

    ``owned_numbers``: the ``from`` numbers of the account (any when empty);
    ``rcs_capable``: the numbers whose capability check lists RCS features (all when None).
    """

    def __init__(
        self,
        *,
        api_key: str = "KEY-telnyx-test-api-key",
        owned_numbers: Sequence[str] = (),
        rcs_capable: Sequence[str] | None = None,
        port: int = 0,
    ) -> None:
        from nacl.signing import SigningKey

        super().__init__(port=port)
        self.api_key = api_key
        self.owned_numbers = frozenset(owned_numbers)
        self.rcs_capable = None if rcs_capable is None else frozenset(rcs_capable)
        self._key = SigningKey.generate()
        self._messages: dict[str, dict[str, Any]] = {}
        self._store_lock = threading.Lock()

    @property
    def public_key(self) -> str:
        """The base64 ed25519 public key webhook receivers verify with."""
        return base64.b64encode(bytes(self._key.verify_key)).decode()

    # -- REST --------------------------------------------------------------------------------
    def handle(self, request: RecordedRequest) -> WireResponse:
        if request.headers.get("authorization") != f"Bearer {self.api_key}":
            return WireResponse.json(telnyx_error(401), status=401)
        if request.method == "POST" and request.path in ("/v2/messages", "/v2/messages/rcs"):
            try:
                body = request.json()
            except ValueError:
                return WireResponse.json(telnyx_error(400, detail="invalid JSON"), status=400)
            if not isinstance(body, dict):
                return WireResponse.json(telnyx_error(400, detail="not an object"), status=400)
            if request.path.endswith("/rcs"):
                return self._create_rcs(body)
            return self._create(body)
        found = _MESSAGE.match(request.path)
        if found and request.method == "GET":
            with self._store_lock:
                message = self._messages.get(found["id"])
            if message is None:
                return WireResponse.json(telnyx_error(404, detail="not found"), status=404)
            return WireResponse.json({"data": message})
        capability = _CAPABILITY.match(request.path)
        if capability and request.method == "GET":
            number = capability["number"]
            capable = self.rcs_capable is None or number in self.rcs_capable
            features = ["RICHCARD_STANDALONE", "ACTION_OPEN_URL"] if capable else []
            data = {
                "record_type": "rcs.capabilities",
                "phone_number": number,
                "agent_id": capability["agent"],
                "features": features,
            }
            return WireResponse.json({"data": data})
        return WireResponse.json(telnyx_error(404, detail="not found"), status=404)

    def _store(self, message: dict[str, Any]) -> WireResponse:
        with self._store_lock:
            self._messages[message["id"]] = message
        return WireResponse.json({"data": message})

    def _create(self, body: dict[str, Any]) -> WireResponse:
        to, sender = str(body.get("to") or ""), str(body.get("from") or "")
        text, media = body.get("text") or "", body.get("media_urls") or []
        if not _E164.match(to):
            return WireResponse.json(telnyx_error(422, "40310"), status=422)
        if not sender and not body.get("messaging_profile_id"):
            return WireResponse.json(telnyx_error(400, "40013"), status=400)
        if sender and self.owned_numbers and sender not in self.owned_numbers:
            return WireResponse.json(telnyx_error(400, "40013"), status=400)
        if not text and not media:
            return WireResponse.json(telnyx_error(422, "40305"), status=422)
        return self._store(
            {
                "record_type": "message",
                "direction": "outbound",
                "id": str(uuid.uuid4()),
                "type": "MMS" if media else "SMS",
                "messaging_profile_id": body.get("messaging_profile_id"),
                "from": {"phone_number": sender, "carrier": "Telnyx", "line_type": "VoIP"},
                "to": [{"phone_number": to, "status": "queued", "carrier": "", "line_type": ""}],
                "text": text,
                "media": [{"url": u, "content_type": None} for u in media],
                "webhook_url": body.get("webhook_url"),
                "encoding": "GSM-7",
                "parts": max(1, -(-len(text) // 153)),
                "received_at": _now(),
                "errors": [],
            }
        )

    def _create_rcs(self, body: dict[str, Any]) -> WireResponse:
        to, agent = str(body.get("to") or ""), str(body.get("agent_id") or "")
        message = (body.get("agent_message") or {}).get("content_message") or {}
        if not _E164.match(to):
            return WireResponse.json(telnyx_error(422, "40310"), status=422)
        if not agent:
            return WireResponse.json(telnyx_error(400, "40013", "agent_id is required"), status=400)
        if not any(message.get(k) for k in ("text", "rich_card", "content_info")):
            return WireResponse.json(telnyx_error(422, "40305"), status=422)
        return self._store(
            {
                "record_type": "message",
                "direction": "outbound",
                "id": str(uuid.uuid4()),
                "type": "RCS",
                "messaging_profile_id": body.get("messaging_profile_id"),
                "from": {"agent_id": agent, "carrier": "Telnyx", "agent_name": agent},
                "to": [{"phone_number": to, "status": "queued", "carrier": "", "line_type": ""}],
                "body": {"content_message": message},
                "sms_fallback": body.get("sms_fallback"),
                "webhook_url": body.get("webhook_url"),
                "received_at": _now(),
                "errors": [],
            }
        )

    def fail(
        self,
        status: int,
        *,
        times: int = 1,
        body: Any = None,
        retry_after: float | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        """A scripted fault answered with Telnyx's error JSON."""
        super().fail(
            status,
            times=times,
            body=body if body is not None else telnyx_error(status),
            retry_after=retry_after,
            headers=headers,
        )

    def message(self, message_id: str) -> dict[str, Any] | None:
        """A message sent through the fake."""
        with self._store_lock:
            found = self._messages.get(message_id)
            return dict(found) if found is not None else None

    # -- webhooks ---------------------------------------------------------------------------
    def sign(self, body: bytes, timestamp: int | None = None) -> dict[str, str]:
        """The signature headers Telnyx sends with ``body``."""
        ts = str(int(time.time()) if timestamp is None else timestamp)
        signature = self._key.sign(ts.encode() + b"|" + body).signature
        return {
            "telnyx-signature-ed25519": base64.b64encode(signature).decode(),
            "telnyx-timestamp": ts,
        }

    @staticmethod
    def event(event_type: str, payload: Mapping[str, Any]) -> dict[str, Any]:
        """A Telnyx webhook envelope around ``payload``."""
        return {
            "data": {
                "event_type": event_type,
                "id": str(uuid.uuid4()),
                "occurred_at": _now(),
                "payload": dict(payload),
                "record_type": "event",
            },
            "meta": {"attempt": 1, "delivered_to": "https://hooks.example.com/telnyx"},
        }

    def inbound_event(
        self,
        *,
        sender: str,
        to: str,
        text: str,
        message_id: str | None = None,
        media: Sequence[tuple[str, str]] = (),
        rcs_agent: str | None = None,
    ) -> dict[str, Any]:
        """``message.received`` for a message from ``sender``; ``rcs_agent`` makes it an RCS
        message to that agent."""
        payload: dict[str, Any] = {
            "record_type": "message",
            "direction": "inbound",
            "id": message_id or str(uuid.uuid4()),
            "type": "RCS" if rcs_agent else ("MMS" if media else "SMS"),
            "from": {"phone_number": sender, "carrier": "T-Mobile USA", "line_type": "Wireless"},
            "text": text,
            "media": [
                {"url": url, "content_type": kind, "sha256": None, "size": None}
                for url, kind in media
            ],
            "received_at": _now(),
        }
        if rcs_agent:
            payload["to"] = {"agent_id": rcs_agent, "agent_name": rcs_agent}
        else:
            payload["to"] = [{"phone_number": to, "status": "webhook_delivered"}]
        return self.event("message.received", payload)

    def status_event(
        self,
        *,
        message_id: str,
        status: str,
        to: str = "+15550199",
        sender: str = "+15550100",
        error_code: str | None = None,
    ) -> dict[str, Any]:
        """``message.finalized`` (or ``message.sent``) saying ``status`` for ``message_id``."""
        errors = [telnyx_error(400, error_code)["errors"][0]] if error_code else []
        payload = {
            "record_type": "message",
            "direction": "outbound",
            "id": message_id,
            "type": "SMS",
            "from": {"phone_number": sender},
            "to": [{"phone_number": to, "status": status}],
            "errors": errors,
            "completed_at": _now(),
        }
        kind = "message.sent" if status in ("queued", "sending", "sent") else "message.finalized"
        return self.event(kind, payload)

    async def post_webhook(self, url: str, event: Mapping[str, Any], timeout: float = 10.0) -> int:
        """POST ``event`` to ``url`` signed as Telnyx does; the HTTP status of the answer."""
        body = json.dumps(event).encode()
        headers = {"Content-Type": "application/json", **self.sign(body)}
        return await post_webhook(url, body, headers, timeout=timeout)
