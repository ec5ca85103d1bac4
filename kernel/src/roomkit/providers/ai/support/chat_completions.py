"""The Chat Completions wire format, shared by OpenAI, Mistral and OpenAI-compatible servers.

Requests are plain dicts; responses and stream chunks are SDK objects read by attribute (or
dicts), so nothing here imports a vendor SDK. The dialects differ in a few details, which
:class:`ChatCompletionsFormat` holds as options.

Reasoning is read wherever these servers put it: a ``reasoning_content`` (vLLM, DeepSeek) or
``reasoning`` (OpenRouter, newer vLLM) field of the message or delta, or ``thinking`` chunks
of a content list (Mistral's Magistral models).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from roomkit.errors import InvalidContentError, ProviderError
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
from roomkit.providers.ai.support.requests import (
    canonical_messages,
    effective_sampling,
    require_image_url,
)
from roomkit.providers.ai.support.tools import (
    ToolCallAssembler,
    function_tool_calls,
    function_tools,
    parse_tool_arguments,
    read_usage,
)
from roomkit.providers.ai.support.vendor import StreamReader

__all__ = [
    "ChatCompletionsFormat",
    "ChatStreamReader",
    "finish_reason_text",
    "parse_chat_completion",
    "parse_chat_usage",
    "text_and_thinking",
]

#: Fields OpenAI-compatible servers put a message's reasoning in.
_REASONING_FIELDS = ("reasoning_content", "reasoning")


@dataclass(frozen=True)
class ChatCompletionsFormat:
    """How one Chat Completions dialect writes a request.

    * ``image_detail`` -- OpenAI sends ``{"url": ..., "detail": ...}`` image parts; ``None``
      sends the bare URL string instead (Mistral).
    * ``name_tool_results`` -- tool messages carry the tool's ``name`` (Mistral).
    * ``name_users`` -- user messages carry the participant ``name`` (OpenAI).
    * ``empty_assistant_content`` -- what an assistant turn with only tool calls sends as
      ``content`` (OpenAI ``None``, Mistral ``""``).
    * ``max_tokens_param`` -- the request field of the output limit.
    """

    image_detail: str | None = "auto"
    name_tool_results: bool = False
    name_users: bool = True
    empty_assistant_content: str | None = None
    max_tokens_param: str = "max_tokens"

    def _image(self, part: AIImagePart) -> dict[str, Any]:
        url = require_image_url(part)
        if self.image_detail is None:
            return {"type": "image_url", "image_url": url}
        return {"type": "image_url", "image_url": {"url": url, "detail": self.image_detail}}

    def _user_content(self, message: AIMessage) -> str | list[dict[str, Any]]:
        if isinstance(message.content, str):
            return message.content
        parts: list[dict[str, Any]] = []
        for part in message.content:
            if isinstance(part, AITextPart):
                parts.append({"type": "text", "text": part.text})
            elif isinstance(part, AIImagePart):
                parts.append(self._image(part))
        return parts

    def messages(self, context: AIContext) -> list[dict[str, Any]]:
        """The ``messages`` array: the system prompt first, then the conversation in order.

        Reasoning parts of earlier turns are not sent: these servers take none back.

        Raises:
            InvalidContentError: a tool message without its ``tool_call_id``, or an image URL
                that is neither http(s) nor a ``data:`` URI.
        """
        messages: list[dict[str, Any]] = []
        if context.system_prompt:
            messages.append({"role": "system", "content": context.system_prompt})
        for message in canonical_messages(context.messages):
            if message.role == "tool":
                if not message.tool_call_id:
                    raise InvalidContentError("a tool message needs the tool_call_id it answers")
                entry: dict[str, Any] = {
                    "role": "tool",
                    "tool_call_id": message.tool_call_id,
                    "content": message.text,
                }
                if self.name_tool_results and message.name:
                    entry["name"] = message.name
                messages.append(entry)
            elif message.role == "assistant":
                assistant: dict[str, Any] = {
                    "role": "assistant",
                    "content": message.text or self.empty_assistant_content,
                }
                if message.tool_calls:
                    assistant["tool_calls"] = function_tool_calls(message.tool_calls)
                messages.append(assistant)
            elif message.role == "system":
                messages.append({"role": "system", "content": message.text})
            else:
                user: dict[str, Any] = {"role": "user", "content": self._user_content(message)}
                if self.name_users and message.name:
                    user["name"] = message.name
                messages.append(user)
        return messages

    def request(
        self,
        context: AIContext,
        *,
        model: str,
        temperature: float | None,
        max_tokens: int | None,
    ) -> dict[str, Any]:
        """The request body for ``context``: model, messages, sampling and tools."""
        request: dict[str, Any] = {
            "model": context.model or model,
            "messages": self.messages(context),
        }
        temp, limit = effective_sampling(context, temperature, max_tokens)
        if temp is not None:
            request["temperature"] = temp
        if limit is not None:
            request[self.max_tokens_param] = limit
        if context.tools:
            request["tools"] = function_tools(context.tools)
        return request


def _field(item: Any, name: str) -> Any:
    if isinstance(item, dict):
        return item.get(name)
    return getattr(item, name, None)


def _texts(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, list):
        return "".join(_texts(_field(v, "text")) if not isinstance(v, str) else v for v in value)
    return ""


def text_and_thinking(message: Any) -> tuple[str, str]:
    """``(text, reasoning)`` of a message or delta: its ``content`` (a string or a list of
    text and thinking chunks) and any reasoning field."""
    content = _field(message, "content")
    text, thinking = "", ""
    if isinstance(content, str):
        text = content
    elif isinstance(content, list):
        for chunk in content:
            kind = _field(chunk, "type")
            if kind == "thinking":
                thinking += _texts(_field(chunk, "thinking"))
            elif kind in (None, "text"):
                text += _texts(_field(chunk, "text"))
    for name in _REASONING_FIELDS:
        value = _field(message, name)
        if isinstance(value, str) and value:
            thinking += value
            break
    return text, thinking


def finish_reason_text(reason: Any) -> str | None:
    """A finish reason as a string (SDK enums included), or ``None``."""
    if reason is None:
        return None
    value = getattr(reason, "value", reason)
    return str(value) if value else None


def parse_chat_usage(usage: Any) -> AIUsage | None:
    """Token usage of a response or stream chunk, if reported."""
    return read_usage(usage, "prompt_tokens", "completion_tokens")


def _call_id(raw: Any, index: int) -> str:
    return raw if isinstance(raw, str) and raw and raw != "null" else f"call_{index}"


def parse_chat_completion(completion: Any, *, provider: str) -> AIResponse:
    """An :class:`AIResponse` from a chat completion response.

    Raises:
        ProviderError: the response has no choices (not retryable), or a tool call's
            arguments are not a JSON object (retryable).
    """
    if not completion.choices:
        raise ProviderError(f"{provider}: the response has no choices", provider=provider)
    choice = completion.choices[0]
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
        if getattr(call, "function", None) is not None
    ]
    text, thinking = text_and_thinking(message)
    return AIResponse(
        content=text,
        thinking=thinking or None,
        tool_calls=calls,
        finish_reason=finish_reason_text(choice.finish_reason),
        usage=parse_chat_usage(completion.usage),
        model=completion.model,
    )


class ChatStreamReader(StreamReader):
    """Reads Chat Completions stream chunks: reasoning and text out, tool calls assembled."""

    def __init__(self, provider: str) -> None:
        super().__init__(provider)
        self._assembler = ToolCallAssembler(provider)

    def feed(self, item: Any) -> Iterable[AIStreamChunk]:
        """Take one ``chat.completion.chunk``."""
        if item.usage is not None:
            self.usage = parse_chat_usage(item.usage)
        if not item.choices:
            return []
        choice = item.choices[0]
        self.finish_reason = finish_reason_text(choice.finish_reason) or self.finish_reason
        delta = choice.delta
        if delta is None:
            return []
        self._assembler.add(delta.tool_calls)
        text, thinking = text_and_thinking(delta)
        return self.text_chunks(text, thinking)

    def tool_calls(self) -> list[AIToolCall]:
        """The assembled tool calls."""
        return self._assembler.calls()
