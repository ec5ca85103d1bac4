"""Content transcoding: fit an event's content to what a target channel can carry.

:func:`transcode` returns the list of contents to deliver (usually one, the original object
when it already fits, so the common case allocates nothing):

* rich content becomes plain text on channels without ``rich`` (its ``plain_text`` when set,
  else the body without markup), buttons, cards and quick replies become a numbered list; so
  does rich content with cards on a channel without ``supports_cards``, or with more buttons
  than its ``max_buttons``;
* media, audio, video become a line of text with the link (audio uses its transcript), also
  where the channel carries the family but not this item: a MIME type or format outside
  ``supported_media_types`` / ``supported_audio_formats`` / ``supported_video_formats``, a
  file above ``max_media_size_bytes``, a clip longer than ``max_audio_duration_seconds`` /
  ``max_video_duration_seconds``;
* a location becomes its label, address and coordinates; a template its body;
* composite content is flattened part by part and consecutive text parts are joined;
* edits become a "Correction:" text where edits are unsupported; deletes are skipped there;
* text longer than ``max_length`` is split into parts at word boundaries.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from roomkit.models.content import (
    AudioContent,
    CompositeContent,
    DeleteContent,
    EditContent,
    LocationContent,
    MediaContent,
    RichButton,
    RichContent,
    SystemContent,
    TemplateContent,
    TextContent,
    VideoContent,
)
from roomkit.models.enums import ChannelMediaType
from roomkit.models.room import ChannelCapabilities

__all__ = ["content_to_text", "split_text", "transcode"]

_MD_LINK = re.compile(r"!?\[([^\]]*)\]\(([^)\s]+)\)")
_MD_MARKS = re.compile(r"(\*\*|__|\*|_|~~|`+)(?=\S)(.+?)(?<=\S)\1")
_MD_HEADING = re.compile(r"^\s{0,3}#{1,6}\s+", re.MULTILINE)
_HTML_BREAK = re.compile(r"<\s*(br|/p|/div|/li)\s*/?>", re.IGNORECASE)
_HTML_TAG = re.compile(r"<[^>]+>")

_TEXT = ChannelMediaType.TEXT
_FAMILIES: dict[type, ChannelMediaType] = {
    MediaContent: ChannelMediaType.MEDIA,
    AudioContent: ChannelMediaType.AUDIO,
    VideoContent: ChannelMediaType.VIDEO,
}


def _strip_markup(body: str, fmt: str) -> str:
    if fmt == "html":
        import html

        return html.unescape(_HTML_TAG.sub("", _HTML_BREAK.sub("\n", body))).strip()
    text = _MD_LINK.sub(
        lambda m: f"{m.group(1)} ({m.group(2)})" if m.group(1) else m.group(2), body
    )
    text = _MD_HEADING.sub("", text)
    return _MD_MARKS.sub(r"\2", text).strip()


def _buttons_text(buttons: Sequence[RichButton]) -> list[str]:
    lines = []
    for i, button in enumerate(buttons, 1):
        line = f"{i}. {button.label}"
        if button.url:
            line += f" ({button.url})"
        lines.append(line)
    return lines


def _rich_to_text(content: RichContent) -> str:
    lines = [content.plain_text or _strip_markup(content.body, content.format)]
    for card in content.cards:
        lines.append("")
        lines.append(card.title)
        if card.body:
            lines.append(card.body)
        if card.image_url:
            lines.append(card.image_url)
        lines.extend(_buttons_text(card.buttons))
    if content.buttons:
        lines.extend(_buttons_text(content.buttons))
    if content.quick_replies:
        lines.append("Replies: " + " | ".join(content.quick_replies))
    return "\n".join(lines).strip()


def content_to_text(content: Any) -> str:
    """A plain-text rendering of any content (what a text-only channel would show)."""
    if isinstance(content, TextContent | SystemContent):
        return content.body
    if isinstance(content, RichContent):
        return _rich_to_text(content)
    if isinstance(content, MediaContent):
        label = content.caption or content.filename
        return f"{label}: {content.url}" if label else content.url
    if isinstance(content, AudioContent):
        return content.transcript if content.transcript else f"Audio: {content.url}"
    if isinstance(content, VideoContent):
        return f"Video: {content.url}"
    if isinstance(content, LocationContent):
        coords = f"{content.latitude:.6f}, {content.longitude:.6f}"
        label = ", ".join(p for p in (content.label, content.address) if p)
        return f"Location: {label} ({coords})" if label else f"Location: {coords}"
    if isinstance(content, TemplateContent):
        if content.body:
            return content.body
        params = ", ".join(f"{k}={v}" for k, v in content.parameters.items())
        return f"[{content.template_id}] {params}".strip()
    if isinstance(content, EditContent):
        return "Correction: " + content_to_text(content.new_content)
    if isinstance(content, DeleteContent):
        return "(message deleted)"
    if isinstance(content, CompositeContent):
        return "\n".join(content_to_text(p) for p in content.parts)
    return str(getattr(content, "body", ""))


def split_text(text: str, max_length: int) -> list[str]:
    """Split ``text`` into pieces of at most ``max_length`` characters, preferring to cut at a
    line break in the second half of a piece, then at the last space."""
    if len(text) <= max_length:
        return [text]
    parts: list[str] = []
    rest = text
    while len(rest) > max_length:
        cut = rest.rfind("\n", 0, max_length + 1)
        if cut <= max_length // 2:
            cut = rest.rfind(" ", 0, max_length + 1)
        if cut <= 0:
            cut = max_length
        parts.append(rest[:cut].rstrip())
        rest = rest[cut:].lstrip()
    if rest:
        parts.append(rest)
    return parts


def _as_text(content: Any, language: str | None = None) -> TextContent:
    return TextContent(body=content_to_text(content) or " ", language=language)


def _format_ok(mime_type: str, formats: list[str]) -> bool:
    """Whether ``mime_type`` is among ``formats`` (MIME types or bare subtypes like "mp3")."""
    if not formats:
        return True
    return mime_type in formats or mime_type.rpartition("/")[2] in formats


def _within(value: float | None, limit: float | None) -> bool:
    return limit is None or value is None or value <= limit


def _media_fits(content: Any, caps: ChannelCapabilities) -> bool:
    """Whether a media, audio or video item is within the channel's limits for its family."""
    if isinstance(content, MediaContent):
        return _format_ok(content.mime_type, caps.supported_media_types) and _within(
            content.size_bytes, caps.max_media_size_bytes
        )
    if isinstance(content, AudioContent):
        return _format_ok(content.mime_type, caps.supported_audio_formats) and _within(
            content.duration_seconds, caps.max_audio_duration_seconds
        )
    return _format_ok(content.mime_type, caps.supported_video_formats) and _within(
        content.duration_seconds, caps.max_video_duration_seconds
    )


def _rich_fits(content: RichContent, caps: ChannelCapabilities) -> bool:
    """Whether the channel shows the rich content's structure: cards where it has no cards,
    or more buttons than its ``max_buttons``, turn the content into text (numbered buttons)."""
    if content.cards and not caps.supports_cards:
        return False
    limit = caps.max_buttons
    return limit is None or all(
        len(buttons) <= limit for buttons in (content.buttons, *(c.buttons for c in content.cards))
    )


def _fit_one(content: Any, caps: ChannelCapabilities) -> list[Any]:
    """Transcode one non-composite content, without the length rule."""
    accepts = caps.media_types
    if isinstance(content, TextContent | SystemContent):
        return [content]
    if isinstance(content, RichContent):
        fits = ChannelMediaType.RICH in accepts and _rich_fits(content, caps)
        return [content] if fits else [_as_text(content)]
    if isinstance(content, MediaContent | AudioContent | VideoContent):
        family = _FAMILIES[type(content)]
        if family in accepts and _media_fits(content, caps):
            return [content]
        return [_as_text(content)]
    if isinstance(content, LocationContent):
        return [content] if ChannelMediaType.LOCATION in accepts else [_as_text(content)]
    if isinstance(content, TemplateContent):
        return [content] if ChannelMediaType.TEMPLATE in accepts else [_as_text(content)]
    if isinstance(content, EditContent):
        return [content] if caps.supports_edit else [_as_text(content)]
    if isinstance(content, DeleteContent):
        return [content] if caps.supports_delete else []
    return [content]


def transcode(content: Any, caps: ChannelCapabilities) -> list[Any]:
    """The contents to deliver for ``content`` on a channel with ``caps`` (empty: skip)."""
    max_length = caps.max_length
    if type(content) is TextContent:  # the hot path: plain text
        if max_length is None or len(content.body) <= max_length:
            return [content]
        return [
            TextContent(body=p, language=content.language)
            for p in split_text(content.body, max_length)
        ]
    if isinstance(content, CompositeContent):
        fitted: list[Any] = []
        for part in content.parts:
            fitted.extend(_fit_one(part, caps))
        merged: list[Any] = []
        for part in fitted:
            if merged and type(part) is TextContent and type(merged[-1]) is TextContent:
                merged[-1] = TextContent(body=merged[-1].body + "\n" + part.body)
            else:
                merged.append(part)
        fitted = merged
    else:
        fitted = _fit_one(content, caps)
    if max_length is None:
        return fitted
    out: list[Any] = []
    for part in fitted:
        if type(part) is TextContent and len(part.body) > max_length:
            out.extend(
                TextContent(body=p, language=part.language)
                for p in split_text(part.body, max_length)
            )
        else:
            out.append(part)
    return out
