"""SkillRegistry: skills become tools and a tool handler."""

from __future__ import annotations

import json
from typing import Any

import pytest

from roomkit import Skill, SkillMetadata, SkillRegistry
from roomkit.errors import ConfigurationError
from roomkit.tools import UnknownToolError, compose_tool_handlers


async def weather(arguments: dict[str, Any]) -> dict[str, Any]:
    return {"city": arguments["city"], "forecast": "rain"}


def echo(arguments: dict[str, Any]) -> str:
    return str(arguments.get("text", ""))


def make_registry() -> SkillRegistry:
    registry = SkillRegistry()
    registry.register(
        Skill(
            metadata=SkillMetadata(
                name="weather",
                description="Get weather forecasts",
                parameters={"type": "object", "properties": {"city": {"type": "string"}}},
                tags=["info"],
            ),
            handler=weather,
        )
    )
    registry.register(Skill(metadata=SkillMetadata(name="echo"), handler=echo))
    return registry


async def test_registry_runs_sync_and_async_skills() -> None:
    registry = make_registry()
    assert json.loads(await registry.handler("weather", {"city": "Oslo"})) == {
        "city": "Oslo",
        "forecast": "rain",
    }
    assert await registry.handler("echo", {"text": "hi"}) == "hi"


async def test_unknown_and_disabled_skills_decline() -> None:
    registry = make_registry()
    with pytest.raises(UnknownToolError):
        await registry.handler("nope", {})
    skill = registry.get("echo")
    assert skill is not None
    skill.enabled = False
    with pytest.raises(UnknownToolError):
        await registry.handler("echo", {})
    assert [t.name for t in registry.tools()] == ["weather"]


async def test_registry_composes_with_other_handlers() -> None:
    async def other(name: str, arguments: dict[str, Any]) -> str:
        return "from other"

    handler = compose_tool_handlers(make_registry().handler, other)
    assert await handler("echo", {"text": "x"}) == "x"
    assert await handler("unknown", {}) == "from other"


def test_tools_search_and_duplicates() -> None:
    registry = make_registry()
    tool = registry.tools()[0]
    assert tool.name == "weather"
    assert tool.description == "Get weather forecasts"
    assert tool.parameters["properties"]["city"]["type"] == "string"
    assert [s.name for s in registry.search("INFO")] == ["weather"]
    assert "echo" in registry
    assert len(registry) == 2
    with pytest.raises(ConfigurationError, match="already registered"):
        registry.register(Skill(metadata=SkillMetadata(name="echo"), handler=echo))
    registry.register(Skill(metadata=SkillMetadata(name="echo"), handler=echo), replace=True)
    assert registry.unregister("echo")
    assert not registry.unregister("echo")


def test_invalid_skill_name() -> None:
    with pytest.raises(ValueError, match="skill name"):
        SkillMetadata(name="has space")
