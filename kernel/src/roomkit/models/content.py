"""Message content types.

Every content model carries a literal ``type`` so that :data:`EventContent` is a discriminated
union: a stored event round-trips through JSON back to the same class.
"""

from typing import Annotated, Any, Literal

from pydantic import ConfigDict, Field

from roomkit.deferred import DeferredModel
from roomkit.models.enums import DeleteType

__all__ = [
    "AudioContent",
    "CompositeContent",
    "DeleteContent",
    "EditContent",
    "EventContent",
    "LocationContent",
    "MediaContent",
    "RichButton",
    "RichCard",
    "RichContent",
    "SystemContent",
    "TemplateContent",
    "TextContent",
    "VideoContent",
]

_STRICT = ConfigDict(extra="forbid")


class TextContent(DeferredModel):
    """Plain text, optionally in a language (BCP 47 tag)."""

    model_config = _STRICT
    type: Literal["text"] = "text"
    body: str
    language: str | None = None


class RichButton(DeferredModel):
    """A button or suggested action: a label and the value sent back when it is pressed."""

    model_config = _STRICT
    label: str
    value: str | None = None
    url: str | None = None


class RichCard(DeferredModel):
    """A card with a title, optional body, image and buttons (carousels are lists of cards)."""

    model_config = _STRICT
    title: str
    body: str | None = None
    image_url: str | None = None
    buttons: list[RichButton] = Field(default_factory=list)


class RichContent(DeferredModel):
    """Formatted content; ``plain_text`` is what text-only channels receive when set."""

    model_config = _STRICT
    type: Literal["rich"] = "rich"
    body: str
    format: Literal["markdown", "html"] = "markdown"
    plain_text: str | None = None
    buttons: list[RichButton] = Field(default_factory=list)
    cards: list[RichCard] = Field(default_factory=list)
    quick_replies: list[str] = Field(default_factory=list)


class MediaContent(DeferredModel):
    """An image, document or other file referenced by URL."""

    model_config = _STRICT
    type: Literal["media"] = "media"
    url: str
    mime_type: str
    filename: str | None = None
    caption: str | None = None
    size_bytes: int | None = Field(default=None, ge=0)


class AudioContent(DeferredModel):
    """A recording or voice note; ``transcript`` is used where audio cannot be played."""

    model_config = _STRICT
    type: Literal["audio"] = "audio"
    url: str
    mime_type: str = "audio/wav"
    duration_seconds: float | None = Field(default=None, ge=0)
    transcript: str | None = None


class VideoContent(DeferredModel):
    """A video clip referenced by URL."""

    model_config = _STRICT
    type: Literal["video"] = "video"
    url: str
    mime_type: str = "video/mp4"
    duration_seconds: float | None = Field(default=None, ge=0)
    thumbnail_url: str | None = None


class LocationContent(DeferredModel):
    """A point on the map."""

    model_config = _STRICT
    type: Literal["location"] = "location"
    latitude: float = Field(ge=-90, le=90)
    longitude: float = Field(ge=-180, le=180)
    label: str | None = None
    address: str | None = None


class TemplateContent(DeferredModel):
    """A pre-approved vendor template (WhatsApp, Messenger) with its parameters."""

    model_config = _STRICT
    type: Literal["template"] = "template"
    template_id: str
    language: str | None = None
    parameters: dict[str, str] = Field(default_factory=dict)
    body: str | None = None


class SystemContent(DeferredModel):
    """A machine-generated notice (channel attached, handoff ...); ``code`` identifies it."""

    model_config = _STRICT
    type: Literal["system"] = "system"
    body: str
    code: str | None = None
    data: dict[str, Any] = Field(default_factory=dict)


class EditContent(DeferredModel):
    """Replaces the content of an earlier event."""

    model_config = _STRICT
    type: Literal["edit"] = "edit"
    target_event_id: str
    new_content: "EventContent"
    edit_source: str | None = None
    """Who made the edit (``"sender"``, ``"system"`` ...), when known."""


class DeleteContent(DeferredModel):
    """Retracts an earlier event."""

    model_config = _STRICT
    type: Literal["delete"] = "delete"
    target_event_id: str
    delete_type: DeleteType = DeleteType.SENDER
    reason: str | None = None


class CompositeContent(DeferredModel):
    """Several parts sent together, e.g. a text with two images."""

    model_config = _STRICT
    type: Literal["composite"] = "composite"
    parts: "list[EventContent]" = Field(min_length=1)


EventContent = Annotated[
    TextContent
    | RichContent
    | MediaContent
    | AudioContent
    | VideoContent
    | LocationContent
    | TemplateContent
    | SystemContent
    | EditContent
    | DeleteContent
    | CompositeContent,
    Field(discriminator="type"),
]
"""Any content a room event can carry, discriminated by ``type``."""
