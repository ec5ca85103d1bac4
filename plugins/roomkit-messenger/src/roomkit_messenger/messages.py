"""RoomKit content -> Messenger Send API messages.

One event may need several Send API calls: a media item with a caption is the attachment
then the caption as text (Messenger attachments carry no caption), a composite content is
one message per part. :func:`build_messages` returns the ``message`` objects in order.

* text -> ``{"text"}`` (at most 2,000 characters: the channel splits longer text);
* media -> ``{"attachment": {"type": image | video | audio | file, "payload": {"url"}}}``;
* rich with buttons -> a **button template** (1-3 buttons: ``postback`` with the button's
  value, ``web_url`` with its URL); more than 3 buttons without links become quick replies
  (up to 13), otherwise the buttons after the third become numbered lines of the text;
  with cards -> a **generic template** (up to 10 cards,
  each with its image and buttons); quick replies -> ``quick_replies`` on the message
  (up to 13, titles cut to 20 characters, the full text as payload);
* template -> a Messenger **utility template** (``template_type: utility``, the
  ``template_id`` as name, the parameters as body parameters in order);
* anything else (location ...) -> its text rendering.
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
    MediaContent,
    RichButton,
    RichContent,
    TemplateContent,
    TextContent,
    VideoContent,
)

__all__ = ["attachment_type", "build_messages"]

MAX_TEXT = 2000
MAX_TEMPLATE_TEXT = 640
MAX_BUTTONS = 3
MAX_ELEMENTS = 10
MAX_QUICK_REPLIES = 13
MAX_TITLE = 20


def attachment_type(mime_type: str) -> str:
    """Messenger's attachment type of a MIME type."""
    family = mime_type.partition("/")[0]
    return family if family in ("image", "video", "audio") else "file"


def _title(label: str) -> str:
    return label if len(label) <= MAX_TITLE else label[: MAX_TITLE - 1] + "…"


def _button(button: RichButton) -> dict[str, Any]:
    if button.url:
        return {"type": "web_url", "url": button.url, "title": _title(button.label)}
    return {
        "type": "postback",
        "title": _title(button.label),
        "payload": button.value or button.label,
    }


def _text_of(content: RichContent) -> str:
    return content.plain_text or content_to_text(
        content.model_copy(update={"buttons": [], "cards": [], "quick_replies": []})
    )


def _rich(content: RichContent) -> list[dict[str, Any]]:
    text = _text_of(content)
    messages: list[dict[str, Any]] = []
    if content.cards:
        elements = []
        for card in content.cards[:MAX_ELEMENTS]:
            element: dict[str, Any] = {"title": card.title[:80]}
            if card.body:
                element["subtitle"] = card.body[:80]
            if card.image_url:
                element["image_url"] = card.image_url
            if card.buttons:
                element["buttons"] = [_button(b) for b in card.buttons[:MAX_BUTTONS]]
            elements.append(element)
        if text:
            messages.append({"text": text[:MAX_TEXT]})
        payload = {"template_type": "generic", "elements": elements}
        messages.append({"attachment": {"type": "template", "payload": payload}})
    buttons = list(content.buttons)
    replies = list(content.quick_replies)
    labels: dict[str, str] = {}  # quick-reply payload -> its title, for buttons moved there
    if len(buttons) > MAX_BUTTONS:
        if all(not b.url for b in buttons) and len(buttons) + len(replies) <= MAX_QUICK_REPLIES:
            replies = [b.value or b.label for b in buttons] + replies  # taps send the value
            labels = {b.value or b.label: b.label for b in buttons}
            buttons = []
        else:  # a template holds 3: the rest become numbered lines of the text
            extra = [f"{n}. {b.label}" + (f" ({b.url})" if b.url else "")
                     for n, b in enumerate(buttons[MAX_BUTTONS:], MAX_BUTTONS + 1)]  # fmt: skip
            text = "\n".join([text, *extra]).strip()
            buttons = buttons[:MAX_BUTTONS]
    if buttons:
        payload = {
            "template_type": "button",
            "text": (text or " ")[:MAX_TEMPLATE_TEXT],
            "buttons": [_button(b) for b in buttons],
        }
        messages.append({"attachment": {"type": "template", "payload": payload}})
    if not messages:
        messages.append({"text": (text or " ")[:MAX_TEXT]})
    if replies:
        messages[-1]["quick_replies"] = [
            {"content_type": "text", "title": _title(labels.get(r, r)), "payload": r}
            for r in replies[:MAX_QUICK_REPLIES]
        ]
    return messages


def _template(content: TemplateContent) -> dict[str, Any]:
    payload: dict[str, Any] = {
        "template_type": "utility",
        "name": content.template_id,
        "language": content.language or "en_US",
    }
    if content.parameters:
        payload["components"] = [
            {
                "type": "body",
                "parameters": [
                    {"type": "text", "parameter_name": key, "text": value}
                    for key, value in content.parameters.items()
                ],
            }
        ]
    return {"attachment": {"type": "template", "payload": payload}}


def _media(url: str, mime_type: str, caption: str | None) -> list[dict[str, Any]]:
    attachment = {"type": attachment_type(mime_type), "payload": {"url": url, "is_reusable": True}}
    messages: list[dict[str, Any]] = [{"attachment": attachment}]
    if caption:
        messages.append({"text": caption[:MAX_TEXT]})
    return messages


def build_messages(content: Any) -> list[dict[str, Any]]:
    """The Send API ``message`` objects carrying ``content``, in sending order."""
    if isinstance(content, TextContent):
        return [{"text": content.body[:MAX_TEXT]}] if content.body else []
    if isinstance(content, MediaContent):
        return _media(content.url, content.mime_type, content.caption)
    if isinstance(content, AudioContent | VideoContent):
        return _media(content.url, content.mime_type, None)
    if isinstance(content, RichContent):
        return _rich(content)
    if isinstance(content, TemplateContent):
        return [_template(content)]
    if isinstance(content, CompositeContent):
        return [m for part in content.parts for m in build_messages(part)]
    if isinstance(content, EditContent | DeleteContent):
        raise InvalidContentError("Messenger cannot edit or delete messages a page sent")
    text = content_to_text(content)
    return [{"text": text[:MAX_TEXT]}] if text else []
