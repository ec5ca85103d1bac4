"""AIChannel's 0.6.7 constructor: positional order, context size, the tool-loop time limit and
warning, and the thinking budget handed to the provider."""

from __future__ import annotations

import asyncio
import inspect
import logging
from typing import Any

import pytest

from roomkit import (
    Agent,
    AIChannel,
    AIResponse,
    AITool,
    AIToolCall,
    ChannelCategory,
    InboundMessage,
    RetryPolicy,
    RoomKit,
    SkillRegistry,
    TextContent,
    WebSocketChannel,
)
from roomkit.errors import ConfigurationError, ProviderError
from roomkit.memory.sliding_window import SlidingWindowMemory
from roomkit.skills.executor import SubprocessScriptExecutor
from roomkit.testing import MockAIProvider
from roomkit.tools.policy import ToolPolicy

ORDER_067 = [
    "channel_id",
    "provider",
    "system_prompt",
    "temperature",
    "max_tokens",
    "max_context_events",
    "tool_handler",
    "max_tool_rounds",
    "tool_loop_timeout_seconds",
    "tool_loop_warn_after",
    "retry_policy",
    "fallback_provider",
    "skills",
    "script_executor",
    "memory",
    "tool_policy",
    "thinking_budget",
]


async def kit_with(ai: AIChannel) -> RoomKit:
    kit = RoomKit()
    kit.register_channel(WebSocketChannel("ws"))
    kit.register_channel(ai)
    await kit.create_room(room_id="r")
    await kit.attach_channel("r", "ws")
    await kit.attach_channel("r", ai.channel_id, category=ChannelCategory.INTELLIGENCE)
    return kit


def said(body: str) -> InboundMessage:
    return InboundMessage(channel_id="ws", sender_id="u", content=TextContent(body=body))


def test_positional_parameters_follow_0_6_7() -> None:
    params = inspect.signature(AIChannel).parameters.values()
    positional = [p.name for p in params if p.kind is inspect.Parameter.POSITIONAL_OR_KEYWORD]
    assert positional == ORDER_067


async def test_every_setting_can_be_passed_positionally() -> None:
    primary, fallback = MockAIProvider(), MockAIProvider()

    async def handler(name: str, arguments: dict[str, Any]) -> str:
        return "ok"

    skills, executor = SkillRegistry(), SubprocessScriptExecutor()
    memory, policy, retry = SlidingWindowMemory(3), ToolPolicy(), RetryPolicy(max_retries=1)
    ai = AIChannel(
        "ai",
        primary,
        "Be brief.",
        0.3,
        256,
        7,
        handler,
        4,
        12.0,
        3,
        retry,
        fallback,
        skills,
        executor,
        memory,
        policy,
        2048,
    )
    assert (ai.provider, ai.system_prompt, ai.temperature, ai.max_tokens) == (
        primary,
        "Be brief.",
        0.3,
        256,
    )
    assert (ai.max_context_events, ai.tool_handler, ai.max_tool_rounds) == (7, handler, 4)
    assert (ai.tool_loop_timeout_seconds, ai.tool_loop_warn_after) == (12.0, 3)
    assert (ai.retry_policy, ai.fallback_provider) == (retry, fallback)
    assert (ai.skills, ai.script_executor, ai.memory, ai.tool_policy) == (
        skills,
        executor,
        memory,
        policy,
    )
    assert ai.thinking_budget == 2048


@pytest.mark.parametrize(
    ("settings", "needle"),
    [
        ({"max_context_events": 0}, "max_context_events"),
        ({"tool_loop_timeout_seconds": 0}, "tool_loop_timeout_seconds"),
        ({"tool_loop_warn_after": 0}, "tool_loop_warn_after"),
        ({"thinking_budget": 0}, "thinking_budget"),
        ({"fallback_provider": "openai"}, "fallback_provider"),
        ({"retry_policy": {"max_retries": 2}}, "RetryPolicy"),
        ({"skills": ["a"]}, "SkillRegistry"),
        ({"script_executor": object()}, "ScriptExecutor"),
    ],
)
def test_bad_settings_say_what_to_fix(settings: dict[str, Any], needle: str) -> None:
    with pytest.raises(ConfigurationError, match=needle):
        AIChannel("ai", MockAIProvider(), **settings)


async def test_max_context_events_bounds_the_transcript_the_model_sees() -> None:
    provider = MockAIProvider(responses=["ok"])
    kit = await kit_with(AIChannel("ai", provider, max_context_events=3))
    for n in range(4):
        await kit.process_inbound(said(f"message {n}"))
    texts = [m.content for m in provider.calls[-1].messages]
    assert len(texts) == 3
    assert texts[-1] == "message 3"
    assert "message 0" not in texts


async def test_thinking_budget_reaches_the_provider() -> None:
    provider = MockAIProvider(responses=["ok"])
    kit = await kit_with(AIChannel("ai", provider, thinking_budget=3000))
    await kit.process_inbound(said("think"))
    assert provider.calls[-1].thinking_budget == 3000
    plain = MockAIProvider(responses=["ok"])
    kit = await kit_with(AIChannel("ai", plain))
    await kit.process_inbound(said("no budget"))
    assert plain.calls[-1].thinking_budget is None


def endless_tool_calls() -> MockAIProvider:
    """A model that asks for the tool ``lookup`` on every turn (and says which round)."""
    return MockAIProvider(
        responses=[
            AIResponse(content=f"step {n}", tool_calls=[AIToolCall(id=str(n), name="lookup")])
            for n in range(1, 100)
        ]
    )


async def test_tool_loop_stops_at_its_time_limit_with_the_text_so_far() -> None:
    provider = endless_tool_calls()
    ran: list[str] = []

    async def slow_lookup(name: str, arguments: dict[str, Any]) -> str:
        ran.append(name)
        await asyncio.sleep(1.0)  # a round lasts over the 0.5 s limit; a mock answer far less
        return "found"

    ai = AIChannel(
        "ai",
        provider,
        tool_handler=slow_lookup,
        max_tool_rounds=50,
        tool_loop_timeout_seconds=0.5,
        tools=[AITool(name="lookup")],
    )
    kit = await kit_with(ai)
    result = await kit.process_inbound(said("go"))
    # round 1 ran its tool; the limit was passed before round 2 could run its tools
    assert ran == ["lookup"]
    assert provider.call_count == 2
    [reply] = result.responses
    assert reply.content.body == "step 1\n\nstep 2"  # type: ignore[union-attr]
    assert reply.metadata["ai"]["tool_rounds"] == 1


async def test_long_tool_loops_are_warned_about_once(caplog: pytest.LogCaptureFixture) -> None:
    async def lookup(name: str, arguments: dict[str, Any]) -> str:
        return "found"

    ai = AIChannel(
        "ai",
        endless_tool_calls(),
        tool_handler=lookup,
        max_tool_rounds=5,
        tool_loop_warn_after=3,
        tools=[AITool(name="lookup")],
    )
    kit = await kit_with(ai)
    with caplog.at_level(logging.WARNING, logger="roomkit.channels.ai"):
        result = await kit.process_inbound(said("go"))
    warnings = [r.getMessage() for r in caplog.records if "tool loop" in r.getMessage()]
    assert warnings == ["AI channel ai: the tool loop in room r reached 3 rounds and goes on"]
    assert result.responses[0].metadata["ai"]["tool_rounds"] == 5


async def test_agents_take_the_same_settings() -> None:
    primary = MockAIProvider(errors=ProviderError("down", retryable=True))
    backup = MockAIProvider(responses=["backup answer"])
    agent = Agent(
        "agent",
        primary,
        role="Support",
        retry_policy=RetryPolicy(max_retries=1, base_delay_seconds=0.001),
        fallback_provider=backup,
        thinking_budget=1500,
    )
    kit = await kit_with(agent)
    result = await kit.process_inbound(said("help"))
    assert [r.content.body for r in result.responses] == ["backup answer"]  # type: ignore[union-attr]
    assert primary.call_count == 2
    assert backup.calls[-1].thinking_budget == 1500
