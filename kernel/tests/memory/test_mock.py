"""MockMemoryProvider through the real engine: fixed memory in, every call recorded."""

from __future__ import annotations

from roomkit import (
    AIChannel,
    ChannelCategory,
    EventSource,
    InboundMessage,
    MockAIProvider,
    RoomEvent,
    RoomKit,
    TextContent,
    WebSocketChannel,
)
from roomkit.memory import MemoryProvider, MockMemoryProvider
from roomkit.models.enums import ChannelType


async def _one_turn(memory: MockMemoryProvider, text: str) -> MockAIProvider:
    """A user message through a kit with one AI channel using ``memory``."""
    provider = MockAIProvider(responses=["ok"])
    kit = RoomKit()
    kit.register_channel(WebSocketChannel("ws"))
    kit.register_channel(AIChannel("ai", provider=provider, memory=memory))
    await kit.create_room(room_id="r")
    await kit.attach_channel("r", "ws")
    await kit.attach_channel("r", "ai", category=ChannelCategory.INTELLIGENCE)
    await kit.process_inbound(
        InboundMessage(channel_id="ws", sender_id="u", content=TextContent(body=text))
    )
    return provider


async def test_fixed_memory_reaches_the_model_and_calls_are_recorded() -> None:
    earlier = RoomEvent(
        room_id="r",
        source=EventSource(channel_id="ws", channel_type=ChannelType.WEBSOCKET),
        content=TextContent(body="remembered line"),
    )
    memory = MockMemoryProvider(events=[earlier], system_notes=["The user likes tea."])
    assert isinstance(memory, MemoryProvider)
    assert memory.name == "MockMemoryProvider"
    provider = await _one_turn(memory, "hello")
    assert len(memory.retrieve_calls) == 1
    call = memory.retrieve_calls[0]
    assert call.room_id == "r"
    assert call.channel_id == "ai"
    assert isinstance(call.current_event.content, TextContent)
    assert call.current_event.content.body == "hello"
    context = provider.calls[-1]
    texts = [str(m.content) for m in context.messages]
    assert any("remembered line" in t for t in texts)
    assert not any("hello" in t for t in texts)  # the fixed events replace the transcript
    assert "The user likes tea." in (context.system_prompt or "")
    await memory.ingest("r", earlier, channel_id="ai")
    await memory.clear("r")
    await memory.close()
    assert [c.event for c in memory.ingest_calls] == [earlier]
    assert memory.clear_calls == ["r"]
    assert memory.closed


async def test_without_events_the_turn_sees_the_current_event() -> None:
    memory = MockMemoryProvider()
    provider = await _one_turn(memory, "only me")
    assert [str(m.content) for m in provider.calls[-1].messages] == ["only me"]
