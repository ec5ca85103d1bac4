"""A wire fake of Twilio SendGrid: v3 Mail Send, and the signed Event Webhook and Inbound
Parse posts SendGrid makes.

REST (what :class:`SendGridWire` answers): ``POST /v3/mail/send`` with
``Authorization: Bearer <api key>`` and the v3 mail object -- ``personalizations`` (each with
``to``), ``from``, ``subject``, ``content`` (``text/plain`` first), optional ``headers``,
``attachments`` (base64 ``content``, ``filename``), ``custom_args`` -- answers ``202`` with
an empty body and an ``X-Message-Id`` header. Errors are SendGrid's
``{"errors": [{"message", "field", "help"}]}``: 401 for a wrong key, 400 for a bad mail.

Webhooks (what SendGrid posts to you): :class:`WebhookSigner` holds an ECDSA P-256 key pair
and signs like SendGrid (``X-Twilio-Email-Event-Webhook-Signature``: base64 DER ECDSA-SHA256
of ``timestamp + body``; ``X-Twilio-Email-Event-Webhook-Timestamp``), its
:attr:`~WebhookSigner.public_key` is what SendGrid shows you. :func:`event` builds Event
Webhook events; :func:`inbound_parse_form` builds an Inbound Parse ``multipart/form-data``
body.

Needs ``cryptography`` (``pip install roomkit-conformance[sendgrid]``).
"""

from __future__ import annotations

import base64
import binascii
import secrets
import time
import uuid
from collections.abc import Sequence
from typing import Any

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec

from roomkit_conformance.wire.http import RecordedRequest, WireResponse, WireServer

__all__ = ["SendGridWire", "WebhookSigner", "event", "inbound_parse_form"]

_RESERVED_HEADERS = frozenset(
    {"x-sg-id", "x-sg-eid", "received", "dkim-signature", "content-type",
     "content-transfer-encoding", "to", "from", "subject", "reply-to", "cc", "bcc"}
)  # fmt: skip


def _errors(status: int, message: str, field: str | None = None) -> WireResponse:
    return WireResponse.json(
        {"errors": [{"message": message, "field": field, "help": None}]}, status=status
    )


class SendGridWire(WireServer):
    """SendGrid's v3 Mail Send for one API key (see the module docstring)."""

    def __init__(self, api_key: str, *, port: int = 0) -> None:
        super().__init__(port=port)
        self._key = api_key

    def handle(self, request: RecordedRequest) -> WireResponse:
        if request.method != "POST" or request.path != "/v3/mail/send":
            return _errors(404, "not found")
        if request.headers.get("authorization") != f"Bearer {self._key}":
            return _errors(401, "The provided authorization grant is invalid, expired, or revoked")
        try:
            mail = request.json()
        except ValueError:
            return _errors(400, "Bad Request", "body")
        problem = _check(mail)
        if problem is not None:
            return _errors(400, *problem)
        message_id = base64.urlsafe_b64encode(uuid.uuid4().bytes).decode().rstrip("=")
        return WireResponse(202, b"", {"X-Message-Id": message_id})


def _check(mail: Any) -> tuple[str, str] | None:
    if not isinstance(mail, dict):
        return "The mail must be an object", "body"
    personalizations = mail.get("personalizations")
    if not isinstance(personalizations, list) or not personalizations:
        return "The personalizations field is required", "personalizations"
    for item in personalizations:
        to = item.get("to") if isinstance(item, dict) else None
        if (
            not isinstance(to, list)
            or not to
            or not all(isinstance(t, dict) and "@" in str(t.get("email", "")) for t in to)
        ):
            return "Each personalization needs to with valid emails", "personalizations.0.to"
    sender = mail.get("from")
    if not isinstance(sender, dict) or "@" not in str(sender.get("email", "")):
        return "The from object must be provided for every email send", "from"
    if not mail.get("subject") and not all(p.get("subject") for p in personalizations):
        return "The subject is required", "subject"
    content = mail.get("content")
    if not isinstance(content, list) or not content:
        return "Unless a valid template_id is provided, the content parameter is required", (
            "content"
        )
    types = [c.get("type") for c in content if isinstance(c, dict)]
    if "text/plain" in types and types[0] != "text/plain":
        return "If present, text/plain must be first", "content"
    for name in mail.get("headers") or {}:
        if name.lower() in _RESERVED_HEADERS:
            return f"The header {name} is reserved", "headers"
    for attachment in mail.get("attachments") or []:
        try:
            base64.b64decode(attachment["content"], validate=True)
        except (KeyError, TypeError, binascii.Error):
            return "The attachment content must be base64 encoded", "attachments.0.content"
        if not attachment.get("filename"):
            return "The attachment filename is required", "attachments.0.filename"
    return None


class WebhookSigner:
    """An ECDSA P-256 key pair signing webhook bodies the way SendGrid does."""

    def __init__(self) -> None:
        self._private = ec.generate_private_key(ec.SECP256R1())

    @property
    def public_key(self) -> str:
        """The verification key as SendGrid shows it: base64 of the DER public key."""
        der = self._private.public_key().public_bytes(
            serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
        )
        return base64.b64encode(der).decode()

    def headers(self, body: bytes, timestamp: int | None = None) -> dict[str, str]:
        """The signature headers (lower-case) SendGrid adds to a post of ``body``."""
        ts = str(int(time.time()) if timestamp is None else timestamp)
        signature = self._private.sign(ts.encode() + body, ec.ECDSA(hashes.SHA256()))
        return {
            "x-twilio-email-event-webhook-signature": base64.b64encode(signature).decode(),
            "x-twilio-email-event-webhook-timestamp": ts,
        }


def event(
    kind: str, *, x_message_id: str, email: str = "ada@example.com", **extra: Any
) -> dict[str, Any]:
    """One Event Webhook event (``processed``, ``delivered``, ``open``, ``bounce`` ...) about
    the mail Mail Send answered ``x_message_id`` for."""
    found: dict[str, Any] = {
        "email": email,
        "timestamp": int(time.time()),
        "event": kind,
        "sg_event_id": base64.urlsafe_b64encode(secrets.token_bytes(16)).decode().rstrip("="),
        "sg_message_id": f"{x_message_id}.filterdrecv-5bd4f8f6b-qw7lp-1-64F1A2B3-1.0",
        "smtp-id": f"<{x_message_id}@ismtpd0001p1iad2.sendgrid.net>",
    }
    if kind == "bounce":
        found.update(
            reason="550 5.1.1 The email account does not exist", status="5.1.1", type="bounce"
        )
    if kind == "delivered":
        found["response"] = "250 OK"
    found.update(extra)
    return found


def _field(boundary: str, name: str, value: bytes, filename: str | None, kind: str) -> bytes:
    disposition = f'form-data; name="{name}"'
    if filename is not None:
        disposition += f'; filename="{filename}"'
    head = f"--{boundary}\r\nContent-Disposition: {disposition}\r\nContent-Type: {kind}\r\n\r\n"
    return head.encode() + value + b"\r\n"


def inbound_parse_form(
    *,
    sender: str,
    to: str,
    subject: str,
    text: str,
    message_id: str,
    html: str | None = None,
    in_reply_to: str | None = None,
    references: list[str] | None = None,
    attachments: Sequence[tuple[str, str, bytes]] = (),
) -> tuple[bytes, str]:
    """An Inbound Parse post as SendGrid sends it (default mode): ``(body, content type)``.

    ``message_id`` is the ``Message-ID`` header (angle brackets added when missing);
    ``attachments`` are ``(filename, content type, data)``.
    """
    mid = message_id if message_id.startswith("<") else f"<{message_id}>"
    header_lines = [f"From: {sender}", f"To: {to}", f"Subject: {subject}", f"Message-ID: {mid}"]
    if in_reply_to:
        header_lines.append(f"In-Reply-To: {in_reply_to}")
    if references:
        header_lines.append(f"References: {' '.join(references)}")
    fields: list[tuple[str, str]] = [
        ("headers", "\n".join(header_lines) + "\n"),
        ("dkim", "{@example.com : pass}"),
        ("to", to),
        ("from", sender),
        ("subject", subject),
        ("text", text),
        ("sender_ip", "192.0.2.10"),
        ("envelope", f'{{"to":["{to}"],"from":"{sender}"}}'),
        ("attachments", str(len(attachments))),
        (
            "charsets",
            '{"to":"UTF-8","html":"UTF-8","subject":"UTF-8","from":"UTF-8","text":"UTF-8"}',
        ),
        ("SPF", "pass"),
    ]
    if html is not None:
        fields.append(("html", html))
    boundary = f"xYzZY{secrets.token_hex(8)}"
    body = b"".join(
        _field(boundary, name, value.encode(), None, "text/plain; charset=utf-8")
        for name, value in fields
    )
    for number, (filename, kind, data) in enumerate(attachments, start=1):
        body += _field(boundary, f"attachment{number}", data, filename, kind)
    body += f"--{boundary}--\r\n".encode()
    return body, f"multipart/form-data; boundary={boundary}"
