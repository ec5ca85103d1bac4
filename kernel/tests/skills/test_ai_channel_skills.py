"""AIChannel(skills=..., script_executor=...): the model is told about the skills in its system
prompt, gets the skill tools, and its calls of them are answered (scripts run for real)."""

from __future__ import annotations

import json
from typing import Any

from roomkit import (
    AIChannel,
    AIResponse,
    AIToolCall,
    ChannelCategory,
    InboundMessage,
    RoomKit,
    SkillRegistry,
    TextContent,
    WebSocketChannel,
)
from roomkit.models.ai import AIContext
from roomkit.skills import SubprocessScriptExecutor
from roomkit.testing import MockAIProvider

from .conftest import SkillMaker

GREET = "name: greet\ndescription: Greets people by name."
SCRIPT = "import sys\nprint('hello', sys.argv[2])\n"


def registry_with(make_skill: SkillMaker) -> SkillRegistry:
    folder = make_skill(
        "greet",
        GREET,
        "Say hello with the person's name.",
        scripts={"hello.py": SCRIPT},
        references={"tone.md": "Warm, short."},
    )
    registry = SkillRegistry()
    assert registry.discover(folder.parent) == 1
    return registry


async def turn(ai: AIChannel, body: str = "hi") -> RoomKit:
    kit = RoomKit()
    kit.register_channel(WebSocketChannel("ws"))
    kit.register_channel(ai)
    await kit.create_room(room_id="r")
    await kit.attach_channel("r", "ws")
    await kit.attach_channel("r", "ai", category=ChannelCategory.INTELLIGENCE)
    await kit.process_inbound(
        InboundMessage(channel_id="ws", sender_id="u", content=TextContent(body=body))
    )
    return kit


def tool_names(context: AIContext) -> list[str]:
    return [t.name for t in context.tools]


async def test_the_prompt_lists_the_skills_and_the_tools_let_the_model_load_them(
    make_skill: SkillMaker,
) -> None:
    registry = registry_with(make_skill)
    provider = MockAIProvider(responses=["ok"])
    await turn(AIChannel("ai", provider, system_prompt="You are helpful.", skills=registry))
    request = provider.calls[-1]
    assert request.system_prompt is not None
    assert request.system_prompt.startswith("You are helpful.\n\n")
    assert request.system_prompt.endswith(registry.to_prompt_xml())
    assert "activate_skill" in request.system_prompt
    assert "Skill scripts cannot be run here." in request.system_prompt
    assert tool_names(request) == ["activate_skill", "read_skill_reference"]


async def test_a_script_executor_adds_the_script_tool(make_skill: SkillMaker) -> None:
    registry = registry_with(make_skill)
    provider = MockAIProvider(responses=["ok"])
    ai = AIChannel("ai", provider, skills=registry, script_executor=SubprocessScriptExecutor())
    await turn(ai)
    request = provider.calls[-1]
    assert tool_names(request) == ["activate_skill", "read_skill_reference", "run_skill_script"]
    assert request.system_prompt is not None
    assert "cannot be run" not in request.system_prompt
    # the registry's own executor counts as well
    own = SkillRegistry(script_executor=SubprocessScriptExecutor())
    assert own.discover(make_skill("greet", GREET, root="more").parent) == 1
    provider = MockAIProvider(responses=["ok"])
    await turn(AIChannel("ai", provider, skills=own))
    assert "run_skill_script" in tool_names(provider.calls[-1])


async def test_skill_tool_calls_are_answered_and_other_tools_reach_the_handler(
    make_skill: SkillMaker,
) -> None:
    registry = registry_with(make_skill)
    calls = [
        AIToolCall(id="1", name="activate_skill", arguments={"name": "greet"}),
        AIToolCall(
            id="2",
            name="read_skill_reference",
            arguments={"skill_name": "greet", "filename": "tone.md"},
        ),
        AIToolCall(
            id="3",
            name="run_skill_script",
            arguments={
                "skill_name": "greet",
                "script_name": "hello.py",
                "arguments": {"name": "Ada"},
            },
        ),
        AIToolCall(id="4", name="activate_skill", arguments={"name": "missing"}),
        AIToolCall(id="5", name="weather", arguments={"city": "Paris"}),
    ]
    provider = MockAIProvider(responses=[AIResponse(tool_calls=calls), AIResponse(content="Hi!")])
    handled: list[tuple[str, dict[str, Any]]] = []

    async def handler(name: str, arguments: dict[str, Any]) -> str:
        handled.append((name, arguments))
        return "sunny"

    ai = AIChannel(
        "ai",
        provider,
        tool_handler=handler,
        skills=registry,
        script_executor=SubprocessScriptExecutor(timeout=20),
    )
    await turn(ai)
    results = {m.tool_call_id: m.content for m in provider.calls[-1].messages if m.role == "tool"}
    activated = json.loads(str(results["1"]))
    assert activated["name"] == "greet"
    assert activated["instructions"] == "Say hello with the person's name."
    assert activated["scripts"] == ["hello.py"]
    assert activated["references"] == ["tone.md"]
    assert results["2"] == "Warm, short."
    script = json.loads(str(results["3"]))
    assert script["exit_code"] == 0
    assert script["stdout"].strip() == "hello Ada"
    assert "no skill folder named 'missing'" in json.loads(str(results["4"]))["error"]
    assert results["5"] == "sunny"
    assert handled == [("weather", {"city": "Paris"})]


async def test_without_an_executor_a_script_call_is_an_error_for_the_model(
    make_skill: SkillMaker,
) -> None:
    registry = registry_with(make_skill)
    call = AIToolCall(
        id="1", name="run_skill_script", arguments={"skill_name": "greet", "script_name": "x"}
    )
    provider = MockAIProvider(responses=[AIResponse(tool_calls=[call]), AIResponse(content="ok")])
    await turn(AIChannel("ai", provider, skills=registry))
    [result] = [m.content for m in provider.calls[-1].messages if m.role == "tool"]
    assert "no handler is configured for tool 'run_skill_script'" in str(result)
