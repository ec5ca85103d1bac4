"""Translate between RoomKit's AI models and the Anthropic Messages wire format.

Pure functions over plain dicts and SDK objects read by attribute; no SDK import.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from roomkit.errors import InvalidContentError
from roomkit.models.ai import (
    AIContext,
    AIImagePart,
    AIMessage,
    AIResponse,
    AIStreamChunk,
    AITextPart,
    AIToolCall,
    AIUsage,
)
from roomkit.providers.ai.support import (
    StreamReader,
    append_turn,
    canonical_messages,
    parse_data_uri,
    parse_tool_arguments,
    read_usage,
    require_image_url,
    require_json_object,
    thinking_parts,
)

__all__ = ["AnthropicStreamReader", "build_request", "image_block", "parse_response"]

_IMAGE_TYPES = frozenset({"image/jpeg", "image/png", "image/gif", "image/webp"})


def image_block(part: AIImagePart) -> dict[str, Any]:
    """An ``image`` content block for a URL or a base64 ``data:`` URI."""
    url = require_image_url(part)
    if not url.startswith("data:"):
        return {"type": "image", "source": {"type": "url", "url": url}}
    media_type, data = parse_data_uri(url)
    media_type = part.mime_type or media_type
    if media_type not in _IMAGE_TYPES:
        raise InvalidContentError(
            f"image type {media_type!r} is not supported; use one of {sorted(_IMAGE_TYPES)}"
        )
    return {"type": "image", "source": {"type": "base64", "media_type": media_type, "data": data}}


def _user_blocks(message: AIMessage) -> list[dict[str, Any]]:
    if isinstance(message.content, str):
        return [{"type": "text", "text": message.content}] if message.content else []
    blocks: list[dict[str, Any]] = []
    for part in message.content:
        if isinstance(part, AITextPart):
            blocks.append({"type": "text", "text": part.text})
        elif isinstance(part, AIImagePart):
            blocks.append(image_block(part))
    return blocks


def _assistant_blocks(message: AIMessage) -> list[dict[str, Any]]:
    # Signed reasoning goes first, as the API requires for a turn that used tools; unsigned
    # reasoning (from another vendor) cannot be verified by Anthropic and is left out.
    blocks: list[dict[str, Any]] = [
        {"type": "thinking", "thinking": part.thinking, "signature": part.signature}
        for part in thinking_parts(message)
        if part.signature
    ]
    if message.text:
        blocks.append({"type": "text", "text": message.text})
    blocks.extend(
        {"type": "tool_use", "id": call.id, "name": call.name, "input": call.arguments}
        for call in message.tool_calls
    )
    return blocks


def build_request(
    context: AIContext,
    *,
    model: str,
    max_tokens: int,
    temperature: float | None,
    thinking_budget: int | None = None,
) -> dict[str, Any]:
    """Keyword arguments of ``messages.create`` for ``context``.

    The system prompt and any ``system`` messages of the history go to the top-level
    ``system`` field; tool results become ``tool_result`` blocks of a user turn. A thinking
    budget (the context's, else ``thinking_budget``) turns extended thinking on: the output
    limit then covers the budget plus ``max_tokens``, and ``temperature`` is not sent (the API
    refuses it with thinking).
    """
    system: list[str] = [context.system_prompt] if context.system_prompt else []
    messages: list[dict[str, Any]] = []
    for message in canonical_messages(context.messages):
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
            append_turn(messages, "assistant", _assistant_blocks(message), key="content")
        else:
            append_turn(messages, "user", _user_blocks(message), key="content")
    limit = context.max_tokens or max_tokens
    budget = context.thinking_budget or thinking_budget
    request: dict[str, Any] = {"model": context.model or model, "messages": messages}
    if system:
        request["system"] = "\n\n".join(system)
    if budget:
        request["thinking"] = {"type": "enabled", "budget_tokens": budget}
        limit += budget
    else:
        temp = context.temperature if context.temperature is not None else temperature
        if temp is not None:
            request["temperature"] = min(temp, 1.0)
    request["max_tokens"] = limit
    if context.tools:
        request["tools"] = [
            {"name": t.name, "description": t.description, "input_schema": t.parameters}
            for t in context.tools
        ]
    return request


def parse_response(message: Any, *, provider: str) -> AIResponse:
    """An :class:`AIResponse` from a ``Message``, with its thinking blocks as ``thinking``."""
    texts: list[str] = []
    thoughts: list[str] = []
    signature: str | None = None
    calls: list[AIToolCall] = []
    for block in message.content or []:
        if block.type == "text":
            texts.append(block.text)
        elif block.type == "thinking":
            thoughts.append(block.thinking)
            signature = block.signature or signature
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
        thinking="".join(thoughts) or None,
        thinking_signature=signature,
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


class AnthropicStreamReader(StreamReader):
    """Follows raw stream events: thinking and text deltas out, tool-use blocks assembled,
    the stop reason kept only once ``message_stop`` arrived (else the stream was cut)."""

    def __init__(self, provider: str) -> None:
        super().__init__(provider)
        self._stop_reason: str | None = None
        self._input_tokens = 0
        self._output_tokens = 0
        self._tools: dict[int, _ToolBlock] = {}

    def feed(self, item: Any) -> Iterable[AIStreamChunk]:
        """Take one raw event."""
        kind = item.type
        if kind == "message_start":
            usage = item.message.usage
            if usage is not None:
                self._input_tokens = usage.input_tokens or 0
                self._output_tokens = usage.output_tokens or 0
        elif kind == "content_block_start":
            block = item.content_block
            if block.type == "tool_use":
                self._tools[item.index] = _ToolBlock(id=block.id, name=block.name)
        elif kind == "content_block_delta":
            return self._delta(item.index, item.delta)
        elif kind == "message_delta":
            if item.delta.stop_reason:
                self._stop_reason = item.delta.stop_reason
            if item.usage is not None and item.usage.output_tokens:
                self._output_tokens = item.usage.output_tokens
        elif kind == "message_stop":
            self.finish_reason = self._stop_reason
        self.usage = AIUsage(input_tokens=self._input_tokens, output_tokens=self._output_tokens)
        return []

    def _delta(self, index: int, delta: Any) -> list[AIStreamChunk]:
        if delta.type == "text_delta":
            return self.text_chunks(text=str(delta.text))
        if delta.type == "thinking_delta":
            return self.text_chunks(thinking=str(delta.thinking))
        if delta.type == "signature_delta":
            self.thinking_signature = str(delta.signature)
        elif delta.type == "input_json_delta" and index in self._tools:
            self._tools[index].json_parts.append(delta.partial_json)
        return []

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
