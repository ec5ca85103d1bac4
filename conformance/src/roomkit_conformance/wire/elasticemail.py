"""A wire fake of Elastic Email's REST API v4 (sending) and of its HTTP notifications.

REST (what :class:`ElasticEmailWire` answers), with ``X-ElasticEmail-ApiKey``:

* ``POST /v4/emails/transactional`` -- ``{"Recipients": {"To": [...]}, "Content": {...}}``;
* ``POST /v4/emails`` -- ``{"Recipients": [{"Email": ...}], "Content": {...}}``;

``Content`` needs ``From`` and a ``Body`` list of ``{"ContentType": "HTML" | "PlainText",
"Content": ...}`` (``Subject``, ``Headers``, ``Attachments`` of ``{"BinaryContent", "Name",
"ContentType"}``, ``Postback`` optional). Success is ``200 {"TransactionID", "MessageID"}``;
a wrong key ``401``, a malformed message ``400``, both ``{"Error": "..."}``.

Notifications (what Elastic Email calls you with): :func:`notification` builds the query
parameters of one ``GET`` notification; :func:`notification_query` URL-encodes them with the
token of the notification URL.
"""

from __future__ import annotations

import base64
import binascii
import secrets
import uuid
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlencode

from roomkit_conformance.wire.http import RecordedRequest, WireResponse, WireServer

__all__ = ["ElasticEmailWire", "notification", "notification_query"]

_CONTENT_TYPES = frozenset({"HTML", "PlainText", "AMP", "CSS"})


def _error(status: int, text: str) -> WireResponse:
    return WireResponse.json({"Error": text}, status=status)


class ElasticEmailWire(WireServer):
    """Elastic Email's v4 sending API for one API key (see the module docstring)."""

    def __init__(self, api_key: str, *, port: int = 0) -> None:
        super().__init__(port=port)
        self._key = api_key

    def handle(self, request: RecordedRequest) -> WireResponse:
        if request.method != "POST" or request.path not in {
            "/v4/emails/transactional",
            "/v4/emails",
        }:
            return _error(404, "Not found")
        if request.headers.get("x-elasticemail-apikey") != self._key:
            return _error(401, "Access Denied.")
        try:
            message = request.json()
        except ValueError:
            return _error(400, "Invalid JSON")
        problem = _check(message, transactional=request.path.endswith("/transactional"))
        if problem:
            return _error(400, problem)
        return WireResponse.json(
            {"TransactionID": str(uuid.uuid4()), "MessageID": secrets.token_urlsafe(16)}
        )


def _check(message: Any, *, transactional: bool) -> str | None:
    if not isinstance(message, dict):
        return "The message must be an object"
    recipients = message.get("Recipients")
    if transactional:
        to = recipients.get("To") if isinstance(recipients, dict) else None
        if not isinstance(to, list) or not to or not all(isinstance(t, str) for t in to):
            return "Recipients.To is required"
    elif not isinstance(recipients, list) or not all(
        isinstance(r, dict) and isinstance(r.get("Email"), str) for r in recipients or [None]
    ):
        return "Recipients must be a list of {Email}"
    content = message.get("Content")
    if not isinstance(content, dict) or not content.get("From"):
        return "Content.From is required"
    body = content.get("Body")
    if not isinstance(body, list) or not body:
        return "Content.Body is required"
    for part in body:
        if not isinstance(part, dict) or part.get("ContentType") not in _CONTENT_TYPES:
            return "Content.Body[].ContentType must be HTML, PlainText, AMP or CSS"
    for attachment in content.get("Attachments") or []:
        try:
            base64.b64decode(attachment["BinaryContent"], validate=True)
        except (KeyError, TypeError, binascii.Error):
            return "Attachments[].BinaryContent must be base64"
    return None


def notification(
    *,
    transaction: str,
    status: str,
    to: str = "ada@example.com",
    sender: str = "help@shop.example",
    category: str | None = None,
    subject: str = "Your order",
) -> dict[str, str]:
    """The parameters of one notification. ``status`` is one of ``Sent``, ``Opened``,
    ``Clicked``, ``Error``, ``AbuseReport``, ``Unsubscribed``; ``category`` says why an
    ``Error`` bounced (``NoMailbox``, ``Spam`` ...)."""
    fields = {
        "transaction": transaction,
        "messageid": secrets.token_urlsafe(16),
        "to": to,
        "from": sender,
        "date": datetime.now(UTC).strftime("%m/%d/%Y %I:%M:%S %p"),
        "subject": subject,
        "status": status,
        "channel": "roomkit",
        "account": sender,
    }
    if category:
        fields["category"] = category
    return fields


def notification_query(fields: dict[str, str], token: str | None) -> str:
    """The URL-encoded query of a notification to a URL carrying ``token`` (``token=``)."""
    return urlencode({**({"token": token} if token else {}), **fields})
