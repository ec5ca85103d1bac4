"""The wire formats :class:`~roomkit_conformance.wire.scripted.ScriptedLLMServer` speaks.

One :class:`VendorFormat` per vendor writes a scripted reply as that vendor's whole response
body and as its stream of server-sent events, reasoning included, in the shapes the vendors
document (OpenAI Chat Completions with ``reasoning_content`` as vLLM and DeepSeek send it,
Anthropic Messages with ``thinking`` blocks, Mistral chat with ``thinking`` chunks, Gemini
``generateContent`` with ``thought`` parts).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:
    from roomkit_conformance.wire.scripted import ScriptedReply

__all__ = ["FORMATS", "Piece", "VendorFormat", "pieces_of"]

_WORDS = re.compile(r"\s*\S+\s*|\s+")
_USAGE_IN, _USAGE_OUT = 11, 7


@dataclass(frozen=True)
class Piece:
    """One streamed piece: a word of reasoning or text, or a whole tool call."""

    kind: Literal["thinking", "text", "tool"]
    text: str = ""
    name: str = ""
    arguments: dict[str, Any] | None = None


def pieces_of(
    thinking: str, text: str, tool_calls: Sequence[tuple[str, dict[str, Any]]]
) -> list[Piece]:
    """Reasoning words, then text words, then tool calls (words keep their spaces)."""
    pieces = [Piece("thinking", w) for w in _WORDS.findall(thinking)]
    pieces += [Piece("text", w) for w in _WORDS.findall(text)]
    pieces += [Piece("tool", name=n, arguments=a) for n, a in tool_calls]
    return pieces


def _sse(data: Any, event: str | None = None) -> bytes:
    head = f"event: {event}\n" if event else ""
    return f"{head}data: {json.dumps(data)}\n\n".encode()


def _calls(reply: ScriptedReply) -> list[tuple[int, str, dict[str, Any]]]:
    return [(i, name, args) for i, (name, args) in enumerate(reply.tool_calls)]


@dataclass(frozen=True)
class VendorFormat:
    """Where a vendor's endpoint lives and how its responses look."""

    prefix: str
    sdk_root: str
    whole: Callable[[ScriptedReply, str], dict[str, Any]]
    events: Callable[[ScriptedReply, str, dict[str, Any]], Iterator[bytes]]
    model_of: Callable[[str, dict[str, Any]], str] = lambda path, body: str(
        body.get("model", "scripted-model")
    )


# -- OpenAI Chat Completions (and vLLM / DeepSeek reasoning) ----------------------------------


def _openai_tool_calls(reply: ScriptedReply) -> list[dict[str, Any]]:
    return [
        {
            "id": f"call_{i}",
            "type": "function",
            "function": {"name": name, "arguments": json.dumps(args)},
        }
        for i, name, args in _calls(reply)
    ]


def _chat_usage() -> dict[str, int]:
    return {
        "prompt_tokens": _USAGE_IN,
        "completion_tokens": _USAGE_OUT,
        "total_tokens": _USAGE_IN + _USAGE_OUT,
    }


def _finish(reply: ScriptedReply) -> str:
    return "tool_calls" if reply.tool_calls else "stop"


def _openai_whole(reply: ScriptedReply, model: str) -> dict[str, Any]:
    message: dict[str, Any] = {"role": "assistant", "content": reply.text or None}
    if reply.thinking:
        message["reasoning_content"] = reply.thinking
    if reply.tool_calls:
        message["tool_calls"] = _openai_tool_calls(reply)
    return {
        "id": "chatcmpl-scripted",
        "object": "chat.completion",
        "created": 0,
        "model": model,
        "choices": [{"index": 0, "message": message, "finish_reason": _finish(reply)}],
        "usage": _chat_usage(),
    }


def _openai_events(reply: ScriptedReply, model: str, body: dict[str, Any]) -> Iterator[bytes]:
    def chunk(delta: dict[str, Any], finish: str | None = None) -> bytes:
        choice = {"index": 0, "delta": delta, "finish_reason": finish}
        return _sse(
            {
                "id": "chatcmpl-scripted",
                "object": "chat.completion.chunk",
                "created": 0,
                "model": model,
                "choices": [choice],
            }
        )

    yield chunk({"role": "assistant", "content": ""})
    calls = 0
    for piece in reply.pieces():
        if piece.kind == "thinking":
            yield chunk({"reasoning_content": piece.text})
        elif piece.kind == "text":
            yield chunk({"content": piece.text})
        else:
            call = {
                "index": calls,
                "id": f"call_{calls}",
                "type": "function",
                "function": {"name": piece.name, "arguments": json.dumps(piece.arguments)},
            }
            calls += 1
            yield chunk({"tool_calls": [call]})
    yield chunk({}, _finish(reply))
    if (body.get("stream_options") or {}).get("include_usage"):
        yield _sse(
            {
                "id": "chatcmpl-scripted",
                "object": "chat.completion.chunk",
                "created": 0,
                "model": model,
                "choices": [],
                "usage": _chat_usage(),
            }
        )
    yield b"data: [DONE]\n\n"


# -- Mistral chat (Magistral thinking chunks) -----------------------------------------------


def _mistral_content(thinking: str, text: str) -> list[dict[str, Any]] | str:
    if not thinking:
        return text
    content: list[dict[str, Any]] = [
        {"type": "thinking", "thinking": [{"type": "text", "text": thinking}]}
    ]
    if text:
        content.append({"type": "text", "text": text})
    return content


def _mistral_tool_calls(reply: ScriptedReply) -> list[dict[str, Any]]:
    return [
        {"id": f"call{i:05d}", "index": i, "function": {"name": n, "arguments": json.dumps(a)}}
        for i, n, a in _calls(reply)
    ]


def _mistral_whole(reply: ScriptedReply, model: str) -> dict[str, Any]:
    message: dict[str, Any] = {
        "role": "assistant",
        "content": _mistral_content(reply.thinking, reply.text),
    }
    if reply.tool_calls:
        message["tool_calls"] = _mistral_tool_calls(reply)
    return {
        "id": "cmpl-scripted",
        "object": "chat.completion",
        "created": 0,
        "model": model,
        "choices": [{"index": 0, "message": message, "finish_reason": _finish(reply)}],
        "usage": _chat_usage(),
    }


def _mistral_events(reply: ScriptedReply, model: str, body: dict[str, Any]) -> Iterator[bytes]:
    def chunk(delta: dict[str, Any], finish: str | None = None, usage: bool = False) -> bytes:
        data: dict[str, Any] = {
            "id": "cmpl-scripted",
            "object": "chat.completion.chunk",
            "created": 0,
            "model": model,
            "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
        }
        if usage:
            data["usage"] = _chat_usage()
        return _sse(data)

    yield chunk({"role": "assistant", "content": ""})
    calls = _mistral_tool_calls(reply)
    for piece in reply.pieces():
        if piece.kind == "thinking":
            yield chunk({"content": _mistral_content(piece.text, "")})
        elif piece.kind == "text":
            yield chunk({"content": piece.text})
        else:
            yield chunk({"tool_calls": [calls.pop(0)]})
    yield chunk({"content": ""}, _finish(reply), usage=True)
    yield b"data: [DONE]\n\n"


# -- Anthropic Messages (thinking blocks) -----------------------------------------------------


def _stop_reason(reply: ScriptedReply) -> str:
    return "tool_use" if reply.tool_calls else "end_turn"


def _anthropic_whole(reply: ScriptedReply, model: str) -> dict[str, Any]:
    content: list[dict[str, Any]] = []
    if reply.thinking:
        content.append(
            {"type": "thinking", "thinking": reply.thinking, "signature": reply.signature}
        )
    if reply.text:
        content.append({"type": "text", "text": reply.text})
    content += [
        {"type": "tool_use", "id": f"toolu_{i}", "name": n, "input": a} for i, n, a in _calls(reply)
    ]
    return {
        "id": "msg_scripted",
        "type": "message",
        "role": "assistant",
        "model": model,
        "content": content,
        "stop_reason": _stop_reason(reply),
        "stop_sequence": None,
        "usage": {"input_tokens": _USAGE_IN, "output_tokens": _USAGE_OUT},
    }


def _anthropic_events(reply: ScriptedReply, model: str, body: dict[str, Any]) -> Iterator[bytes]:
    message = {**_anthropic_whole(reply, model), "content": [], "stop_reason": None}
    message["usage"] = {"input_tokens": _USAGE_IN, "output_tokens": 1}
    yield _sse({"type": "message_start", "message": message}, "message_start")
    index = -1
    open_kind = ""

    def start(block: dict[str, Any]) -> bytes:
        return _sse(
            {"type": "content_block_start", "index": index, "content_block": block},
            "content_block_start",
        )

    def delta(payload: dict[str, Any]) -> bytes:
        return _sse(
            {"type": "content_block_delta", "index": index, "delta": payload},
            "content_block_delta",
        )

    def stop() -> Iterator[bytes]:
        if open_kind == "thinking":
            yield delta({"type": "signature_delta", "signature": reply.signature})
        if open_kind:
            yield _sse({"type": "content_block_stop", "index": index}, "content_block_stop")

    for piece in reply.pieces():
        if piece.kind != open_kind or piece.kind == "tool":
            yield from stop()
            index += 1
            open_kind = piece.kind
            if piece.kind == "thinking":
                yield start({"type": "thinking", "thinking": "", "signature": ""})
            elif piece.kind == "text":
                yield start({"type": "text", "text": ""})
            else:
                block = {"type": "tool_use", "id": f"toolu_{index}", "name": piece.name}
                yield start({**block, "input": {}})
                yield delta(
                    {"type": "input_json_delta", "partial_json": json.dumps(piece.arguments)}
                )
                continue
        if piece.kind == "thinking":
            yield delta({"type": "thinking_delta", "thinking": piece.text})
        elif piece.kind == "text":
            yield delta({"type": "text_delta", "text": piece.text})
    yield from stop()
    yield _sse(
        {
            "type": "message_delta",
            "delta": {"stop_reason": _stop_reason(reply), "stop_sequence": None},
            "usage": {"output_tokens": _USAGE_OUT},
        },
        "message_delta",
    )
    yield _sse({"type": "message_stop"}, "message_stop")


# -- Gemini generateContent (thought parts) ---------------------------------------------------


def _gemini_model(path: str, body: dict[str, Any]) -> str:
    return path.rsplit("/models/", 1)[-1].split(":", 1)[0] or "gemini-scripted"


def _gemini_parts(reply: ScriptedReply) -> list[dict[str, Any]]:
    parts: list[dict[str, Any]] = []
    if reply.thinking:
        parts.append({"text": reply.thinking, "thought": True})
    if reply.text:
        parts.append({"text": reply.text})
    parts += [{"functionCall": {"name": n, "args": a}} for _, n, a in _calls(reply)]
    _sign(parts, reply.signature)
    return parts


def _sign(parts: list[dict[str, Any]], signature: str) -> None:
    # Gemini signs the first function call of a turn, else its first answer part.
    candidates = [p for p in parts if "functionCall" in p] or [
        p for p in parts if not p.get("thought")
    ]
    if signature and candidates:
        candidates[0]["thoughtSignature"] = signature


def _gemini_response(parts: list[dict[str, Any]], model: str, finish: str | None) -> dict[str, Any]:
    candidate: dict[str, Any] = {"content": {"role": "model", "parts": parts}, "index": 0}
    if finish:
        candidate["finishReason"] = finish
    return {
        "candidates": [candidate],
        "usageMetadata": {
            "promptTokenCount": _USAGE_IN,
            "candidatesTokenCount": _USAGE_OUT,
            "totalTokenCount": _USAGE_IN + _USAGE_OUT,
        },
        "modelVersion": model,
    }


def _gemini_whole(reply: ScriptedReply, model: str) -> dict[str, Any]:
    return _gemini_response(_gemini_parts(reply), model, "STOP")


def _gemini_events(reply: ScriptedReply, model: str, body: dict[str, Any]) -> Iterator[bytes]:
    signed = not reply.signature
    for piece in reply.pieces():
        if piece.kind == "thinking":
            part: dict[str, Any] = {"text": piece.text, "thought": True}
        elif piece.kind == "text":
            part = {"text": piece.text}
        else:
            part = {"functionCall": {"name": piece.name, "args": piece.arguments}}
        if (
            not signed
            and piece.kind != "thinking"
            and (piece.kind == "tool" or not reply.tool_calls)
        ):
            part["thoughtSignature"] = reply.signature
            signed = True
        yield _sse(_gemini_response([part], model, None))
    yield _sse(_gemini_response([{"text": ""}], model, "STOP"))


FORMATS: dict[str, VendorFormat] = {
    "openai": VendorFormat("/openai/", "/openai/v1", _openai_whole, _openai_events),
    "mistral": VendorFormat("/mistral/", "/mistral", _mistral_whole, _mistral_events),
    "anthropic": VendorFormat("/anthropic/", "/anthropic", _anthropic_whole, _anthropic_events),
    "gemini": VendorFormat(
        "/gemini/", "/gemini", _gemini_whole, _gemini_events, model_of=_gemini_model
    ),
}
"""Each vendor's format, by the name :meth:`ScriptedLLMServer.base_url` takes."""
