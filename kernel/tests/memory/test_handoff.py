"""HandoffMemoryProvider: the receiving agent learns the handoff reason and summary."""

from __future__ import annotations

from roomkit import (
    ChannelType,
    ConversationState,
    EventSource,
    HandoffMemoryProvider,
    Room,
    RoomContext,
    RoomEvent,
    SlidingWindowMemory,
    TextContent,
    set_conversation_state,
)


def room_after_handoff() -> Room:
    state = ConversationState(phase="triage", active_agent_id="agent-triage").transition(
        to_phase="handling",
        to_agent="agent-handler",
        reason="User needs support",
        summary="Customer cannot log in",
    )
    return set_conversation_state(Room(id="r1"), state)


def current() -> RoomEvent:
    return RoomEvent(
        room_id="r1",
        source=EventSource(channel_id="ws", channel_type=ChannelType.WEBSOCKET),
        content=TextContent(body="hello?"),
    )


async def test_receiving_agent_gets_the_note() -> None:
    event = current()
    context = RoomContext(room=room_after_handoff(), recent_events=[event])
    memory = HandoffMemoryProvider(SlidingWindowMemory(max_events=10))
    result = await memory.retrieve("r1", event, context, channel_id="agent-handler")
    assert [e.id for e in result.events] == [event.id]
    (note,) = result.system_notes
    assert "handed off to you by agent-triage" in note
    assert "Reason: User needs support" in note
    assert "Summary so far: Customer cannot log in" in note
    assert "Current phase: handling" in note


async def test_other_agents_and_rooms_without_handoff_get_nothing() -> None:
    event = current()
    memory = HandoffMemoryProvider(SlidingWindowMemory())
    context = RoomContext(room=room_after_handoff(), recent_events=[event])
    other = await memory.retrieve("r1", event, context, channel_id="agent-triage")
    assert other.system_notes == []
    fresh = RoomContext(room=Room(id="r1"), recent_events=[event])
    assert (
        await memory.retrieve("r1", event, fresh, channel_id="agent-handler")
    ).system_notes == []
