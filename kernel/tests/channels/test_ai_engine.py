"""AIChannel inside the real engine: realtime tool events, streaming to WebSockets, errors."""

from __future__ import annotations

import asyncio
from typing import Any

from roomkit import (
    AIChannel,
    AIConfig,
    AITool,
    ChannelCategory,
    EphemeralEvent,
    EphemeralEventType,
    HookTrigger,
    InboundMessage,
    RoomContext,
    RoomEvent,
    RoomKit,
    TextContent,
    WebSocketChannel,
)
from roomkit.channels.ai import STREAM_EVENT_KIND
from roomkit.errors import ProviderError
from roomkit.testing import MockAIProvider


async def room_with(ai: AIChannel, **room_kwargs: Any) -> tuple[RoomKit, list[Any]]:
    kit = RoomKit()
    ws = WebSocketChannel("ws")
    kit.register_channel(ws)
    kit.register_channel(ai)
    received: list[Any] = []

    async def socket(payload: Any) -> None:
        received.append(payload)

    ws.register_connection("c1", socket)
    await kit.create_room(room_id="r1", **room_kwargs)
    await kit.attach_channel("r1", "ws")
    await kit.attach_channel("r1", ai.channel_id, category=ChannelCategory.INTELLIGENCE)
    return kit, received


def hello(body: str = "hello") -> InboundMessage:
    return InboundMessage(channel_id="ws", sender_id="u1", content=TextContent(body=body))


async def test_register_channel_hands_the_kit_to_the_channel() -> None:
    ai = AIChannel("ai", provider=MockAIProvider())
    kit, _ = await room_with(ai)
    assert ai.kit is kit


async def test_tool_call_events_reach_room_subscribers() -> None:
    async def handler(name: str, arguments: dict[str, Any]) -> str:
        return "42 degrees"

    ai = AIChannel(
        "ai",
        provider=MockAIProvider(responses=["It is hot."], tool_calls=[{"name": "weather"}]),
        tools=[AITool(name="weather")],
        tool_handler=handler,
    )
    kit, _ = await room_with(ai)
    events: list[EphemeralEvent] = []

    async def collect(event: EphemeralEvent) -> None:
        events.append(event)

    await kit.subscribe_room("r1", collect)
    result = await kit.process_inbound(hello("weather?"))
    assert [r.content.body for r in result.responses] == ["It is hot."]  # type: ignore[union-attr]
    async with asyncio.timeout(5):  # the realtime backend delivers in its own task
        while len(events) < 2:
            await asyncio.sleep(0.005)
    kinds = [e.type for e in events]
    assert kinds == [EphemeralEventType.TOOL_CALL_START, EphemeralEventType.TOOL_CALL_END]
    assert events[0].data["tool_calls"][0]["name"] == "weather"
    assert isinstance(events[1].data["duration_ms"], float)


async def test_streamed_text_reaches_the_websocket_before_the_final_event() -> None:
    ai = AIChannel("ai", provider=MockAIProvider(responses=["streamed reply here"], streaming=True))
    kit, received = await room_with(ai)
    await kit.process_inbound(hello())
    deltas = [
        p
        for p in received
        if isinstance(p, EphemeralEvent) and p.data.get("kind") == STREAM_EVENT_KIND
    ]
    finals = [p for p in received if isinstance(p, RoomEvent)]
    assert "".join(d.data["delta"] for d in deltas) == "streamed reply here"
    assert len(finals) == 1
    assert finals[0].content.body == "streamed reply here"
    assert received.index(deltas[-1]) < received.index(finals[0])
    assert {d.data["message_id"] for d in deltas} == {finals[0].id}


async def test_provider_errors_reach_on_error_hooks_and_the_room_goes_on() -> None:
    ai = AIChannel("ai", provider=MockAIProvider(errors=[ProviderError("rate limited"), None]))
    kit, _received = await room_with(ai)
    errors: list[dict[str, Any]] = []

    @kit.hook(HookTrigger.ON_ERROR)
    async def on_error(event: RoomEvent, ctx: RoomContext) -> None:
        errors.append(dict(ctx.metadata))

    first = await kit.process_inbound(hello("one"))
    await kit.drain()
    assert first.accepted
    assert first.responses == []
    assert errors
    assert errors[0]["error_type"] == "ProviderError"
    assert errors[0]["message"] == "rate limited"
    second = await kit.process_inbound(hello("two"))
    assert len(second.responses) == 1


async def test_room_ai_config_applies_inside_the_engine() -> None:
    provider = MockAIProvider()
    ai = AIChannel("ai", provider=provider, system_prompt="default")
    kit, _ = await room_with(ai, ai_config=AIConfig(system_prompt="room prompt", temperature=0.2))
    await kit.process_inbound(hello())
    assert provider.calls[0].system_prompt == "room prompt"
    assert provider.calls[0].temperature == 0.2
    assert [m.text for m in provider.calls[0].messages] == ["hello"]
