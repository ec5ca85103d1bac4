"""RoomKit content -> WhatsApp Cloud API message bodies.

:func:`build_messages` returns the message objects to post, in order (without
``messaging_product`` and ``to``, which the provider adds):

* text -> ``text`` (at most 4,096 characters: the channel splits longer text);
* media -> ``image`` / ``video`` / ``audio`` / ``document`` by ``link`` (caption on images,
  videos and documents; an audio's caption follows as text); a media too large for its own
  type (the provider's limits) goes as a ``document``;
* location -> ``location`` (coordinates, name, address);
* rich -> an **interactive** message: 1-3 choices (buttons with a value, quick replies) as
  reply buttons, 4-10 as a list; a single link button as a CTA URL button; a card's image
  as the header of its buttons; more than 10 choices and extra links stay in the text as
  numbered lines;
* template -> ``template`` (``template_id`` as the name, the language or the provider's
  default, parameters as body parameters: ``{"1": ..., "2": ...}`` in order, other keys by
  name);
* anything else -> its text rendering.
"""

from __future__ import annotations

from typing import Any

from roomkit.core.transcoding import content_to_text
from roomkit.errors import InvalidContentError
from roomkit.models.content import (
    AudioContent,
    CompositeContent,
    DeleteContent,
    EditContent,
    LocationContent,
    MediaContent,
    RichButton,
    RichContent,
    TemplateContent,
    TextContent,
    VideoContent,
)

__all__ = ["build_messages", "media_kind", "template_body"]

MAX_TEXT = 4096
MAX_BODY = 1024
MAX_CAPTION = 1024
MAX_BUTTONS = 3
MAX_ROWS = 10


def media_kind(mime_type: str) -> str:
    """The Cloud API message type of a MIME type."""
    family = mime_type.partition("/")[0]
    if mime_type == "image/webp":
        return "sticker"
    return family if family in ("image", "video", "audio") else "document"


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _media(
    url: str,
    mime_type: str,
    caption: str | None,
    filename: str | None,
    documents: frozenset[str] = frozenset(),
) -> list[Any]:
    kind = "document" if url in documents else media_kind(mime_type)
    media: dict[str, Any] = {"link": url}
    out: list[dict[str, Any]] = []
    if kind in ("image", "video", "document") and caption:
        media["caption"] = _cut(caption, MAX_CAPTION)
        caption = None
    if kind == "document" and filename:
        media["filename"] = filename
    out.append({"type": kind, kind: media})
    if caption:
        out.append({"type": "text", "text": {"body": _cut(caption, MAX_TEXT)}})
    return out


def _choice_id(button: RichButton | str) -> tuple[str, str]:
    if isinstance(button, str):
        return button, button
    return button.value or button.label, button.label


def _interactive(text: str, choices: list[tuple[str, str]], header: str | None) -> dict[str, Any]:
    body = {"text": _cut(text or " ", MAX_BODY)}
    if len(choices) <= MAX_BUTTONS:
        part: dict[str, Any] = {
            "type": "button",
            "body": body,
            "action": {
                "buttons": [
                    {"type": "reply", "reply": {"id": value[:256], "title": _cut(label, 20)}}
                    for value, label in choices
                ]
            },
        }
        if header:
            part["header"] = {"type": "image", "image": {"link": header}}
        return {"type": "interactive", "interactive": part}
    rows = [{"id": value[:200], "title": _cut(label, 24)} for value, label in choices]
    if any(len(label) > 24 for _, label in choices):
        for row, (_, label) in zip(rows, choices, strict=True):
            row["description"] = _cut(label, 72)
    part = {
        "type": "list",
        "body": body,
        "action": {"button": "Choose", "sections": [{"title": "Options", "rows": rows}]},
    }
    return {"type": "interactive", "interactive": part}


def _rich(content: RichContent) -> list[dict[str, Any]]:
    lines = [content.plain_text or content_to_text(
        content.model_copy(update={"buttons": [], "cards": [], "quick_replies": []})
    )]  # fmt: skip
    buttons = list(content.buttons)
    header: str | None = None
    for card in content.cards:
        lines += ["", card.title] + ([card.body] if card.body else [])
        buttons += card.buttons
        if card.image_url and header is None and len(content.cards) == 1:
            header = card.image_url
        elif card.image_url:
            lines.append(card.image_url)
    links = [b for b in buttons if b.url]
    choices = [_choice_id(b) for b in buttons if not b.url]
    choices += [_choice_id(q) for q in content.quick_replies]
    text = "\n".join(lines).strip()
    if len(links) == 1 and not choices:
        action = {"name": "cta_url", "parameters": {
            "display_text": _cut(links[0].label, 20), "url": links[0].url}}  # fmt: skip
        part = {"type": "cta_url", "body": {"text": _cut(text or " ", MAX_BODY)}, "action": action}
        return [{"type": "interactive", "interactive": part}]
    extra = [f"{b.label}: {b.url}" for b in links]
    if len(choices) > MAX_ROWS:
        extra += [f"{n}. {label}" for n, (_, label) in enumerate(choices, 1)]
        choices = []
    text = "\n".join([text, *extra]).strip()
    if not choices:
        return [{"type": "text", "text": {"body": _cut(text or " ", MAX_TEXT)}}]
    if len({value for value, _ in choices}) != len(choices):
        raise InvalidContentError("WhatsApp needs a distinct value for every button")
    return [_interactive(text, choices, header)]


def template_body(name: str, language: str, parameters: dict[str, str] | None) -> dict[str, Any]:
    """The ``template`` object of an approved template with body ``parameters``."""
    template: dict[str, Any] = {"name": name, "language": {"code": language}}
    if parameters:
        numbered = all(key.isdigit() for key in parameters)
        keys = sorted(parameters, key=int) if numbered else list(parameters)
        values = []
        for key in keys:
            value: dict[str, str] = {"type": "text", "text": str(parameters[key])}
            if not numbered:
                value["parameter_name"] = key
            values.append(value)
        template["components"] = [{"type": "body", "parameters": values}]
    return template


def build_messages(
    content: Any, *, default_language: str = "en_US", documents: frozenset[str] = frozenset()
) -> list[dict[str, Any]]:
    """The Cloud API message objects carrying ``content``, in sending order; media whose URL
    is in ``documents`` go as documents (too large for their own type)."""
    if isinstance(content, TextContent):
        return [{"type": "text", "text": {"body": content.body[:MAX_TEXT]}}] if content.body else []
    if isinstance(content, MediaContent):
        return _media(content.url, content.mime_type, content.caption, content.filename, documents)
    if isinstance(content, AudioContent | VideoContent):
        return _media(content.url, content.mime_type, None, None)
    if isinstance(content, LocationContent):
        location: dict[str, Any] = {"latitude": content.latitude, "longitude": content.longitude}
        if content.label:
            location["name"] = content.label
        if content.address:
            location["address"] = content.address
        return [{"type": "location", "location": location}]
    if isinstance(content, RichContent):
        return _rich(content)
    if isinstance(content, TemplateContent):
        language = content.language or default_language
        body = template_body(content.template_id, language, content.parameters)
        return [{"type": "template", "template": body}]
    if isinstance(content, CompositeContent):
        return [
            m
            for part in content.parts
            for m in build_messages(part, default_language=default_language)
        ]
    if isinstance(content, EditContent | DeleteContent):
        raise InvalidContentError("the WhatsApp Cloud API cannot edit or delete sent messages")
    text = content_to_text(content)
    return [{"type": "text", "text": {"body": text[:MAX_TEXT]}}] if text else []
