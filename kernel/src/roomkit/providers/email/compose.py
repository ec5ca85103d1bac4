"""Turning a room event into an email's parts: plain text, HTML, attachments, headers.

Every email vendor plugin (SendGrid, Elastic Email ...) needs the same translation before it
writes its own API payload; :func:`compose_email` does it once:

* text becomes the plain-text part and, escaped, the HTML part; rich HTML is sent as is (its
  ``plain_text``, or the HTML without tags, as the text part); markdown is sent as text and
  as escaped HTML paragraphs; buttons and cards become links;
* media given as a ``data:`` URL (base64) becomes an attachment; media at an ``http(s)`` URL
  becomes a link (an ``<img>`` for images) -- RoomKit never downloads arbitrary URLs on a
  provider's behalf;
* the threading headers the email channel put in ``event.metadata["email"]`` become
  ``Message-ID`` / ``In-Reply-To`` / ``References`` (refused if they contain line breaks: no
  header injection).
"""

from __future__ import annotations

import base64
import binascii
import html
import mimetypes
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import unquote_to_bytes

from roomkit.errors import InvalidContentError
from roomkit.models.content import (
    AudioContent,
    CompositeContent,
    MediaContent,
    RichButton,
    RichContent,
    TextContent,
    VideoContent,
)
from roomkit.models.event import RoomEvent
from roomkit.providers.email.base import EmailThreading

__all__ = [
    "EmailAttachment",
    "EmailParts",
    "compose_email",
    "html_to_text",
    "threading_headers",
]

#: Attachments (decoded) larger than this are refused unless the caller allows more.
DEFAULT_MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024


@dataclass(frozen=True)
class EmailAttachment:
    """A file to attach: its name, media type and bytes."""

    filename: str
    mime_type: str
    data: bytes

    def base64(self) -> str:
        """The content base64-encoded (what JSON mail APIs take)."""
        return base64.b64encode(self.data).decode("ascii")


@dataclass
class EmailParts:
    """What an email carries: ``text`` and ``html`` bodies, ``attachments``, the media
    ``links`` put in the bodies, and the threading ``headers``."""

    text: str = ""
    html: str = ""
    attachments: list[EmailAttachment] = field(default_factory=list)
    links: list[str] = field(default_factory=list)
    headers: dict[str, str] = field(default_factory=dict)

    @property
    def empty(self) -> bool:
        """Whether there is nothing to send."""
        return not (self.text.strip() or self.html.strip() or self.attachments)


class _TextOfHTML(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.chunks: list[str] = []

    def handle_data(self, data: str) -> None:
        self.chunks.append(data)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in {"br", "p", "div", "li", "tr"}:
            self.chunks.append("\n")


def html_to_text(markup: str) -> str:
    """The text of an HTML fragment: tags dropped, entities decoded, blank runs collapsed,
    one line per paragraph, list item or line break."""
    parser = _TextOfHTML()
    parser.feed(markup)
    parser.close()
    lines = (" ".join(line.split()) for line in "".join(parser.chunks).splitlines())
    return "\n".join(line for line in lines if line)


def _escaped(text: str) -> str:
    paragraphs = [p for p in text.split("\n\n") if p.strip()]
    return "".join(f"<p>{html.escape(p).replace(chr(10), '<br>')}</p>" for p in paragraphs)


def _decode_data_url(url: str, limit: int) -> tuple[str, bytes]:
    header, sep, payload = url[5:].partition(",")
    if not sep:
        raise InvalidContentError("a data: URL has no ',' before its content")
    mime = header.split(";", 1)[0] or "application/octet-stream"
    try:
        if header.endswith(";base64"):
            if len(payload) * 3 // 4 > limit:
                raise InvalidContentError(f"attachment over {limit} bytes")
            data = base64.b64decode(payload, validate=True)
        else:
            data = unquote_to_bytes(payload)
    except (binascii.Error, ValueError) as exc:
        raise InvalidContentError(f"a data: URL is not valid base64: {exc}") from None
    if len(data) > limit:
        raise InvalidContentError(f"attachment over {limit} bytes")
    return mime, data


class _Composer:
    def __init__(self, limit: int) -> None:
        self.parts = EmailParts()
        self._limit = limit
        self._texts: list[str] = []
        self._htmls: list[str] = []

    def text(self, text: str, markup: str | None = None) -> None:
        if text:
            self._texts.append(text)
        if markup or text:
            self._htmls.append(markup if markup is not None else _escaped(text))

    def link(self, url: str, label: str, *, image: bool = False) -> None:
        self.parts.links.append(url)
        self._texts.append(f"{label}: {url}" if label else url)
        ref = html.escape(url, quote=True)
        shown = html.escape(label or url)
        if image:
            self._htmls.append(f'<p><img src="{ref}" alt="{shown}"></p>')
        else:
            self._htmls.append(f'<p><a href="{ref}">{shown}</a></p>')

    def buttons(self, buttons: list[RichButton]) -> None:
        for button in buttons:
            if button.url:
                self.link(button.url, button.label)
            else:
                self.text(button.label)

    def media(self, url: str, mime: str, caption: str | None, filename: str | None) -> None:
        if url.startswith("data:"):
            kind, data = _decode_data_url(url, self._limit)
            mime = mime or kind
            name = filename or f"attachment{mimetypes.guess_extension(mime) or '.bin'}"
            self.parts.attachments.append(EmailAttachment(name, mime, data))
            if caption:
                self.text(caption)
            return
        if caption:
            self.text(caption)
        self.link(url, filename or "", image=mime.startswith("image/"))

    def add(self, content: object) -> None:
        if isinstance(content, TextContent):
            self.text(content.body)
        elif isinstance(content, RichContent):
            if content.format == "html":
                self.text(content.plain_text or html_to_text(content.body), content.body)
            else:
                self.text(content.plain_text or content.body, _escaped(content.body))
            self.buttons(content.buttons)
            for card in content.cards:
                self.text("\n".join(x for x in (card.title, card.body or "") if x))
                if card.image_url:
                    self.link(card.image_url, card.title, image=True)
                self.buttons(card.buttons)
        elif isinstance(content, MediaContent):
            self.media(content.url, content.mime_type, content.caption, content.filename)
        elif isinstance(content, AudioContent):
            self.media(content.url, content.mime_type, content.transcript, None)
        elif isinstance(content, VideoContent):
            self.media(content.url, content.mime_type, None, None)
        elif isinstance(content, CompositeContent):
            for part in content.parts:
                self.add(part)
        else:
            self.text(str(getattr(content, "body", "") or ""))

    def done(self) -> EmailParts:
        self.parts.text = "\n\n".join(self._texts)
        self.parts.html = "\n".join(self._htmls)
        return self.parts


def threading_headers(event: RoomEvent) -> dict[str, str]:
    """``Message-ID`` / ``In-Reply-To`` / ``References`` from ``event.metadata["email"]``."""
    threading = EmailThreading.from_metadata(event.metadata)
    headers = {
        "Message-ID": threading.message_id or "",
        "In-Reply-To": threading.in_reply_to or "",
        "References": " ".join(threading.references),
    }
    found = {name: value for name, value in headers.items() if value}
    for name, value in found.items():
        if "\r" in value or "\n" in value:
            raise InvalidContentError(f"email header {name} contains a line break")
    return found


def compose_email(
    event: RoomEvent, *, max_attachment_bytes: int = DEFAULT_MAX_ATTACHMENT_BYTES
) -> EmailParts:
    """The parts of the email carrying ``event`` (see the module docstring).

    Raises :class:`~roomkit.errors.InvalidContentError` for an attachment over
    ``max_attachment_bytes``, a malformed ``data:`` URL, or a threading header with a line
    break.
    """
    composer = _Composer(max_attachment_bytes)
    composer.add(event.content)
    parts = composer.done()
    parts.headers = threading_headers(event)
    return parts
