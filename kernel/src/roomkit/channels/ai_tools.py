"""Running the tools a model calls during an AI channel's turn.

Handlers are looked up by name (tools added with ``register_tool``), then among the channel's
skill tools, then the channel's ``tool_handler``. The tool policy is checked first, each call
is bounded by ``tool_timeout``, and every failure becomes an ``{"error": ...}`` result the
model can read: a tool never breaks the turn.
"""

from __future__ import annotations

import asyncio
import json
import time
from typing import TYPE_CHECKING, Any

from roomkit.models.ai import AIToolCall
from roomkit.models.enums import EphemeralEventType
from roomkit.models.event import EphemeralEvent
from roomkit.tools.compose import UnknownToolError
from roomkit.tools.context import ToolCallContext, tool_context

if TYPE_CHECKING:
    from roomkit.channels.ai import AIChannel

__all__ = ["call_tool", "run_tool_round", "tool_result_text"]

_MAX_TOOL_RESULT = 16_000


def tool_result_text(value: Any) -> str:
    """A tool result as text for the model (JSON unless it is text already)."""
    return value if isinstance(value, str) else json.dumps(value, default=str)


async def run_tool_round(
    channel: AIChannel, calls: list[AIToolCall], turn: ToolCallContext, round_number: int
) -> list[str]:
    """Run one round of tool calls in order, between ``TOOL_CALL_START`` and
    ``TOOL_CALL_END`` realtime events; the results are the texts fed back to the model."""
    described = [{"id": c.id, "name": c.name, "arguments": c.arguments} for c in calls]
    await channel._publish(
        EphemeralEvent(
            room_id=turn.room_id,
            type=EphemeralEventType.TOOL_CALL_START,
            channel_id=channel.channel_id,
            user_id=channel.channel_id,
            data={"tool_calls": described, "round": round_number},
        ),
    )
    started = time.perf_counter()
    results: list[str] = []
    errors = 0
    with tool_context(turn):
        for call in calls:
            result, failed = await call_tool(channel, call)
            errors += failed
            results.append(result)
    duration_ms = round((time.perf_counter() - started) * 1000, 3)
    await channel._publish(
        EphemeralEvent(
            room_id=turn.room_id,
            type=EphemeralEventType.TOOL_CALL_END,
            channel_id=channel.channel_id,
            user_id=channel.channel_id,
            data={
                "tool_calls": described,
                "round": round_number,
                "duration_ms": duration_ms,
                "errors": errors,
            },
        ),
    )
    return results


async def call_tool(channel: AIChannel, call: AIToolCall) -> tuple[str, bool]:
    """Run one call; any failure becomes an error result for the model."""
    try:
        if channel.tool_policy is not None:
            channel.tool_policy.check(call.name)
        handler = channel._named_handlers.get(call.name)
        if handler is None and channel._skills is not None and channel._skills.owns(call.name):
            handler = channel._skills.handle
        handler = handler or channel.tool_handler
        if handler is None:
            raise UnknownToolError(call.name, f"no handler is configured for tool {call.name!r}")
        result = await asyncio.wait_for(handler(call.name, call.arguments), channel.tool_timeout)
    except asyncio.CancelledError:
        raise
    except TimeoutError:
        return tool_result_text(
            {"error": f"tool {call.name!r} timed out after {channel.tool_timeout}s"}
        ), True
    except Exception as exc:
        return tool_result_text({"error": f"{type(exc).__name__}: {exc}"}), True
    text = tool_result_text(result)
    if len(text) > _MAX_TOOL_RESULT:
        text = text[:_MAX_TOOL_RESULT] + "...[truncated]"
    return text, False
