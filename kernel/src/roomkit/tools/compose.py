"""Tool handlers and how several of them are combined into one.

A tool handler is an async function ``handler(name, arguments) -> str`` that runs the tool
the model asked for and returns its result as text (usually JSON). A handler that does not
know a tool raises :class:`UnknownToolError`, which lets :func:`compose_tool_handlers` ask the
next one.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from roomkit.errors import ConfigurationError, RoomKitError

__all__ = ["ToolHandler", "UnknownToolError", "compose_tool_handlers"]

ToolHandler = Callable[[str, dict[str, Any]], Awaitable[str]]
"""``async def handler(name: str, arguments: dict) -> str``."""


class UnknownToolError(RoomKitError, LookupError):
    """A tool handler was asked for a tool it does not provide."""

    def __init__(self, name: str, message: str | None = None) -> None:
        super().__init__(message or f"unknown tool {name!r}")
        self.tool_name = name


def compose_tool_handlers(*handlers: ToolHandler) -> ToolHandler:
    """One handler that asks each of ``handlers`` in order.

    The first handler that does not raise :class:`UnknownToolError` answers (its result or
    its other exception is final). When every handler declines, :class:`UnknownToolError`
    is raised.
    """
    if not handlers:
        raise ConfigurationError("compose_tool_handlers() needs at least one handler")
    for handler in handlers:
        if not callable(handler):
            raise ConfigurationError(
                f"compose_tool_handlers() takes async callables, got {type(handler).__name__}"
            )
    chain = tuple(handlers)

    async def composed(name: str, arguments: dict[str, Any]) -> str:
        for handler in chain:
            try:
                return await handler(name, arguments)
            except UnknownToolError:
                continue
        raise UnknownToolError(name, f"no tool handler provides {name!r}")

    return composed
