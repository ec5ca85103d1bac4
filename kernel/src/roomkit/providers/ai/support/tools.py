"""Tool calls and token usage: decoding what models send, encoding what they are given."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from roomkit.errors import ProviderError
from roomkit.models.ai import AIToolCall, AIUsage
from roomkit.models.room import AITool

__all__ = [
    "ToolCallAssembler",
    "function_tool_calls",
    "function_tools",
    "parse_tool_arguments",
    "read_usage",
    "require_json_object",
]


def require_json_object(value: Any, *, tool: str, provider: str) -> dict[str, Any]:
    """``value`` if it is a dict (decoded JSON object), else a retryable :class:`ProviderError`."""
    if isinstance(value, dict):
        return value
    raise ProviderError(
        f"{provider}: arguments of tool {tool!r} must be a JSON object, got {type(value).__name__}",
        provider=provider,
        retryable=True,
    )


def parse_tool_arguments(raw: Any, *, tool: str, provider: str) -> dict[str, Any]:
    """The arguments of a tool call as a dict.

    ``raw`` is what the model sent: a JSON string (possibly assembled from stream fragments)
    or an already decoded object. ``None`` and blank strings mean no arguments (``{}``).

    Raises:
        ProviderError: (retryable - the model may do better next time) ``raw`` is not valid
            JSON or does not hold a JSON object.
    """
    if isinstance(raw, dict):
        return raw
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return {}
    try:
        value = json.loads(raw)
    except (TypeError, ValueError) as exc:
        raise ProviderError(
            f"{provider}: the model sent invalid JSON arguments for tool {tool!r}",
            provider=provider,
            retryable=True,
        ) from exc
    return require_json_object(value, tool=tool, provider=provider)


def read_usage(usage: Any, input_field: str, output_field: str) -> AIUsage | None:
    """An :class:`AIUsage` from a vendor usage object, or ``None`` when there is none.

    ``input_field`` / ``output_field`` name the object's token counters (e.g.
    ``"prompt_tokens"`` / ``"completion_tokens"``); missing or null counters count as 0.
    """
    if usage is None:
        return None
    return AIUsage(
        input_tokens=getattr(usage, input_field, 0) or 0,
        output_tokens=getattr(usage, output_field, 0) or 0,
    )


def function_tools(tools: Iterable[AITool]) -> list[dict[str, Any]]:
    """``tools`` in the Chat Completions ``{"type": "function", ...}`` shape.

    The shape OpenAI, Mistral and the OpenAI-compatible servers (vLLM, ...) take.
    """
    return [
        {
            "type": "function",
            "function": {
                "name": tool.name,
                "description": tool.description,
                "parameters": tool.parameters,
            },
        }
        for tool in tools
    ]


def function_tool_calls(calls: Iterable[AIToolCall]) -> list[dict[str, Any]]:
    """An assistant message's ``tool_calls`` in the Chat Completions shape.

    Arguments are sent as a JSON string, as that format requires.
    """
    return [
        {
            "id": call.id,
            "type": "function",
            "function": {"name": call.name, "arguments": json.dumps(call.arguments)},
        }
        for call in calls
    ]


def _real_id(value: Any) -> str:
    # Some servers send the literal "null" for a missing id.
    return value if isinstance(value, str) and value and value != "null" else ""


@dataclass
class _PartialCall:
    id: str = ""
    name: str = ""
    fragments: list[str] = field(default_factory=list)
    whole: dict[str, Any] | None = None


@dataclass
class ToolCallAssembler:
    """Collects streamed tool-call fragments into whole calls.

    Feed it the ``delta.tool_calls`` list of each Chat Completions stream chunk. Fragments
    are keyed by their ``index`` (their position in the list when a server sends none); a
    call's name and JSON arguments may arrive in pieces, or its arguments as a whole object.
    """

    provider: str
    _calls: dict[int, _PartialCall] = field(default_factory=dict)

    def add(self, deltas: Any) -> None:
        """Take the ``delta.tool_calls`` of one stream chunk (``None`` is fine)."""
        for position, delta in enumerate(deltas or []):
            index = delta.index if isinstance(getattr(delta, "index", None), int) else position
            partial = self._calls.setdefault(index, _PartialCall())
            partial.id = _real_id(getattr(delta, "id", None)) or partial.id
            function = getattr(delta, "function", None)
            if function is None:
                continue
            if function.name:
                partial.name += function.name
            if isinstance(function.arguments, dict):
                partial.whole = function.arguments
            elif function.arguments:
                partial.fragments.append(function.arguments)

    def calls(self) -> list[AIToolCall]:
        """The assembled calls in index order, with parsed arguments.

        Raises:
            ProviderError: (retryable) a call has no name or invalid JSON arguments.
        """
        result = []
        for index in sorted(self._calls):
            partial = self._calls[index]
            if not partial.name:
                raise ProviderError(
                    f"{self.provider}: a streamed tool call has no function name",
                    provider=self.provider,
                    retryable=True,
                )
            raw: Any = partial.whole if partial.whole is not None else "".join(partial.fragments)
            result.append(
                AIToolCall(
                    id=partial.id or f"call_{index}",
                    name=partial.name,
                    arguments=parse_tool_arguments(raw, tool=partial.name, provider=self.provider),
                )
            )
        return result
