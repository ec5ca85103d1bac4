"""Who is calling a tool: the room, channel and event behind the current tool call.

Tool handlers take only ``(name, arguments)``; handlers that need to know the room (the
handoff tool, per-room lookups) read :func:`get_tool_context` while they run. AI channels set
it around every tool call.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any

from roomkit.models.event import RoomEvent

__all__ = ["ToolCallContext", "get_tool_context", "tool_context"]


@dataclass
class ToolCallContext:
    """The room, channel and triggering event of a tool call, plus per-turn scratch data.

    ``extra_events`` collects room events a tool wants posted after the channel's own reply
    (the handoff greeting uses it); the AI channel returns them with its response.
    """

    room_id: str
    channel_id: str
    event: RoomEvent | None = None
    extra_events: list[RoomEvent] = field(default_factory=list)
    data: dict[str, Any] = field(default_factory=dict)


_CURRENT: ContextVar[ToolCallContext | None] = ContextVar("roomkit_tool_context", default=None)


def get_tool_context() -> ToolCallContext | None:
    """The context of the tool call running now, or ``None`` outside one."""
    return _CURRENT.get()


@contextmanager
def tool_context(ctx: ToolCallContext) -> Iterator[ToolCallContext]:
    """Make ``ctx`` the current tool context for the duration of the block."""
    token = _CURRENT.set(ctx)
    try:
        yield ctx
    finally:
        _CURRENT.reset(token)
