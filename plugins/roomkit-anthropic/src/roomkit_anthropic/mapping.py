"""Translate between RoomKit's AI models and the Anthropic Messages wire format.

Pure functions over plain dicts and SDK objects read by attribute; no SDK import.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from roomkit.errors import InvalidContentError
from roomkit.models.ai import (
    AIContext,
    AIImagePart,
    AIMessage,
    AIResponse,
    AITextPart,
    AIToolCall,
    AIUsage,
)
from roomkit.providers.ai.support import (
    append_turn,
    parse_tool_arguments,
    read_usage,
    require_json_object,
)

__all__ = ["StreamAssembler", "build_request", "image_block", "parse_response"]

_IMAGE_TYPES = frozenset({"image/jpeg", "image/png", "image/gif", "image/webp"})


def image_block(part: AIImagePart) -> dict[str, Any]:
    """An ``image`` content block for a URL or a base64 ``data:`` URI."""
    url = part.url
    if url.startswith(("http://", "https://")):
        return {"type": "image", "source": {"type": "url", "url": url}}
    if url.startswith("data:"):
        header, sep, data = url[5:].partition(",")
        media_type, _, encoding = header.partition(";")
        media_type = part.mime_type or media_type
        if not sep or encoding != "base64" or not data:
            raise InvalidContentError("image data: URIs must be base64 encoded")
        if media_type not in _IMAGE_TYPES:
            raise InvalidContentError(
                f"image type {media_type!r} is not supported; use one of {sorted(_IMAGE_TYPES)}"
            )
        return {
            "type": "image",
            "source": {"type": "base64", "media_type": media_type, "data": data},
        }
    raise InvalidContentError(f"image url must be http(s) or a data: URI, got {url[:40]!r}")


def _user_blocks(message: AIMessage) -> list[dict[str, Any]]:
    if isinstance(message.content, str):
        return [{"type": "text", "text": message.content}] if message.content else []
    blocks: list[dict[str, Any]] = []
    for part in message.content:
        if isinstance(part, AITextPart):
            blocks.append({"type": "text", "text": part.text})
        else:
            blocks.append(image_block(part))
    return blocks


def build_request(
    context: AIContext, *, model: str, max_tokens: int, temperature: float | None
) -> dict[str, Any]:
    """Keyword arguments of ``messages.create`` for ``context``.

    The system prompt and any ``system`` messages of the history go to the top-level
    ``system`` field; tool results become ``tool_result`` blocks of a user turn.
    """
    system: list[str] = [context.system_prompt] if context.system_prompt else []
    messages: list[dict[str, Any]] = []
    for message in context.messages:
        if message.role == "system":
            if message.text:
                system.append(message.text)
        elif message.role == "tool":
            if not message.tool_call_id:
                raise InvalidContentError("a tool message needs the tool_call_id it answers")
            result = {
                "type": "tool_result",
                "tool_use_id": message.tool_call_id,
                "content": message.text,
            }
            append_turn(messages, "user", [result], key="content")
        elif message.role == "assistant":
            blocks: list[dict[str, Any]] = []
            if message.text:
                blocks.append({"type": "text", "text": message.text})
            blocks.extend(
                {"type": "tool_use", "id": call.id, "name": call.name, "input": call.arguments}
                for call in message.tool_calls
            )
            append_turn(messages, "assistant", blocks, key="content")
        else:
            append_turn(messages, "user", _user_blocks(message), key="content")
    request: dict[str, Any] = {
        "model": context.model or model,
        "max_tokens": context.max_tokens or max_tokens,
        "messages": messages,
    }
    if system:
        request["system"] = "\n\n".join(system)
    temp = context.temperature if context.temperature is not None else temperature
    if temp is not None:
        request["temperature"] = min(temp, 1.0)
    if context.tools:
        request["tools"] = [
            {"name": t.name, "description": t.description, "input_schema": t.parameters}
            for t in context.tools
        ]
    return request


def parse_response(message: Any, *, provider: str) -> AIResponse:
    """An :class:`AIResponse` from a ``Message``."""
    texts: list[str] = []
    calls: list[AIToolCall] = []
    for block in message.content or []:
        if block.type == "text":
            texts.append(block.text)
        elif block.type == "tool_use":
            calls.append(
                AIToolCall(
                    id=block.id,
                    name=block.name,
                    arguments=require_json_object(block.input, tool=block.name, provider=provider),
                )
            )
    return AIResponse(
        content="".join(texts),
        tool_calls=calls,
        finish_reason=message.stop_reason,
        usage=read_usage(message.usage, "input_tokens", "output_tokens"),
        model=message.model,
    )


@dataclass
class _ToolBlock:
    id: str
    name: str
    json_parts: list[str] = field(default_factory=list)


@dataclass
class StreamAssembler:
    """Follows raw stream events: text deltas out, tool-use blocks assembled, stop tracked."""

    provider: str
    stop_reason: str | None = None
    input_tokens: int = 0
    output_tokens: int = 0
    _tools: dict[int, _ToolBlock] = field(default_factory=dict)

    def feed(self, event: Any) -> str:
        """Take one raw event; return the text it adds (possibly empty)."""
        kind = event.type
        if kind == "message_start":
            usage = event.message.usage
            if usage is not None:
                self.input_tokens = usage.input_tokens or 0
                self.output_tokens = usage.output_tokens or 0
        elif kind == "content_block_start":
            block = event.content_block
            if block.type == "tool_use":
                self._tools[event.index] = _ToolBlock(id=block.id, name=block.name)
        elif kind == "content_block_delta":
            delta = event.delta
            if delta.type == "text_delta":
                return str(delta.text)
            if delta.type == "input_json_delta" and event.index in self._tools:
                self._tools[event.index].json_parts.append(delta.partial_json)
        elif kind == "message_delta":
            if event.delta.stop_reason:
                self.stop_reason = event.delta.stop_reason
            if event.usage is not None and event.usage.output_tokens:
                self.output_tokens = event.usage.output_tokens
        return ""

    def usage(self) -> AIUsage:
        """Token usage reported so far."""
        return AIUsage(input_tokens=self.input_tokens, output_tokens=self.output_tokens)

    def tool_calls(self) -> list[AIToolCall]:
        """The tool-use blocks of the stream, in order, with parsed input."""
        return [
            AIToolCall(
                id=block.id,
                name=block.name,
                arguments=parse_tool_arguments(
                    "".join(block.json_parts), tool=block.name, provider=self.provider
                ),
            )
            for _, block in sorted(self._tools.items())
        ]
