"""Translate between RoomKit's AI models and Mistral's chat wire format.

Pure functions over plain dicts and SDK objects read by attribute; no SDK import.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from roomkit.errors import InvalidContentError, ProviderError
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
    effective_sampling,
    function_tool_calls,
    function_tools,
    parse_tool_arguments,
    read_usage,
)

__all__ = [
    "ToolCallAssembler",
    "build_request",
    "parse_response",
    "parse_usage",
    "text_of",
]


def _content(message: AIMessage) -> str | list[dict[str, Any]]:
    if isinstance(message.content, str):
        return message.content
    parts: list[dict[str, Any]] = []
    for part in message.content:
        if isinstance(part, AITextPart):
            parts.append({"type": "text", "text": part.text})
        elif isinstance(part, AIImagePart):
            if not part.url.startswith(("http://", "https://", "data:")):
                raise InvalidContentError(
                    f"image url must be http(s) or a data: URI, got {part.url[:40]!r}"
                )
            parts.append({"type": "image_url", "image_url": part.url})
    return parts


def _messages(context: AIContext) -> list[dict[str, Any]]:
    messages: list[dict[str, Any]] = []
    if context.system_prompt:
        messages.append({"role": "system", "content": context.system_prompt})
    for message in context.messages:
        if message.role == "tool":
            if not message.tool_call_id:
                raise InvalidContentError("a tool message needs the tool_call_id it answers")
            entry: dict[str, Any] = {
                "role": "tool",
                "tool_call_id": message.tool_call_id,
                "content": message.text,
            }
            if message.name:
                entry["name"] = message.name
            messages.append(entry)
        elif message.role == "assistant":
            assistant: dict[str, Any] = {"role": "assistant", "content": message.text}
            if message.tool_calls:
                assistant["tool_calls"] = function_tool_calls(message.tool_calls)
            messages.append(assistant)
        elif message.role == "system":
            messages.append({"role": "system", "content": message.text})
        else:
            messages.append({"role": "user", "content": _content(message)})
    return messages


def build_request(
    context: AIContext,
    *,
    model: str,
    temperature: float | None,
    max_tokens: int | None,
    safe_prompt: bool,
) -> dict[str, Any]:
    """Keyword arguments of ``chat.complete_async`` / ``chat.stream_async``."""
    request: dict[str, Any] = {"model": context.model or model, "messages": _messages(context)}
    temp, limit = effective_sampling(context, temperature, max_tokens)
    if temp is not None:
        request["temperature"] = temp
    if limit is not None:
        request["max_tokens"] = limit
    if safe_prompt:
        request["safe_prompt"] = True
    if context.tools:
        request["tools"] = function_tools(context.tools)
    return request


def text_of(content: Any) -> str:
    """The text of a message or delta ``content``: a string or a list of chunks."""
    if content is None or isinstance(content, str):
        return content or ""
    if isinstance(content, list):
        return "".join(str(getattr(chunk, "text", "") or "") for chunk in content)
    return ""


def _call_id(raw: Any, index: int) -> str:
    return raw if isinstance(raw, str) and raw and raw != "null" else f"call_{index}"


def parse_usage(usage: Any) -> AIUsage | None:
    """Token usage, if the response carries it."""
    return read_usage(usage, "prompt_tokens", "completion_tokens")


def parse_response(response: Any, *, provider: str) -> AIResponse:
    """An :class:`AIResponse` from a ``ChatCompletionResponse``."""
    if not response.choices:
        raise ProviderError(f"{provider}: the response has no choices", provider=provider)
    choice = response.choices[0]
    message = choice.message
    calls = [
        AIToolCall(
            id=_call_id(call.id, index),
            name=call.function.name,
            arguments=parse_tool_arguments(
                call.function.arguments, tool=call.function.name, provider=provider
            ),
        )
        for index, call in enumerate(message.tool_calls or [])
    ]
    return AIResponse(
        content=text_of(message.content),
        tool_calls=calls,
        finish_reason=str(choice.finish_reason) if choice.finish_reason else None,
        usage=parse_usage(response.usage),
        model=response.model,
    )


@dataclass
class _PartialCall:
    id: str = ""
    name: str = ""
    arguments: list[str] = field(default_factory=list)
    whole: dict[str, Any] | None = None


@dataclass
class ToolCallAssembler:
    """Collects streamed tool calls (keyed by index) into whole calls."""

    provider: str
    _calls: dict[int, _PartialCall] = field(default_factory=dict)

    def add(self, deltas: Any) -> None:
        """Feed the ``delta.tool_calls`` list of one stream chunk."""
        for position, delta in enumerate(deltas or []):
            index = delta.index if isinstance(delta.index, int) else position
            partial = self._calls.setdefault(index, _PartialCall())
            if isinstance(delta.id, str) and delta.id and delta.id != "null":
                partial.id = delta.id
            function = delta.function
            if function.name:
                partial.name += function.name
            if isinstance(function.arguments, dict):
                partial.whole = function.arguments
            elif function.arguments:
                partial.arguments.append(function.arguments)

    def calls(self) -> list[AIToolCall]:
        """The assembled calls in index order, with parsed arguments."""
        result = []
        for index in sorted(self._calls):
            partial = self._calls[index]
            raw: Any = partial.whole if partial.whole is not None else "".join(partial.arguments)
            result.append(
                AIToolCall(
                    id=partial.id or f"call_{index}",
                    name=partial.name,
                    arguments=parse_tool_arguments(raw, tool=partial.name, provider=self.provider),
                )
            )
        return result
