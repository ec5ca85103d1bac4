"""ToolPolicy: glob allow / deny lists, deny wins."""

from __future__ import annotations

from typing import Any

import pytest

from roomkit import AITool, ToolPolicy
from roomkit.tools import ToolDeniedError


def test_empty_policy_allows_everything() -> None:
    assert ToolPolicy().is_allowed("anything")


def test_allow_list_limits_and_deny_wins() -> None:
    policy = ToolPolicy(allow=["crm_*", "weather"], deny=["crm_delete*"])
    assert policy.is_allowed("crm_lookup")
    assert policy.is_allowed("weather")
    assert not policy.is_allowed("crm_delete_contact")
    assert not policy.is_allowed("shell")


def test_filter_tools_keeps_order() -> None:
    tools = [AITool(name=n) for n in ("b_read", "a_write", "b_write")]
    kept = ToolPolicy(deny=["*_write"]).filter_tools(tools)
    assert [t.name for t in kept] == ["b_read"]


async def test_wrap_refuses_denied_calls() -> None:
    calls: list[str] = []

    async def handler(name: str, arguments: dict[str, Any]) -> str:
        calls.append(name)
        return "ok"

    guarded = ToolPolicy(deny=["rm"]).wrap(handler)
    assert await guarded("ls", {}) == "ok"
    with pytest.raises(ToolDeniedError, match="'rm'"):
        await guarded("rm", {})
    assert calls == ["ls"]
