"""Translate between RoomKit's AI models and Gemini's ``generateContent`` shapes.

Requests are built as plain dicts (the google-genai SDK validates them into its types);
responses are read by attribute. Nothing here imports the SDK.
"""

from __future__ import annotations

import base64
import binascii
import mimetypes
import uuid
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
    effective_sampling,
    read_usage,
    require_json_object,
)

__all__ = ["ResponseReader", "build_request", "image_part", "new_call_id"]


def new_call_id() -> str:
    """An id for a function call; Gemini matches results by name and does not always send one."""
    return f"call_{uuid.uuid4().hex[:24]}"


def image_part(part: AIImagePart) -> dict[str, Any]:
    """An ``inline_data`` part for a base64 ``data:`` URI, or ``file_data`` for a URL."""
    url = part.url
    if url.startswith("data:"):
        header, sep, data = url[5:].partition(",")
        media_type, _, encoding = header.partition(";")
        if not sep or encoding != "base64" or not data:
            raise InvalidContentError("image data: URIs must be base64 encoded")
        try:
            raw = base64.b64decode(data, validate=True)
        except (binascii.Error, ValueError) as exc:
            raise InvalidContentError("image data: URI holds invalid base64") from exc
        mime = part.mime_type or media_type or "image/png"
        return {"inline_data": {"data": raw, "mime_type": mime}}
    if url.startswith(("http://", "https://", "gs://")):
        guessed = part.mime_type or mimetypes.guess_type(url)[0]
        if not guessed:
            raise InvalidContentError(
                f"cannot tell the image type of {url[:60]!r}; set AIImagePart.mime_type"
            )
        return {"file_data": {"file_uri": url, "mime_type": guessed}}
    raise InvalidContentError(f"image url must be http(s), gs:// or a data: URI, got {url[:40]!r}")


def _user_parts(message: AIMessage) -> list[dict[str, Any]]:
    if isinstance(message.content, str):
        return [{"text": message.content}] if message.content else []
    parts: list[dict[str, Any]] = []
    for part in message.content:
        if isinstance(part, AITextPart):
            parts.append({"text": part.text})
        else:
            parts.append(image_part(part))
    return parts


def build_request(
    context: AIContext, *, model: str, temperature: float | None, max_tokens: int | None
) -> dict[str, Any]:
    """Keyword arguments of ``aio.models.generate_content`` for ``context``.

    The system prompt and ``system`` messages become ``system_instruction``; assistant turns
    use the ``model`` role; tool results become ``function_response`` parts named after the
    call they answer.
    """
    system: list[str] = [context.system_prompt] if context.system_prompt else []
    contents: list[dict[str, Any]] = []
    call_names: dict[str, str] = {}
    for message in context.messages:
        if message.role == "system":
            if message.text:
                system.append(message.text)
        elif message.role == "assistant":
            parts: list[dict[str, Any]] = [{"text": message.text}] if message.text else []
            for call in message.tool_calls:
                call_names[call.id] = call.name
                parts.append(
                    {"function_call": {"id": call.id, "name": call.name, "args": call.arguments}}
                )
            append_turn(contents, "model", parts, key="parts")
        elif message.role == "tool":
            name = message.name or call_names.get(message.tool_call_id or "")
            if not name:
                raise InvalidContentError(
                    "a tool message needs the tool name (AIMessage.name) or a tool_call_id "
                    "matching an earlier assistant tool call"
                )
            response: dict[str, Any] = {"name": name, "response": {"result": message.text}}
            if message.tool_call_id:
                response["id"] = message.tool_call_id
            append_turn(contents, "user", [{"function_response": response}], key="parts")
        else:
            append_turn(contents, "user", _user_parts(message), key="parts")
    config: dict[str, Any] = {"automatic_function_calling": {"disable": True}}
    if system:
        config["system_instruction"] = "\n\n".join(system)
    temp, limit = effective_sampling(context, temperature, max_tokens)
    if temp is not None:
        config["temperature"] = temp
    if limit is not None:
        config["max_output_tokens"] = limit
    if context.tools:
        config["tools"] = [
            {
                "function_declarations": [
                    {
                        "name": t.name,
                        "description": t.description,
                        "parameters_json_schema": t.parameters,
                    }
                    for t in context.tools
                ]
            }
        ]
    return {"model": context.model or model, "contents": contents, "config": config}


def _finish(candidate: Any) -> str | None:
    reason = getattr(candidate, "finish_reason", None)
    if reason is None:
        return None
    value = getattr(reason, "value", reason)
    return str(value)


class ResponseReader:
    """Reads ``GenerateContentResponse`` objects: whole responses or stream chunks."""

    def __init__(self, provider: str) -> None:
        self.provider = provider
        self.finish_reason: str | None = None
        self.usage: AIUsage | None = None
        self.tool_calls: list[AIToolCall] = []

    def feed(self, response: Any) -> str:
        """Take one response (or stream chunk); return its text and collect its calls."""
        usage = read_usage(
            getattr(response, "usage_metadata", None),
            "prompt_token_count",
            "candidates_token_count",
        )
        if usage is not None:
            self.usage = usage
        if not response.candidates:
            return ""
        candidate = response.candidates[0]
        self.finish_reason = _finish(candidate) or self.finish_reason
        content = candidate.content
        texts: list[str] = []
        for part in (content.parts if content is not None else None) or []:
            if part.function_call is not None:
                self.tool_calls.append(self._call(part.function_call))
            elif part.text and not part.thought:
                texts.append(part.text)
        return "".join(texts)

    def _call(self, call: Any) -> AIToolCall:
        args = call.args if call.args is not None else {}
        name = call.name or ""
        arguments = require_json_object(args, tool=name, provider=self.provider)
        return AIToolCall(id=call.id or new_call_id(), name=name, arguments=arguments)

    def response(self, text: str, model: str | None) -> AIResponse:
        """The :class:`AIResponse` for what was read."""
        return AIResponse(
            content=text,
            tool_calls=self.tool_calls,
            finish_reason=self.finish_reason,
            usage=self.usage,
            model=model,
        )
