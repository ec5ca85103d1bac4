"""Tools for AI channels: handler composition, policies, and the tool-call context."""

from roomkit.tools.compose import ToolHandler, UnknownToolError, compose_tool_handlers
from roomkit.tools.context import ToolCallContext, get_tool_context, tool_context
from roomkit.tools.policy import ToolDeniedError, ToolPolicy

__all__ = [
    "ToolCallContext",
    "ToolDeniedError",
    "ToolHandler",
    "ToolPolicy",
    "UnknownToolError",
    "compose_tool_handlers",
    "get_tool_context",
    "tool_context",
]
