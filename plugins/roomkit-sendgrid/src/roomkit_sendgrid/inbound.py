"""SendGrid Inbound Parse -> :class:`~roomkit.models.event.InboundMessage`.

Inbound Parse posts each received email as ``multipart/form-data``: by default the fields
``from``, ``to``, ``subject``, ``text``, ``html``, ``headers`` (the raw header block),
``envelope`` (JSON), ``charsets`` (JSON: the charset of each field), ``attachments`` (a count),
``attachment-info`` (JSON) and the files ``attachment1`` ... ``attachmentN``; with "POST the
raw, full MIME message" set, one field ``email`` holds the whole message instead.

The message's sender is the ``From`` address; its ``Message-ID`` is its external id and
idempotency key (so a retried post is stored once) and, with ``In-Reply-To`` /
``References`` and the subject, goes to ``message.metadata["email"]``, where the email
channel finds the room the reply belongs to. Attachments up to a size become ``data:`` URL
media; larger ones are listed in ``message.metadata["attachments_skipped"]``.
"""

from __future__ import annotations

import base64
import hashlib
import json
from dataclasses import dataclass, field
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser, HeaderParser
from email.utils import getaddresses, parseaddr
from typing import Any

from roomkit.errors import WebhookPayloadError
from roomkit.models.content import CompositeContent, EventContent, MediaContent, TextContent
from roomkit.models.event import InboundMessage
from roomkit.providers.email.base import EMAIL_METADATA_KEY, EmailThreading
from roomkit.providers.email.compose import html_to_text
from roomkit_sendgrid.multipart import FormPart

__all__ = ["ParsedEmail", "parse_inbound_form"]


@dataclass
class ParsedEmail:
    """What an inbound email carries, before it becomes a message."""

    sender: str = ""
    to: list[str] = field(default_factory=list)
    subject: str = ""
    text: str = ""
    html: str = ""
    headers: dict[str, str] = field(default_factory=dict)
    files: list[tuple[str, str, bytes]] = field(default_factory=list)  # name, type, data


def _charsets(fields: dict[str, FormPart]) -> dict[str, str]:
    part = fields.get("charsets")
    if part is None:
        return {}
    try:
        data = json.loads(part.text())
    except ValueError:
        raise WebhookPayloadError("Inbound Parse 'charsets' is not JSON") from None
    return {str(k): str(v) for k, v in data.items()} if isinstance(data, dict) else {}


def _from_fields(parts: list[FormPart]) -> ParsedEmail:
    fields = {p.name: p for p in parts if p.filename is None}
    charsets = _charsets(fields)

    def value(name: str) -> str:
        part = fields.get(name)
        return part.text(charsets.get(name)) if part is not None else ""

    raw_headers = HeaderParser(policy=policy.default).parsestr(value("headers") + "\n\n")
    headers = {k: str(v) for k, v in raw_headers.items()}
    files = [
        (p.filename or p.name, p.content_type, p.data)
        for p in parts
        if p.filename is not None or (p.name.startswith("attachment") and p.name[10:].isdigit())
    ]
    return ParsedEmail(
        sender=value("from") or headers.get("From", ""),
        to=[a for _, a in getaddresses([value("to")]) if a],
        subject=value("subject") or headers.get("Subject", ""),
        text=value("text"),
        html=value("html"),
        headers=headers,
        files=files,
    )


def _from_mime(raw: bytes) -> ParsedEmail:
    message = BytesParser(policy=policy.default).parsebytes(raw)
    if not isinstance(message, EmailMessage):  # pragma: no cover - policy.default guarantees
        raise WebhookPayloadError("the raw email could not be read")
    parsed = ParsedEmail(
        sender=str(message.get("From", "")),
        to=[a for _, a in getaddresses([str(message.get("To", ""))]) if a],
        subject=str(message.get("Subject", "")),
        headers={k: str(v) for k, v in message.items()},
    )
    for kind in ("plain", "html"):
        body = message.get_body(preferencelist=(kind,))
        if body is not None:
            content = body.get_content()
            if kind == "plain":
                parsed.text = str(content)
            else:
                parsed.html = str(content)
    for attachment in message.iter_attachments():
        data = attachment.get_payload(decode=True)
        if isinstance(data, bytes):
            parsed.files.append(
                (attachment.get_filename() or "attachment", attachment.get_content_type(), data)
            )
    return parsed


def _ids(value: str) -> list[str]:
    return [item for item in value.replace(",", " ").split() if item.startswith("<")]


def _content(text: str, media: list[MediaContent]) -> EventContent:
    if not media:
        return TextContent(body=text)
    parts: list[EventContent] = [TextContent(body=text)] if text else []
    return CompositeContent(parts=[*parts, *media]) if len(parts) + len(media) > 1 else media[0]


def parse_inbound_form(
    parts: list[FormPart], channel_id: str, *, max_attachment_bytes: int = 256 * 1024
) -> InboundMessage:
    """The message an Inbound Parse form carries (see the module docstring)."""
    fields = {p.name for p in parts}
    if "email" in fields:
        raw = next(p for p in parts if p.name == "email")
        email = _from_mime(raw.data)
    elif "from" in fields:
        email = _from_fields(parts)
    else:
        raise WebhookPayloadError("not an Inbound Parse post: no 'from' or 'email' field")
    sender = parseaddr(email.sender)[1].lower()
    if "@" not in sender:
        raise WebhookPayloadError("the inbound email has no sender address")
    text = email.text.strip() or html_to_text(email.html)
    media, skipped = [], []
    for name, mime, data in email.files:
        if len(data) <= max_attachment_bytes:
            url = f"data:{mime};base64,{base64.b64encode(data).decode()}"
            media.append(MediaContent(url=url, mime_type=mime, filename=name, size_bytes=len(data)))
        else:
            skipped.append({"filename": name, "mime_type": mime, "size_bytes": len(data)})
    if not text and not media:
        raise WebhookPayloadError("the inbound email has neither text nor attachments")
    headers = {k.lower(): v for k, v in email.headers.items()}
    message_id = headers.get("message-id", "").strip()
    external = (
        message_id.strip("<>")
        or hashlib.sha256(f"{sender}\n{email.subject}\n{text}".encode()).hexdigest()[:32]
    )
    threading = EmailThreading(
        message_id=message_id or None,
        in_reply_to=next(iter(_ids(headers.get("in-reply-to", ""))), None),
        references=_ids(headers.get("references", "")),
        subject=email.subject or None,
    )
    metadata: dict[str, Any] = {
        EMAIL_METADATA_KEY: threading.model_dump(),
        "provider": "sendgrid",
        "to": email.to,
    }
    if skipped:
        metadata["attachments_skipped"] = skipped
    return InboundMessage(
        channel_id=channel_id,
        sender_id=sender,
        content=_content(text, media),
        external_id=external,
        idempotency_key=external,
        metadata=metadata,
    )
