"""Translate between RoomKit's AI models and Gemini's ``generateContent`` shapes.

Requests are built as plain dicts (the google-genai SDK validates them into its types);
responses are read by attribute. Nothing here imports the SDK.
"""

from __future__ import annotations

import base64
import binascii
import mimetypes
import uuid
from collections.abc import Iterable
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
)
from roomkit.providers.ai.support import (
    StreamReader,
    append_turn,
    canonical_messages,
    effective_sampling,
    parse_data_uri,
    read_usage,
    require_image_url,
    require_json_object,
    thinking_parts,
)

__all__ = ["GeminiReader", "build_request", "image_part", "new_call_id"]


def new_call_id() -> str:
    """An id for a function call; Gemini matches results by name and does not always send one."""
    return f"call_{uuid.uuid4().hex[:24]}"


def image_part(part: AIImagePart) -> dict[str, Any]:
    """An ``inline_data`` part for a base64 ``data:`` URI, or ``file_data`` for a URL."""
    url = require_image_url(part, ("http://", "https://", "gs://"))
    if url.startswith("data:"):
        media_type, data = parse_data_uri(url)
        try:
            raw = base64.b64decode(data, validate=True)
        except (binascii.Error, ValueError) as exc:
            raise InvalidContentError("image data: URI holds invalid base64") from exc
        mime = part.mime_type or media_type or "image/png"
        return {"inline_data": {"data": raw, "mime_type": mime}}
    guessed = part.mime_type or mimetypes.guess_type(url)[0]
    if not guessed:
        raise InvalidContentError(
            f"cannot tell the image type of {url[:60]!r}; set AIImagePart.mime_type"
        )
    return {"file_data": {"file_uri": url, "mime_type": guessed}}


def _user_parts(message: AIMessage) -> list[dict[str, Any]]:
    if isinstance(message.content, str):
        return [{"text": message.content}] if message.content else []
    parts: list[dict[str, Any]] = []
    for part in message.content:
        if isinstance(part, AITextPart):
            parts.append({"text": part.text})
        elif isinstance(part, AIImagePart):
            parts.append(image_part(part))
    return parts


def _model_parts(message: AIMessage, call_names: dict[str, str]) -> list[dict[str, Any]]:
    parts: list[dict[str, Any]] = [{"text": message.text}] if message.text else []
    for call in message.tool_calls:
        call_names[call.id] = call.name
        parts.append({"function_call": {"id": call.id, "name": call.name, "args": call.arguments}})
    # Gemini signs its reasoning on the first function call of a turn (else its first part)
    # and wants the signature back there; the thought text itself is not sent back.
    signature = next((p.signature for p in thinking_parts(message) if p.signature), None)
    if signature and parts:
        target = next((p for p in parts if "function_call" in p), parts[0])
        try:
            target["thought_signature"] = base64.b64decode(signature, validate=True)
        except (binascii.Error, ValueError) as exc:
            raise InvalidContentError("a Gemini thought signature must be base64") from exc
    return parts


def build_request(
    context: AIContext,
    *,
    model: str,
    temperature: float | None,
    max_tokens: int | None,
    thinking_budget: int | None = None,
) -> dict[str, Any]:
    """Keyword arguments of ``aio.models.generate_content`` for ``context``.

    The system prompt and ``system`` messages become ``system_instruction``; assistant turns
    use the ``model`` role; tool results become ``function_response`` parts named after the
    call they answer. A thinking budget (the context's, else ``thinking_budget``) sets
    ``thinking_config`` and asks for thought summaries.
    """
    system: list[str] = [context.system_prompt] if context.system_prompt else []
    contents: list[dict[str, Any]] = []
    call_names: dict[str, str] = {}
    for message in canonical_messages(context.messages):
        if message.role == "system":
            if message.text:
                system.append(message.text)
        elif message.role == "assistant":
            append_turn(contents, "model", _model_parts(message, call_names), key="parts")
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
    budget = context.thinking_budget or thinking_budget
    if budget:
        config["thinking_config"] = {"thinking_budget": budget, "include_thoughts": True}
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


class GeminiReader(StreamReader):
    """Reads ``GenerateContentResponse`` objects: whole responses or stream chunks.

    Thought parts (``thought=True``) become reasoning; the first ``thought_signature`` seen
    (base64 text) becomes the signature to send back with the turn.
    """

    def __init__(self, provider: str) -> None:
        super().__init__(provider)
        self._calls: list[AIToolCall] = []

    def feed(self, item: Any) -> Iterable[AIStreamChunk]:
        """Take one response (or stream chunk)."""
        text, thinking = self.read(item)
        return self.text_chunks(text, thinking)

    def read(self, response: Any) -> tuple[str, str]:
        """``(text, thinking)`` of one response; collects its calls, usage and finish reason."""
        usage = read_usage(
            getattr(response, "usage_metadata", None),
            "prompt_token_count",
            "candidates_token_count",
        )
        if usage is not None:
            self.usage = usage
        if not response.candidates:
            return "", ""
        candidate = response.candidates[0]
        self.finish_reason = _finish(candidate) or self.finish_reason
        content = candidate.content
        texts: list[str] = []
        thoughts: list[str] = []
        for part in (content.parts if content is not None else None) or []:
            signature = getattr(part, "thought_signature", None)
            if signature and self.thinking_signature is None:
                self.thinking_signature = base64.b64encode(signature).decode("ascii")
            if part.function_call is not None:
                self._calls.append(self._call(part.function_call))
            elif part.text and part.thought:
                thoughts.append(part.text)
            elif part.text:
                texts.append(part.text)
        return "".join(texts), "".join(thoughts)

    def _call(self, call: Any) -> AIToolCall:
        args = call.args if call.args is not None else {}
        name = call.name or ""
        arguments = require_json_object(args, tool=name, provider=self.provider)
        return AIToolCall(id=call.id or new_call_id(), name=name, arguments=arguments)

    def tool_calls(self) -> list[AIToolCall]:
        """The function calls read so far."""
        return list(self._calls)

    def response(self, response: Any, model: str | None) -> AIResponse:
        """The :class:`AIResponse` for one whole ``generateContent`` response."""
        text, thinking = self.read(response)
        return AIResponse(
            content=text,
            thinking=thinking or None,
            thinking_signature=self.thinking_signature,
            tool_calls=self.tool_calls(),
            finish_reason=self.finish_reason,
            usage=self.usage,
            model=model,
        )
