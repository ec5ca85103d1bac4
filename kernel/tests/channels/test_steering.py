"""Steering a running AI turn: inject a message, extend the system prompt, cancel — through
the real engine, with directives sent from a tool handler (inside the turn) and from another
task while the model is still thinking."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import pytest

from roomkit import (
    AIChannel,
    AIResponse,
    AITool,
    AIToolCall,
    Cancel,
    ChannelCategory,
    InboundMessage,
    InjectMessage,
    RoomEvent,
    RoomKit,
    SteeringDirective,
    TextContent,
    UpdateSystemPrompt,
    WebSocketChannel,
)
from roomkit.errors import ConfigurationError
from roomkit.testing import MockAIProvider


def tool_round(text: str, call_id: str) -> AIResponse:
    return AIResponse(content=text, tool_calls=[AIToolCall(id=call_id, name="lookup")])


async def run_turn(
    provider: MockAIProvider, on_tool: Any = None, body: str = "hi"
) -> tuple[RoomKit, AIChannel, Any]:
    async def lookup(name: str, arguments: dict[str, Any]) -> str:
        if on_tool is not None:
            on_tool(ai)
        return "found it"

    ai = AIChannel(
        "ai",
        provider=provider,
        system_prompt="SYS",
        tools=[AITool(name="lookup")],
        tool_handler=lookup,
    )
    kit = RoomKit()
    kit.register_channel(WebSocketChannel("ws"))
    kit.register_channel(ai)
    await kit.create_room(room_id="r")
    await kit.attach_channel("r", "ws")
    await kit.attach_channel("r", "ai", category=ChannelCategory.INTELLIGENCE)
    result = await kit.process_inbound(
        InboundMessage(channel_id="ws", sender_id="u", content=TextContent(body=body))
    )
    return kit, ai, result


def body(event: RoomEvent) -> str:
    assert isinstance(event.content, TextContent)
    return event.content.body


def sent(provider: MockAIProvider, call: int) -> list[tuple[str, str]]:
    return [(m.role, m.text) for m in provider.calls[call].messages]


async def test_an_injected_message_reaches_the_next_round() -> None:
    provider = MockAIProvider([tool_round("looking", "c1"), "final answer"])
    _, ai, result = await run_turn(
        provider, lambda ai: ai.steer(InjectMessage(content="The user says: hurry up"))
    )
    assert sent(provider, 1)[-1] == ("user", "The user says: hurry up")
    assert ("user", "The user says: hurry up") not in sent(provider, 0)
    assert [body(e) for e in result.responses] == ["looking\n\nfinal answer"]
    assert ai.active_loops == []


async def test_the_system_prompt_grows_for_the_rest_of_the_turn() -> None:
    provider = MockAIProvider([tool_round("a", "c1"), tool_round("b", "c2"), "done"])
    _, _, _ = await run_turn(provider, lambda ai: ai.steer(UpdateSystemPrompt(append=" Be brief.")))
    prompts = [c.system_prompt for c in provider.calls]
    assert prompts == ["SYS", "SYS Be brief.", "SYS Be brief. Be brief."]


async def test_cancel_from_a_tool_ends_the_turn_with_the_text_so_far() -> None:
    provider = MockAIProvider([tool_round("checking the stock", "c1"), "never asked"])
    kit, _, result = await run_turn(provider, lambda ai: ai.steer(Cancel(reason="user left")))
    assert len(provider.calls) == 1
    assert [body(e) for e in result.responses] == ["checking the stock"]
    # the engine carried on normally: the message and the reply are stored
    bodies = [body(e) for e in await kit.get_timeline("r") if e.type == "message"]
    assert bodies == ["hi", "checking the stock"]
    assert not result.event.delivery_results


async def test_cancel_stops_a_model_call_in_flight() -> None:
    provider = MockAIProvider(["too late"], delay=30)
    ai = AIChannel("ai", provider=provider)
    kit = RoomKit()
    kit.register_channel(WebSocketChannel("ws"))
    kit.register_channel(ai)
    await kit.create_room(room_id="r")
    await kit.attach_channel("r", "ws")
    await kit.attach_channel("r", "ai", category=ChannelCategory.INTELLIGENCE)
    inbound = asyncio.create_task(
        kit.process_inbound(
            InboundMessage(channel_id="ws", sender_id="u", content=TextContent(body="hi"))
        )
    )
    for _ in range(500):
        if ai.active_loops:
            break
        await asyncio.sleep(0.001)
    [loop_id] = ai.active_loops
    ai.steer(Cancel(), loop_id=loop_id)
    result = await asyncio.wait_for(inbound, 5)
    assert result.responses == []
    assert result.event is not None
    assert result.event.id == loop_id
    assert ai.active_loops == []
    # a second message is answered normally afterwards: nothing stayed cancelled
    provider.delay = 0
    again = await kit.process_inbound(
        InboundMessage(channel_id="ws", sender_id="u", content=TextContent(body="still there?"))
    )
    assert [body(e) for e in again.responses] == ["too late"]


async def test_other_cancellations_still_propagate() -> None:
    provider = MockAIProvider(["x"], delay=30)
    _ai = AIChannel("ai", provider=provider)
    kit = RoomKit()
    kit.register_channel(WebSocketChannel("ws"))
    kit.register_channel(_ai)
    await kit.create_room(room_id="r")
    await kit.attach_channel("r", "ws")
    await kit.attach_channel("r", "ai", category=ChannelCategory.INTELLIGENCE)
    inbound = asyncio.create_task(
        kit.process_inbound(
            InboundMessage(channel_id="ws", sender_id="u", content=TextContent(body="hi"))
        )
    )
    while not _ai.active_loops:
        await asyncio.sleep(0.001)
    inbound.cancel()
    with pytest.raises(asyncio.CancelledError):
        await inbound
    assert _ai.active_loops == []


def test_steer_without_a_turn_is_logged_and_dropped(caplog: pytest.LogCaptureFixture) -> None:
    ai = AIChannel("ai", provider=MockAIProvider())
    with caplog.at_level(logging.WARNING, logger="roomkit.channels.ai"):
        ai.steer(InjectMessage(content="anyone?"))
        ai.steer(Cancel(), loop_id="nope")
    assert "no active turn" in caplog.text
    assert "nope" in caplog.text


def test_directives_are_validated() -> None:
    with pytest.raises(ValueError):
        InjectMessage(content="x", role="tool")
    with pytest.raises(ValueError):
        UpdateSystemPrompt(append="")
    directive: SteeringDirective = Cancel()
    assert isinstance(directive, Cancel)
    assert directive.reason == "cancelled"
    with pytest.raises(ConfigurationError, match="InjectMessage, Cancel or UpdateSystemPrompt"):
        AIChannel("ai").steer("stop")  # type: ignore[arg-type]
