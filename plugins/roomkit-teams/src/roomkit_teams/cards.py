"""Room events as outgoing Teams activities (botbuilder's schema, serialised as the Bot
Connector REST API takes them).

* text -> a ``message`` with ``text`` (``textFormat`` ``plain``);
* rich content -> its text (``markdown`` or ``xml`` for HTML) plus, when it has buttons or
  cards, an **Adaptive Card** (1.4): a ``TextBlock`` per paragraph, a ``Container`` per card
  (title, body, image), ``Action.OpenUrl`` for link buttons and ``Action.Submit`` for the
  others (the pressed button's value comes back as the message text); quick replies become
  ``suggestedActions`` (``imBack``);
* media, audio and video -> an attachment with ``contentUrl`` (Teams shows images inline;
  other files as links) and the caption as text;
* a location -> text with a map link; a template -> its body; composite -> all of its parts.
"""

from __future__ import annotations

from typing import Any

from botbuilder.core import CardFactory
from botbuilder.schema import (
    Activity,
    ActivityTypes,
    Attachment,
    CardAction,
    SuggestedActions,
)

from roomkit.models.content import (
    AudioContent,
    CompositeContent,
    EventContent,
    LocationContent,
    MediaContent,
    RichButton,
    RichCard,
    RichContent,
    SystemContent,
    TemplateContent,
    TextContent,
    VideoContent,
)
from roomkit.models.event import RoomEvent

__all__ = ["adaptive_card", "event_activity", "typing_activity"]

_SCHEMA = "http://adaptivecards.io/schemas/adaptive-card.json"


def _action(button: RichButton) -> dict[str, Any]:
    if button.url:
        return {"type": "Action.OpenUrl", "title": button.label, "url": button.url}
    return {
        "type": "Action.Submit",
        "title": button.label,
        "data": {"value": button.value or button.label},
    }


def _card_block(card: RichCard) -> dict[str, Any]:
    items: list[dict[str, Any]] = [
        {"type": "TextBlock", "text": card.title, "weight": "Bolder", "wrap": True}
    ]
    if card.body:
        items.append({"type": "TextBlock", "text": card.body, "wrap": True})
    if card.image_url:
        items.append({"type": "Image", "url": card.image_url, "altText": card.title})
    if card.buttons:
        items.append({"type": "ActionSet", "actions": [_action(b) for b in card.buttons]})
    return {"type": "Container", "separator": True, "items": items}


def adaptive_card(content: RichContent) -> dict[str, Any]:
    """The Adaptive Card (a dict) of rich content with buttons or cards."""
    text = content.plain_text or content.body
    body: list[dict[str, Any]] = [
        {"type": "TextBlock", "text": paragraph, "wrap": True}
        for paragraph in text.split("\n\n")
        if paragraph.strip()
    ]
    body.extend(_card_block(card) for card in content.cards)
    card: dict[str, Any] = {
        "type": "AdaptiveCard",
        "$schema": _SCHEMA,
        "version": "1.4",
        "body": body,
    }
    if content.buttons:
        card["actions"] = [_action(b) for b in content.buttons]
    return card


class _Draft:
    def __init__(self) -> None:
        self.texts: list[str] = []
        self.attachments: list[Attachment] = []
        self.quick_replies: list[str] = []
        self.text_format = "plain"

    def add(self, content: EventContent) -> None:
        if isinstance(content, TextContent):
            self.texts.append(content.body)
        elif isinstance(content, RichContent):
            self.texts.append(content.body)
            if content.format == "html":
                self.text_format = "xml"
            elif self.text_format == "plain":
                self.text_format = "markdown"
            if content.buttons or content.cards:
                self.attachments.append(CardFactory.adaptive_card(adaptive_card(content)))
            self.quick_replies.extend(content.quick_replies)
        elif isinstance(content, MediaContent):
            if content.caption:
                self.texts.append(content.caption)
            self.attachments.append(
                Attachment(
                    content_type=content.mime_type, content_url=content.url, name=content.filename
                )
            )
        elif isinstance(content, AudioContent | VideoContent):
            if isinstance(content, AudioContent) and content.transcript:
                self.texts.append(content.transcript)
            self.attachments.append(
                Attachment(content_type=content.mime_type, content_url=content.url)
            )
        elif isinstance(content, LocationContent):
            where = f"{content.latitude},{content.longitude}"
            label = " - ".join(p for p in (content.label, content.address) if p)
            self.texts.append(
                (f"{label}: " if label else "")
                + f"https://www.bing.com/maps?cp={content.latitude}~{content.longitude} ({where})"
            )
        elif isinstance(content, TemplateContent):
            self.texts.append(content.body or content.template_id)
        elif isinstance(content, SystemContent):
            self.texts.append(content.body)
        elif isinstance(content, CompositeContent):
            for part in content.parts:
                self.add(part)
        else:
            body = getattr(content, "body", None)
            if isinstance(body, str):
                self.texts.append(body)


def event_activity(event: RoomEvent) -> dict[str, Any] | None:
    """The ``message`` activity (JSON) carrying ``event``, or ``None`` when it carries
    nothing Teams can show."""
    draft = _Draft()
    draft.add(event.content)
    text = "\n\n".join(t for t in draft.texts if t)
    if not text.strip() and not draft.attachments:
        return None
    activity = Activity(type=ActivityTypes.message, text=text or None)
    if text:
        activity.text_format = draft.text_format
    if draft.attachments:
        activity.attachments = draft.attachments
    if draft.quick_replies:
        activity.suggested_actions = SuggestedActions(
            actions=[CardAction(type="imBack", title=q, value=q) for q in draft.quick_replies]
        )
    data: dict[str, Any] = activity.serialize()
    return data


def typing_activity() -> dict[str, Any]:
    """A ``typing`` activity (Teams shows the indicator for a few seconds)."""
    data: dict[str, Any] = Activity(type=ActivityTypes.typing).serialize()
    return data
