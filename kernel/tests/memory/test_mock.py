"""MockMemoryProvider through the real engine: fixed memory in, every call recorded."""

from __future__ import annotations

from roomkit import (
    AIChannel,
    AIMessage,
    ChannelCategory,
    EventSource,
    HandoffMemoryProvider,
    InboundMessage,
    MemoryResult,
    MockAIProvider,
    RoomEvent,
    RoomKit,
    SlidingWindowMemory,
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


async def test_ready_made_messages_come_before_the_transcript() -> None:
    summary = AIMessage(role="system", content="Summary: the user wants a refund.")
    memory = MockMemoryProvider(messages=[summary])
    provider = await _one_turn(memory, "any news?")
    sent = provider.calls[-1].messages
    assert [(m.role, m.text) for m in sent] == [
        ("system", "Summary: the user wants a refund."),
        ("user", "any news?"),
    ]
    result = await memory.retrieve(
        "r", memory.retrieve_calls[0].current_event, memory.retrieve_calls[0].context
    )
    assert result.messages == [summary]
    assert result.messages is not memory.messages  # each turn gets its own list


def test_memory_results_and_names_follow_roomkit_067() -> None:
    message = AIMessage(role="user", content="x")
    assert MemoryResult([message]).messages == [message]  # messages first, as in 0.6.7
    assert MemoryResult().events == []
    assert SlidingWindowMemory().name == "SlidingWindowMemory"
    assert HandoffMemoryProvider(SlidingWindowMemory()).name == "Handoff(SlidingWindowMemory)"

    class Custom(MemoryProvider):
        async def retrieve(self, room_id, current_event, context, *, channel_id=None, store=None):  # type: ignore[no-untyped-def]
            return MemoryResult()

    assert Custom().name == "Custom"
