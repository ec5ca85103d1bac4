"""Building requests: the history in one canonical form, turns, sampling and images."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from roomkit.errors import InvalidContentError
from roomkit.models.ai import (
    AIContext,
    AIImagePart,
    AIMessage,
    AIThinkingPart,
    AIToolCall,
    AIToolCallPart,
    AIToolResultPart,
)

__all__ = [
    "append_turn",
    "canonical_messages",
    "effective_sampling",
    "parse_data_uri",
    "require_image_url",
    "thinking_parts",
]


def canonical_messages(messages: Iterable[AIMessage]) -> list[AIMessage]:
    """``messages`` with tool calls and results in one form, whichever way they were written.

    :class:`~roomkit.models.ai.AIToolCallPart` content parts join the message's
    ``tool_calls``; each :class:`~roomkit.models.ai.AIToolResultPart` becomes its own
    ``role="tool"`` message (after what is left of the message it was in). Thinking, text and
    image parts stay where they are. Messages without such parts are returned as they are.
    """
    result: list[AIMessage] = []
    for message in messages:
        content = message.content
        if isinstance(content, str) or not any(
            isinstance(p, AIToolCallPart | AIToolResultPart) for p in content
        ):
            result.append(message)
            continue
        kept = [p for p in content if not isinstance(p, AIToolCallPart | AIToolResultPart)]
        known = {call.id for call in message.tool_calls}
        calls = list(message.tool_calls) + [
            AIToolCall(id=p.id, name=p.name, arguments=p.arguments)
            for p in content
            if isinstance(p, AIToolCallPart) and p.id not in known
        ]
        if kept or calls:
            result.append(message.model_copy(update={"content": kept, "tool_calls": calls}))
        result.extend(
            AIMessage(role="tool", content=p.result, name=p.name, tool_call_id=p.tool_call_id)
            for p in content
            if isinstance(p, AIToolResultPart)
        )
    return result


def thinking_parts(message: AIMessage) -> list[AIThinkingPart]:
    """The reasoning parts of ``message``, in order."""
    if isinstance(message.content, str):
        return []
    return [p for p in message.content if isinstance(p, AIThinkingPart)]


def append_turn(
    turns: list[dict[str, Any]], role: str, items: list[dict[str, Any]], *, key: str
) -> None:
    """Add a turn of ``role`` holding ``items`` (under ``key``), merging into the last turn.

    For APIs whose turns must alternate between roles (Anthropic ``content`` blocks, Gemini
    ``parts``): items of consecutive turns of one role end up in a single turn. Nothing is
    added when ``items`` is empty.
    """
    if not items:
        return
    if turns and turns[-1]["role"] == role:
        turns[-1][key].extend(items)
    else:
        turns.append({"role": role, key: items})


def effective_sampling(
    context: AIContext, temperature: float | None, max_tokens: int | None
) -> tuple[float | None, int | None]:
    """``(temperature, max_tokens)`` for a request: the context's, else the provider's defaults.

    ``None`` means "leave it out of the request" (the vendor's own default applies).
    """
    temp = context.temperature if context.temperature is not None else temperature
    return temp, context.max_tokens or max_tokens


def require_image_url(part: AIImagePart, schemes: tuple[str, ...] = ("http://", "https://")) -> str:
    """The part's URL when it is a ``data:`` URI or starts with one of ``schemes``.

    Raises:
        InvalidContentError: any other URL (a local path, ``file:``, ...), before it is sent.
    """
    if part.url.startswith(("data:", *schemes)):
        return part.url
    allowed = ", ".join(s.rstrip("/:") for s in schemes)
    raise InvalidContentError(f"image url must be {allowed} or a data: URI, got {part.url[:40]!r}")


def parse_data_uri(url: str) -> tuple[str, str]:
    """``(media type, base64 payload)`` of a base64 ``data:`` URI.

    Raises:
        InvalidContentError: the URI is not base64 encoded or has no payload.
    """
    header, sep, data = url.removeprefix("data:").partition(",")
    media_type, _, encoding = header.partition(";")
    if not url.startswith("data:") or not sep or encoding != "base64" or not data:
        raise InvalidContentError("image data: URIs must be base64 encoded")
    return media_type, data
