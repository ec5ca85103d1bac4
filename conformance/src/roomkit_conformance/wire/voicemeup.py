"""A VoiceMeUp wire fake: the ``queue_sms`` call of the v1.1 JSON API, and its webhooks.

* ``POST {base}/queue_sms`` (form: ``username``, ``auth_token``, ``source_number`` and
  ``destination_number`` as digits without ``+``, ``message``, ``attachment`` URL) ->
  ``200 {"response_status": "success", "response_messages": [...]}``; VoiceMeUp returns no
  message id (``returns_sms_hash=True`` adds one); wrong credentials -> 401 with
  ``response_status: error``; a destination that is not 10-15 digits, a ``source_number`` the
  account does not own, or nothing to send -> ``200`` with ``response_status: error``.
* Webhooks: JSON with ``source_number``, ``destination_number``, ``message``, ``sms_hash``,
  ``direction``, ``datetime_transmission``, ``attachment`` / ``attachment_mime_type``; an MMS
  comes as two webhooks (:meth:`VoiceMeUpWire.mms_parts`): the text with a SMIL metadata part,
  then the picture. VoiceMeUp signs nothing: receivers check a token in the callback URL.

Base URL for clients: :attr:`VoiceMeUpWire.base_url`. Standard library only.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import re
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qs

from roomkit_conformance.wire.http import RecordedRequest, WireResponse, WireServer
from roomkit_conformance.wire.webhook_post import post_webhook

__all__ = ["VoiceMeUpWire"]

_PATH = "/api/v1.1/json/queue_sms"
_DIGITS = re.compile(r"^\d{10,15}$")


def _error(*messages: str, status: int = 200) -> WireResponse:
    body = {"response_status": "error", "response_messages": list(messages)}
    return WireResponse.json(body, status=status)


class VoiceMeUpWire(WireServer):
    """The VoiceMeUp API on 127.0.0.1 (see the module docstring)."""

    def __init__(
        self,
        *,
        username: str = "roomkit-api",
        auth_token: str = "voicemeup-test-auth-token",
        owned_numbers: Sequence[str] = (),
        returns_sms_hash: bool = False,
        port: int = 0,
    ) -> None:
        super().__init__(port=port)
        self.username = username
        self.auth_token = auth_token
        self.owned_numbers = frozenset(n.removeprefix("+") for n in owned_numbers)
        self.returns_sms_hash = returns_sms_hash
        self._counter = itertools.count(1)

    @property
    def base_url(self) -> str:
        """What ``VoiceMeUpConfig(api_base_url=...)`` takes."""
        return f"{self.url}/api/v1.1/json/"

    def handle(self, request: RecordedRequest) -> WireResponse:
        if request.method != "POST" or request.path != _PATH:
            return _error("Unknown method", status=404)
        form = {
            k: v[-1] for k, v in parse_qs(request.body.decode(), keep_blank_values=True).items()
        }
        if (form.get("username"), form.get("auth_token")) != (self.username, self.auth_token):
            return _error("Invalid username or auth_token", status=401)
        destination, source = form.get("destination_number", ""), form.get("source_number", "")
        if not _DIGITS.match(destination):
            return _error("Invalid destination_number")
        if self.owned_numbers and source not in self.owned_numbers:
            return _error("source_number is not a DID of this account")
        if not form.get("message") and not form.get("attachment"):
            return _error("message or attachment is required")
        body: dict[str, Any] = {"response_status": "success", "response_messages": ["SMS queued"]}
        if self.returns_sms_hash:
            body["sms_hash"] = self.sms_hash()
        return WireResponse.json(body)

    def fail(
        self,
        status: int,
        *,
        times: int = 1,
        body: Any = None,
        retry_after: float | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        """A scripted fault with VoiceMeUp's error body."""
        error = {"response_status": "error", "response_messages": [f"HTTP {status}"]}
        super().fail(
            status, times=times, body=body or error, retry_after=retry_after, headers=headers
        )

    def sms_hash(self) -> str:
        """A fresh message hash, as VoiceMeUp identifies messages."""
        return hashlib.sha1(f"vmu-{next(self._counter)}".encode()).hexdigest()

    # -- webhooks ---------------------------------------------------------------------------
    def message_payload(
        self,
        *,
        sender: str,
        to: str,
        text: str,
        sms_hash: str | None = None,
        attachment: tuple[str, str] | None = None,
        sent_at: str | None = None,
    ) -> dict[str, Any]:
        """One webhook for a message from ``sender``; ``attachment`` is ``(url, MIME type)``."""
        payload: dict[str, Any] = {
            "sms_hash": sms_hash or self.sms_hash(),
            "source_number": sender,
            "destination_number": to,
            "message": text,
            "direction": "inbound",
            "datetime_transmission": sent_at or datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S"),
        }
        if attachment is not None:
            payload["attachment"], payload["attachment_mime_type"] = attachment
        return payload

    def mms_parts(
        self, *, sender: str, to: str, text: str, picture: tuple[str, str]
    ) -> tuple[dict[str, Any], dict[str, Any]]:
        """The two webhooks of one MMS: text with the SMIL metadata part, then the picture."""
        sent_at = datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S")
        smil = (f"https://clients.voicemeup.com/mms/{self.sms_hash()}.smil", "application/smil")
        first = self.message_payload(
            sender=sender, to=to, text=text, attachment=smil, sent_at=sent_at
        )
        second = self.message_payload(
            sender=sender, to=to, text="", attachment=picture, sent_at=sent_at
        )
        return first, second

    async def post_webhook(
        self, url: str, payload: Mapping[str, Any], timeout: float = 10.0
    ) -> int:
        """POST ``payload`` as JSON to ``url`` (which carries the receiver's token)."""
        body = json.dumps(payload).encode()
        return await post_webhook(url, body, {"Content-Type": "application/json"}, timeout=timeout)
