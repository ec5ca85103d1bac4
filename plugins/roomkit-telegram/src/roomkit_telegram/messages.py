"""RoomKit content -> Bot API calls.

:func:`build_calls` returns ``(method, params)`` pairs in sending order (without
``chat_id``, which the provider adds):

* text -> ``sendMessage`` (at most 4,096 characters: the channel splits longer text);
* media -> ``sendPhoto`` / ``sendVideo`` / ``sendAudio`` / ``sendVoice`` (OGG) /
  ``sendAnimation`` (GIF) / ``sendDocument`` by URL, with the caption (captions over 1,024
  characters follow as text); a photo too large for ``sendPhoto`` goes as a document;
* location -> ``sendLocation``, or ``sendVenue`` when it has a label and an address;
* rich -> ``sendMessage`` with an **inline keyboard**: buttons with a value become
  ``callback_data`` buttons (one row each), link buttons ``url`` buttons, quick replies a row
  of callback buttons; with quick replies only, a one-time **reply keyboard**; a single card
  with an image -> ``sendPhoto`` with the text as caption and the keyboard;
* template -> its text rendering (Telegram has no templates);
* edits and deletes are handled by the provider (they target earlier messages).
"""

from __future__ import annotations

from typing import Any

from roomkit.core.transcoding import content_to_text
from roomkit.models.content import (
    AudioContent,
    CompositeContent,
    LocationContent,
    MediaContent,
    RichButton,
    RichContent,
    VideoContent,
)

__all__ = ["Call", "build_calls", "keyboard", "media_method"]

Call = tuple[str, dict[str, Any]]

MAX_TEXT = 4096
MAX_CAPTION = 1024
MAX_CALLBACK_BYTES = 64


def media_method(mime_type: str) -> tuple[str, str]:
    """The Bot API method and its media field for a MIME type."""
    family = mime_type.partition("/")[0]
    if mime_type == "image/gif":
        return "sendAnimation", "animation"
    if family == "image":
        return "sendPhoto", "photo"
    if family == "video":
        return "sendVideo", "video"
    if mime_type in ("audio/ogg", "audio/opus"):
        return "sendVoice", "voice"
    if family == "audio":
        return "sendAudio", "audio"
    return "sendDocument", "document"


def _callback(value: str) -> str:
    data = value.encode()[:MAX_CALLBACK_BYTES]
    return data.decode(errors="ignore")


def _inline(button: RichButton) -> dict[str, str]:
    if button.url:
        return {"text": button.label, "url": button.url}
    return {"text": button.label, "callback_data": _callback(button.value or button.label)}


def keyboard(content: RichContent) -> dict[str, Any] | None:
    """The ``reply_markup`` of rich content (``None`` when it has no choices)."""
    buttons = list(content.buttons) + [b for card in content.cards for b in card.buttons]
    if buttons:
        rows = [[_inline(b)] for b in buttons]
        if content.quick_replies:
            rows.append([{"text": q, "callback_data": _callback(q)} for q in content.quick_replies])
        return {"inline_keyboard": rows}
    if content.quick_replies:
        return {
            "keyboard": [[{"text": q}] for q in content.quick_replies],
            "one_time_keyboard": True,
            "resize_keyboard": True,
        }
    return None


def _text_of(content: RichContent) -> str:
    bare = content.model_copy(update={"buttons": [], "quick_replies": []})
    if len(content.cards) == 1 and content.cards[0].image_url:  # the image is the photo
        card = content.cards[0].model_copy(update={"image_url": None, "buttons": []})
        bare = bare.model_copy(update={"cards": [card]})
    else:
        cards = [c.model_copy(update={"buttons": []}) for c in content.cards]
        bare = bare.model_copy(update={"cards": cards})
    return content_to_text(bare)


def _media(
    url: str,
    mime_type: str,
    caption: str | None,
    markup: Any = None,
    documents: frozenset[str] = frozenset(),
) -> list[Call]:
    method, field = ("sendDocument", "document") if url in documents else media_method(mime_type)
    params: dict[str, Any] = {field: url}
    rest: list[Call] = []
    if caption and len(caption) <= MAX_CAPTION:
        params["caption"] = caption
    elif caption:
        rest.append(("sendMessage", {"text": caption[:MAX_TEXT]}))
    if markup is not None:
        params["reply_markup"] = markup
    return [(method, params), *rest]


def build_calls(content: Any, *, documents: frozenset[str] = frozenset()) -> list[Call]:
    """The Bot API calls that send ``content``, in order; media whose URL is in
    ``documents`` go as documents (photos too large for ``sendPhoto``)."""
    if isinstance(content, MediaContent):
        return _media(content.url, content.mime_type, content.caption, None, documents)
    if isinstance(content, AudioContent | VideoContent):
        return _media(content.url, content.mime_type, None)
    if isinstance(content, LocationContent):
        point = {"latitude": content.latitude, "longitude": content.longitude}
        if content.label and content.address:
            return [("sendVenue", {**point, "title": content.label, "address": content.address})]
        return [("sendLocation", point)]
    if isinstance(content, RichContent):
        markup = keyboard(content)
        text = _text_of(content) or " "
        if len(content.cards) == 1 and content.cards[0].image_url:
            return _media(content.cards[0].image_url, "image/jpeg", text, markup)
        params: dict[str, Any] = {"text": text[:MAX_TEXT]}
        if markup is not None:
            params["reply_markup"] = markup
        return [("sendMessage", params)]
    if isinstance(content, CompositeContent):
        return [call for part in content.parts for call in build_calls(part, documents=documents)]
    text = content_to_text(content)
    return [("sendMessage", {"text": text[:MAX_TEXT]})] if text.strip() else []
