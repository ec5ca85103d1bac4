"""AIChannel: context building, per-room config, vision, the tool loop, streaming, errors.

The channel is driven directly through ``on_event`` with a small kit stand-in that records
hooks and ephemeral events; ``tests/orchestration/test_quickstart.py`` and
``test_engine_integration.py`` drive it through the real engine.
"""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest

from roomkit import (
    AIChannel,
    AIConfig,
    AIImagePart,
    AITool,
    ChannelBinding,
    ChannelCapabilities,
    ChannelCategory,
    ChannelType,
    EphemeralEvent,
    EphemeralEventType,
    EventSource,
    HookTrigger,
    MediaContent,
    Room,
    RoomContext,
    RoomEvent,
    RoomKit,
    SlidingWindowMemory,
    TextContent,
    ToolPolicy,
)
from roomkit.channels.ai import STREAM_EVENT_KIND
from roomkit.errors import ConfigurationError, ProviderError
from roomkit.testing import MockAIProvider


class Kit(RoomKit):
    """A real kit with room ``r1`` whose ephemeral events are collected in ``ephemeral``."""

    ephemeral: list[EphemeralEvent]

    @classmethod
    async def with_room(cls, channel: AIChannel | None = None) -> Kit:
        kit = cls()
        kit.ephemeral = []
        await kit.create_room(room_id="r1")

        async def collect(event: EphemeralEvent) -> None:
            kit.ephemeral.append(event)

        await kit.subscribe_room("r1", collect)
        if channel is not None:
            kit.register_channel(channel)
        return kit


def user_event(body: str = "hello", room_id: str = "r1", sender: str = "user-1") -> RoomEvent:
    return RoomEvent(
        room_id=room_id,
        source=EventSource(
            channel_id="ws", channel_type=ChannelType.WEBSOCKET, participant_id=sender
        ),
        content=TextContent(body=body),
    )


def binding(channel_id: str = "ai", **kwargs: Any) -> ChannelBinding:
    return ChannelBinding(
        room_id="r1",
        channel_id=channel_id,
        channel_type=ChannelType.AI,
        category=ChannelCategory.INTELLIGENCE,
        **kwargs,
    )


def context_for(event: RoomEvent, *, room: Room | None = None, **kwargs: Any) -> RoomContext:
    return RoomContext(room=room or Room(id="r1"), recent_events=[event], **kwargs)


async def test_answers_with_a_reply_event_and_sends_the_transcript() -> None:
    provider = MockAIProvider(responses=["Hi there"])
    channel = AIChannel("ai", provider=provider, system_prompt="Be nice", temperature=0.3)
    earlier_reply = RoomEvent(
        room_id="r1",
        source=EventSource(channel_id="ai", channel_type=ChannelType.AI),
        content=TextContent(body="Earlier answer"),
    )
    event = user_event("hello", sender="alice@example.com")
    ctx = RoomContext(room=Room(id="r1"), recent_events=[earlier_reply, event])
    output = await channel.on_event(event, binding(), ctx)

    assert output.responded
    (reply,) = output.response_events
    assert reply.content == TextContent(body="Hi there")
    assert reply.source.channel_id == "ai"
    assert reply.source.channel_type == ChannelType.AI
    assert reply.parent_event_id == event.id
    assert reply.chain_depth == 1
    assert reply.metadata["ai"]["model"] == "mock-model"
    sent = provider.calls[0]
    assert sent.system_prompt == "Be nice"
    assert sent.temperature == 0.3
    assert [(m.role, m.text) for m in sent.messages] == [
        ("assistant", "Earlier answer"),
        ("user", "hello"),
    ]
    assert sent.messages[1].name == "alice_example_com"


async def test_ignores_own_events_system_events_other_ais_and_read_only() -> None:
    provider = MockAIProvider()
    channel = AIChannel("ai", provider=provider)
    own = RoomEvent(
        room_id="r1",
        source=EventSource(channel_id="ai", channel_type=ChannelType.AI),
        content=TextContent(body="me"),
    )
    other_ai = RoomEvent(
        room_id="r1",
        source=EventSource(channel_id="ai-2", channel_type=ChannelType.AI),
        content=TextContent(body="bot"),
    )
    for event in (own, other_ai):
        assert not (await channel.on_event(event, binding(), context_for(event))).responded
    read_only = binding(access="read_only")
    event = user_event()
    assert not (await channel.on_event(event, read_only, context_for(event))).responded
    assert provider.call_count == 0
    chatty = AIChannel("ai", provider=provider, respond_to_ai=True)
    assert (await chatty.on_event(other_ai, binding(), context_for(other_ai))).responded


async def test_room_ai_config_overrides_channel_defaults_and_adds_tools() -> None:
    provider = MockAIProvider(responses=["ok"])
    channel = AIChannel(
        "ai",
        provider=provider,
        system_prompt="channel prompt",
        temperature=0.9,
        max_tokens=100,
        tools=[AITool(name="a"), AITool(name="b", description="channel b")],
    )
    room = Room(
        id="r1",
        ai_config=AIConfig(
            system_prompt="room prompt",
            temperature=0.1,
            tools=[AITool(name="b", description="room b"), AITool(name="c")],
        ),
    )
    event = user_event()
    await channel.on_event(event, binding(), context_for(event, room=room))
    sent = provider.calls[0]
    assert (sent.system_prompt, sent.temperature, sent.max_tokens) == ("room prompt", 0.1, 100)
    assert {t.name: t.description for t in sent.tools} == {"a": "", "b": "room b", "c": ""}


async def test_images_become_image_parts_only_for_vision_providers() -> None:
    image = RoomEvent(
        room_id="r1",
        source=EventSource(channel_id="ws", channel_type=ChannelType.WEBSOCKET),
        content=MediaContent(url="https://x/cat.png", mime_type="image/png", caption="look"),
    )
    seeing = MockAIProvider(vision=True)
    await AIChannel("ai", provider=seeing).on_event(image, binding(), context_for(image))
    parts = seeing.calls[0].messages[-1].content
    assert isinstance(parts, list)
    assert parts[0].text == "look"  # type: ignore[union-attr]
    assert isinstance(parts[1], AIImagePart)
    assert parts[1].url == "https://x/cat.png"

    blind = MockAIProvider()
    await AIChannel("ai", provider=blind).on_event(image, binding(), context_for(image))
    assert blind.calls[0].messages[-1].content == "[image/png attachment: look]"


async def test_tool_loop_feeds_results_back_and_publishes_tool_events() -> None:
    kit = await Kit.with_room()
    seen: list[tuple[str, dict[str, Any]]] = []

    async def handler(name: str, arguments: dict[str, Any]) -> str:
        seen.append((name, arguments))
        return json.dumps({"status": "shipped"})

    provider = MockAIProvider(
        responses=["Your order shipped."],
        tool_calls=[{"id": "c1", "name": "lookup_order", "arguments": {"order": "42"}}],
    )
    channel = AIChannel(
        "ai",
        provider=provider,
        tools=[AITool(name="lookup_order")],
        tool_handler=handler,
    )
    kit.register_channel(channel)
    event = user_event("where is order 42?")
    output = await channel.on_event(event, binding(), context_for(event))

    assert seen == [("lookup_order", {"order": "42"})]
    assert output.response_events[0].content == TextContent(body="Your order shipped.")
    assert output.response_events[0].metadata["ai"]["tool_rounds"] == 1
    second = provider.calls[1]
    assistant, tool = second.messages[-2:]
    assert assistant.role == "assistant"
    assert assistant.tool_calls[0].name == "lookup_order"
    assert tool.role == "tool"
    assert tool.tool_call_id == "c1"
    assert json.loads(tool.text) == {"status": "shipped"}
    await kit.drain()
    start, end = kit.ephemeral
    assert start.type == EphemeralEventType.TOOL_CALL_START
    assert start.data["tool_calls"] == [
        {"id": "c1", "name": "lookup_order", "arguments": {"order": "42"}}
    ]
    assert end.type == EphemeralEventType.TOOL_CALL_END
    assert end.data["duration_ms"] >= 0
    assert end.data["errors"] == 0
    assert start.room_id == "r1"
    assert start.channel_id == "ai"


async def test_tool_errors_unknown_tools_and_denied_tools_are_reported_to_the_model() -> None:
    async def handler(name: str, arguments: dict[str, Any]) -> str:
        raise RuntimeError("database down")

    provider = MockAIProvider(
        responses=["Sorry, I could not check."],
        tool_calls=[
            {"id": "1", "name": "lookup"},
            {"id": "2", "name": "secret_delete"},
        ],
    )
    channel = AIChannel(
        "ai",
        provider=provider,
        tools=[AITool(name="lookup"), AITool(name="secret_delete")],
        tool_handler=handler,
        tool_policy=ToolPolicy(deny=["secret_*"]),
    )
    kit = await Kit.with_room()
    kit.register_channel(channel)
    event = user_event()
    output = await channel.on_event(event, binding(), context_for(event))
    assert output.response_events[0].content.body == "Sorry, I could not check."  # type: ignore[union-attr]
    assert [t.name for t in provider.calls[0].tools] == ["lookup"]  # policy filters the offer
    results = [json.loads(m.text) for m in provider.calls[1].messages if m.role == "tool"]
    assert results[0] == {"error": "RuntimeError: database down"}
    assert "not permitted" in results[1]["error"]
    await kit.drain()
    assert kit.ephemeral[-1].data["errors"] == 2


async def test_tool_rounds_are_bounded() -> None:
    calls = 0

    async def handler(name: str, arguments: dict[str, Any]) -> str:
        nonlocal calls
        calls += 1
        return "again"

    from roomkit import AIResponse, AIToolCall

    looping = AIResponse(tool_calls=[AIToolCall(id="x", name="spin")], content="")
    provider = MockAIProvider(responses=[looping])
    channel = AIChannel(
        "ai",
        provider=provider,
        tools=[AITool(name="spin")],
        tool_handler=handler,
        max_tool_rounds=2,
    )
    event = user_event()
    output = await channel.on_event(event, binding(), context_for(event))
    assert calls == 2
    assert provider.call_count == 3  # two tool rounds, then one call without tools
    assert provider.calls[-1].tools == []
    assert not output.responded  # the model never produced text


async def test_slow_tools_time_out_into_an_error_result() -> None:
    async def slow(name: str, arguments: dict[str, Any]) -> str:
        await asyncio.sleep(5)
        return "late"

    provider = MockAIProvider(responses=["done"], tool_calls=[{"name": "slow"}])
    channel = AIChannel(
        "ai", provider=provider, tools=[AITool(name="slow")], tool_handler=slow, tool_timeout=0.05
    )
    event = user_event()
    await channel.on_event(event, binding(), context_for(event))
    tool_msg = provider.calls[1].messages[-1]
    assert "timed out" in json.loads(tool_msg.text)["error"]


async def test_provider_errors_fire_on_error_and_never_raise() -> None:
    kit = await Kit.with_room()
    errors: list[tuple[RoomEvent, dict[str, Any]]] = []

    async def on_error(event: RoomEvent, ctx: RoomContext) -> None:
        errors.append((event, ctx.metadata))

    kit.hooks.add(HookTrigger.ON_ERROR, on_error)
    channel = AIChannel(
        "ai", provider=MockAIProvider(errors=ProviderError("quota", retryable=True))
    )
    kit.register_channel(channel)
    event = user_event()
    output = await channel.on_event(event, binding(), context_for(event))
    await kit.hooks.drain()
    assert not output.responded
    assert output.metadata["error_type"] == "ProviderError"
    ((reported, details),) = errors
    assert reported.id == event.id
    assert (details["error_type"], details["message"]) == ("ProviderError", "quota")
    assert details["stage"] == "AI channel ai"


async def test_without_an_engine_failures_are_logged_and_nothing_is_published(
    caplog: pytest.LogCaptureFixture,
) -> None:
    channel = AIChannel("ai", provider=MockAIProvider(errors=ProviderError("quota")))
    event = user_event()
    output = await channel.on_event(event, binding(), context_for(event))
    assert output.metadata["error_type"] == "ProviderError"
    assert "AI channel ai failed in room r1" in caplog.text


async def test_streams_deltas_when_a_streaming_channel_is_attached() -> None:
    kit = await Kit.with_room()
    provider = MockAIProvider(responses=["one two three"], streaming=True)
    channel = AIChannel("ai", provider=provider)
    kit.register_channel(channel)
    ws = ChannelBinding(
        room_id="r1",
        channel_id="ws",
        channel_type=ChannelType.WEBSOCKET,
        capabilities=ChannelCapabilities(supports_streaming=True),
    )
    event = user_event()
    output = await channel.on_event(event, binding(), context_for(event, bindings=[ws, binding()]))
    (reply,) = output.response_events
    await kit.drain()
    deltas = [e for e in kit.ephemeral if e.data.get("kind") == STREAM_EVENT_KIND]
    assert "".join(d.data["delta"] for d in deltas) == "one two three"
    assert {d.data["message_id"] for d in deltas} == {reply.id}
    assert [d.data["seq"] for d in deltas] == [0, 1, 2]

    kit.ephemeral.clear()
    no_stream_ctx = context_for(event, bindings=[binding()])
    await channel.on_event(event, binding(), no_stream_ctx)
    await kit.drain()
    assert kit.ephemeral == []  # nobody can show a stream: one final event only


async def test_config_only_channel_never_generates_and_bad_config_is_rejected() -> None:
    channel = AIChannel("ai")
    event = user_event()
    assert not (await channel.on_event(event, binding(), context_for(event))).responded
    with pytest.raises(ConfigurationError):
        AIChannel("ai", provider="openai")  # type: ignore[arg-type]
    with pytest.raises(ConfigurationError):
        AIChannel("ai", max_tool_rounds=-1)
    with pytest.raises(ConfigurationError):
        AIChannel("ai", temperature=3.0)


async def test_memory_reads_older_events_from_the_kit_store() -> None:
    kit = await Kit.with_room()
    stored = [await kit.store.add_event(user_event(f"m{i}")) for i in range(12)]
    room = await kit.store.get_room("r1")
    assert room is not None
    room.event_count = 12
    provider = MockAIProvider()
    channel = AIChannel("ai", provider=provider, memory=SlidingWindowMemory(max_events=10))
    kit.register_channel(channel)
    ctx = RoomContext(room=room, recent_events=stored[-2:])
    await channel.on_event(stored[-1], binding(), ctx)
    assert [m.text for m in provider.calls[0].messages] == [f"m{i}" for i in range(2, 12)]
