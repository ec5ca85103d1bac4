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


def test_restrict_override_only_narrows() -> None:
    from roomkit.tools.policy import RoleOverride

    policy = ToolPolicy(
        allow=["x*"],
        deny=["x3"],
        role_overrides={"agent": RoleOverride(allow=["x1", "x3", "y"], deny=["x2"])},
    )
    resolved = policy.resolve("agent")
    permitted = {t: resolved.is_allowed(t) for t in ["x1", "x2", "x3", "x4", "y"]}
    # y is in the role's list but not in the base allow list; x3 stays denied.
    assert permitted == {"x1": True, "x2": False, "x3": False, "x4": False, "y": False}
    assert resolved.role_overrides == {}
    assert resolved.deny == ["x3", "x2"]


def test_restriction_survives_a_copy_and_serialisation() -> None:
    from roomkit.tools.policy import RoleOverride

    policy = ToolPolicy(deny=["b"], role_overrides={"r": RoleOverride(allow=["a*"])})
    resolved = policy.resolve("r")
    for copy in (resolved, ToolPolicy.model_validate(resolved.model_dump()), resolved.model_copy()):
        assert [t for t in ["a1", "b", "c"] if copy.is_allowed(t)] == ["a1"]
    twice = ToolPolicy(
        allow=resolved.allow,
        deny=resolved.deny,
        restrict_to=resolved.restrict_to,
        role_overrides={"r": RoleOverride(allow=["a2", "c"])},
    ).resolve("r")
    assert [t for t in ["a1", "a2", "c"] if twice.is_allowed(t)] == ["a2"]


def test_replace_override_and_unknown_roles() -> None:
    from roomkit.tools.policy import RoleOverride

    policy = ToolPolicy(
        allow=["a"],
        deny=["c"],
        role_overrides={"admin": RoleOverride(allow=["c"], mode="replace")},
    )
    admin = policy.resolve("admin")
    assert admin.is_allowed("c")
    assert not admin.is_allowed("a")
    assert policy.resolve("guest") is policy
    assert policy.resolve() is policy
    predicate = policy.as_filter()
    assert [t for t in ["a", "b", "c"] if predicate(t)] == ["a"]
    with pytest.raises(ValueError, match="restrict"):
        RoleOverride(mode="bogus")  # type: ignore[arg-type]
