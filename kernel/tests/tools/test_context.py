"""The tool-call context is visible only while a tool runs."""

from __future__ import annotations

from roomkit.tools import ToolCallContext, get_tool_context, tool_context


def test_context_is_scoped() -> None:
    assert get_tool_context() is None
    ctx = ToolCallContext(room_id="r", channel_id="ai")
    with tool_context(ctx):
        assert get_tool_context() is ctx
    assert get_tool_context() is None
