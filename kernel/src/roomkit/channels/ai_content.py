"""How room events read to a model: event content as text or text-and-image parts, and what
the channel a message came from can show."""

from __future__ import annotations

from typing import Any

from roomkit.models.ai import AIContentPart, AIImagePart, AITextPart
from roomkit.models.content import (
    AudioContent,
    CompositeContent,
    EventContent,
    LocationContent,
    MediaContent,
    RichContent,
    TemplateContent,
    TextContent,
    VideoContent,
)
from roomkit.models.context import RoomContext
from roomkit.models.event import RoomEvent

__all__ = ["content_for_model", "target_of"]


def content_for_model(content: EventContent, vision: bool) -> str | list[AIContentPart]:
    """Text for the model, or text and image parts when the provider can see images."""
    if type(content) is TextContent or isinstance(content, TextContent):
        return content.body
    if isinstance(content, RichContent):
        return content.plain_text or content.body
    if isinstance(content, MediaContent):
        if vision and content.mime_type.startswith("image/"):
            parts: list[AIContentPart] = []
            if content.caption:
                parts.append(AITextPart(text=content.caption))
            parts.append(AIImagePart(url=content.url, mime_type=content.mime_type))
            return parts
        label = content.caption or content.filename or content.url
        return f"[{content.mime_type} attachment: {label}]"
    if isinstance(content, AudioContent):
        return content.transcript or f"[audio message: {content.url}]"
    if isinstance(content, VideoContent):
        return f"[video: {content.url}]"
    if isinstance(content, LocationContent):
        label = f" ({content.label})" if content.label else ""
        return f"[location: {content.latitude}, {content.longitude}{label}]"
    if isinstance(content, TemplateContent):
        return content.body or f"[template {content.template_id}]"
    if isinstance(content, CompositeContent):
        collected: list[AIContentPart] = []
        for part in content.parts:
            sub = content_for_model(part, vision)
            if isinstance(sub, str):
                collected.append(AITextPart(text=sub))
            else:
                collected.extend(sub)
        if not any(isinstance(p, AIImagePart) for p in collected):
            return "\n".join(p.text for p in collected if isinstance(p, AITextPart))
        return collected
    body = getattr(content, "body", None)
    return body if isinstance(body, str) else f"[{content.type}]"


def target_of(event: RoomEvent, context: RoomContext) -> dict[str, Any]:
    """``target_capabilities`` / ``target_media_types``: those of the binding the triggering
    message came from (unknown for messages from outside the room's bindings)."""
    source = event.source.channel_id
    for binding in context.bindings:
        if binding.channel_id == source:
            caps = binding.capabilities
            return {"target_capabilities": caps, "target_media_types": list(caps.media_types)}
    return {"target_capabilities": None, "target_media_types": []}
