"""Translate between RoomKit's AI models and the Chat Completions wire format.

Pure functions over plain dicts and SDK objects read by attribute, so nothing here imports the
openai SDK.
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
    "build_messages",
    "build_request",
    "parse_response",
    "parse_usage",
]


def _content(message: AIMessage, image_detail: str) -> str | list[dict[str, Any]]:
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
            parts.append(
                {"type": "image_url", "image_url": {"url": part.url, "detail": image_detail}}
            )
    return parts


def build_messages(context: AIContext, *, image_detail: str = "auto") -> list[dict[str, Any]]:
    """The ``messages`` array: the system prompt first, then the conversation in order."""
    messages: list[dict[str, Any]] = []
    if context.system_prompt:
        messages.append({"role": "system", "content": context.system_prompt})
    for message in context.messages:
        if message.role == "tool":
            if not message.tool_call_id:
                raise InvalidContentError("a tool message needs the tool_call_id it answers")
            messages.append(
                {"role": "tool", "tool_call_id": message.tool_call_id, "content": message.text}
            )
        elif message.role == "assistant":
            entry: dict[str, Any] = {"role": "assistant", "content": message.text or None}
            if message.tool_calls:
                entry["tool_calls"] = function_tool_calls(message.tool_calls)
            messages.append(entry)
        elif message.role == "system":
            messages.append({"role": "system", "content": message.text})
        else:
            user: dict[str, Any] = {"role": "user", "content": _content(message, image_detail)}
            if message.name:
                user["name"] = message.name
            messages.append(user)
    return messages


def build_request(
    context: AIContext,
    *,
    model: str,
    temperature: float | None,
    max_tokens: int | None,
    max_tokens_param: str,
    image_detail: str,
) -> dict[str, Any]:
    """Keyword arguments of ``chat.completions.create`` for ``context``."""
    request: dict[str, Any] = {
        "model": context.model or model,
        "messages": build_messages(context, image_detail=image_detail),
    }
    temp, limit = effective_sampling(context, temperature, max_tokens)
    if temp is not None:
        request["temperature"] = temp
    if limit is not None:
        request[max_tokens_param] = limit
    if context.tools:
        request["tools"] = function_tools(context.tools)
    return request


def parse_usage(usage: Any) -> AIUsage | None:
    """Token usage of a response or final stream chunk, if reported."""
    return read_usage(usage, "prompt_tokens", "completion_tokens")


def parse_response(completion: Any, *, provider: str) -> AIResponse:
    """An :class:`AIResponse` from a ``ChatCompletion``."""
    if not completion.choices:
        raise ProviderError(f"{provider}: the response has no choices", provider=provider)
    choice = completion.choices[0]
    message = choice.message
    calls = [
        AIToolCall(
            id=call.id,
            name=call.function.name,
            arguments=parse_tool_arguments(
                call.function.arguments, tool=call.function.name, provider=provider
            ),
        )
        for call in (message.tool_calls or [])
        if getattr(call, "function", None) is not None
    ]
    return AIResponse(
        content=message.content or "",
        tool_calls=calls,
        finish_reason=choice.finish_reason,
        usage=parse_usage(completion.usage),
        model=completion.model,
    )


@dataclass
class _PartialCall:
    id: str = ""
    name: str = ""
    arguments: list[str] = field(default_factory=list)


@dataclass
class ToolCallAssembler:
    """Collects streamed tool-call fragments (keyed by index) into whole calls."""

    provider: str
    _calls: dict[int, _PartialCall] = field(default_factory=dict)

    def add(self, deltas: Any) -> None:
        """Feed the ``delta.tool_calls`` list of one stream chunk."""
        for delta in deltas or []:
            partial = self._calls.setdefault(delta.index, _PartialCall())
            if delta.id:
                partial.id = delta.id
            function = delta.function
            if function is not None:
                if function.name:
                    partial.name += function.name
                if function.arguments:
                    partial.arguments.append(function.arguments)

    def calls(self) -> list[AIToolCall]:
        """The assembled calls in index order, with parsed arguments."""
        result = []
        for index in sorted(self._calls):
            partial = self._calls[index]
            if not partial.name:
                raise ProviderError(
                    f"{self.provider}: a streamed tool call has no function name",
                    provider=self.provider,
                    retryable=True,
                )
            result.append(
                AIToolCall(
                    id=partial.id or f"call_{index}",
                    name=partial.name,
                    arguments=parse_tool_arguments(
                        "".join(partial.arguments), tool=partial.name, provider=self.provider
                    ),
                )
            )
        return result
