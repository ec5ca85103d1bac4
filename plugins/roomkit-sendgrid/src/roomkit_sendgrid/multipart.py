"""``multipart/form-data`` bodies (what Inbound Parse posts), read with the standard library."""

from __future__ import annotations

from dataclasses import dataclass
from email import policy
from email.parser import BytesParser

from roomkit.errors import WebhookPayloadError
from roomkit.messaging.webhook import WebhookRequest

__all__ = ["FormPart", "read_form"]

#: Parts one form may have (fields and files): Inbound Parse sends about 15 plus attachments.
MAX_PARTS = 200


@dataclass(frozen=True)
class FormPart:
    """One field (``filename`` ``None``) or file of a form."""

    name: str
    data: bytes
    filename: str | None = None
    content_type: str = "text/plain"
    charset: str | None = None

    def text(self, charset: str | None = None) -> str:
        """The value decoded with ``charset``, else the part's own, else UTF-8."""
        encoding = charset or self.charset or "utf-8"
        try:
            return self.data.decode(encoding, errors="replace")
        except LookupError:  # an unknown charset name
            return self.data.decode("utf-8", errors="replace")


def read_form(request: WebhookRequest) -> list[FormPart]:
    """The parts of a ``multipart/form-data`` request body, in order.

    Raises :class:`~roomkit.errors.WebhookPayloadError` when the body is not such a form.
    """
    content_type = request.header("content-type") or ""
    if request.content_type != "multipart/form-data" or "boundary=" not in content_type:
        raise WebhookPayloadError("expected a multipart/form-data body with a boundary")
    head = f"Content-Type: {content_type}\r\nMIME-Version: 1.0\r\n\r\n".encode()
    message = BytesParser(policy=policy.HTTP).parsebytes(head + request.body)
    if not message.is_multipart() or message.defects:
        raise WebhookPayloadError("the multipart/form-data body is malformed")
    parts: list[FormPart] = []
    for part in message.iter_parts():
        if len(parts) >= MAX_PARTS:
            raise WebhookPayloadError(f"a form may have at most {MAX_PARTS} parts")
        name = part.get_param("name", header="content-disposition")
        if not isinstance(name, str) or not name:
            raise WebhookPayloadError("a form part has no name")
        payload = part.get_payload(decode=True)
        parts.append(
            FormPart(
                name=name,
                data=payload if isinstance(payload, bytes) else b"",
                filename=part.get_filename(),
                content_type=part.get_content_type(),
                charset=part.get_content_charset(),
            )
        )
    return parts
