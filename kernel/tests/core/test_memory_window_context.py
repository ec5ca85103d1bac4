"""An AI channel's memory window is read with the message's context (one snapshot per AI turn,
no ``get_recent_events``), and the provider gets the same messages as when the memory reads
its window from the store; text-only rooms keep reading ``context_events``."""

from __future__ import annotations

from typing import Any

import pytest

from roomkit import (
    AIChannel,
    ChannelCategory,
    HookTrigger,
    InboundMessage,
    RoomContext,
    RoomEvent,
    RoomKit,
    SlidingWindowMemory,
    TextContent,
    WebSocketChannel,
)
from roomkit.models.keys import INTERNAL_KEY
from roomkit.store.memory import InMemoryStore
from roomkit.testing import MockAIProvider

from .test_store_calls import counting_store

WINDOW = 8


class _StoreWindow(SlidingWindowMemory):
    """The same window, asking the engine for nothing: it reads the store (the old way)."""

    @property
    def recent_events_wanted(self) -> int:
        return 0


async def _ai_kit(
    memory: SlidingWindowMemory, *, context_events: int = 3
) -> tuple[RoomKit, str, list[str], MockAIProvider]:
    store, calls = counting_store(InMemoryStore())
    kit = RoomKit(store=store, context_events=context_events)
    provider = MockAIProvider(responses=[f"reply {i}" for i in range(7)])
    kit.register_channel(WebSocketChannel("ws"))
    kit.register_channel(AIChannel("ai", provider=provider, memory=memory))
    room = await kit.create_room()
    await kit.attach_channel(room.id, "ws")
    await kit.attach_channel(room.id, "ai", category=ChannelCategory.INTELLIGENCE)
    return kit, room.id, calls, provider


def _say(i: int) -> InboundMessage:
    # every fifth message is internal: the window skips it, so the page read matters
    metadata: dict[str, Any] = {INTERNAL_KEY: True} if i % 5 == 4 else {}
    return InboundMessage(
        channel_id="ws", sender_id=f"u{i % 2}", content=TextContent(body=f"m{i}"), metadata=metadata
    )


def _transcripts(provider: MockAIProvider) -> list[list[tuple[str, Any]]]:
    return [[(m.role, m.content) for m in call.messages] for call in provider.calls]


@pytest.mark.asyncio
async def test_the_provider_gets_the_same_messages_from_the_context_as_from_the_store() -> None:
    kit_ctx, room_ctx, calls_ctx, provider_ctx = await _ai_kit(SlidingWindowMemory(WINDOW))
    kit_store, room_store, calls_store, provider_store = await _ai_kit(_StoreWindow(WINDOW))
    for i in range(25):
        if i == 6:  # past the first turns (a room younger than the window reads its page)
            calls_ctx.clear()
            calls_store.clear()
        await kit_ctx.process_inbound(_say(i), room_id=room_ctx)
        await kit_store.process_inbound(_say(i), room_id=room_store)
    got, expected = _transcripts(provider_ctx), _transcripts(provider_store)
    assert len(got) == len(expected) == 20  # internal messages get no answer
    assert got == expected
    assert max(len(t) for t in got) == WINDOW  # the window filled up
    # the old way reads a page per turn once the room outgrows the context; the new one never
    assert calls_store.count("get_recent_events") == 15  # 19 messages, 4 of them internal
    assert "get_recent_events" not in calls_ctx
    await kit_ctx.close()
    await kit_store.close()


@pytest.mark.asyncio
async def test_an_ai_turn_costs_one_snapshot_and_two_writes() -> None:
    kit, room_id, calls, provider = await _ai_kit(SlidingWindowMemory(WINDOW))
    for i in range(12):
        await kit.process_inbound(_say(i), room_id=room_id)
    calls.clear()
    await kit.process_inbound(_say(12), room_id=room_id)
    assert provider.call_count == 11  # 4 and 9 are internal: no answer
    assert calls.count("get_room_snapshot") == 1  # the message's; the reply reuses it
    assert calls.count("add_event") == 2  # the message and the reply
    assert "get_recent_events" not in calls
    assert len(calls) == 3, calls
    await kit.close()


@pytest.mark.asyncio
async def test_contexts_hold_the_window_only_in_rooms_with_the_ai_bound() -> None:
    kit, ai_room, _calls, _provider = await _ai_kit(SlidingWindowMemory(WINDOW))
    text_room = (await kit.create_room()).id
    await kit.attach_channel(text_room, "ws")
    seen: dict[str, list[int]] = {ai_room: [], text_room: []}

    @kit.hook(HookTrigger.BEFORE_BROADCAST, name="sizes")
    async def sizes(event: RoomEvent, ctx: RoomContext) -> None:
        seen[ctx.room.id].append(len(ctx.recent_events))

    for i in range(15):
        await kit.process_inbound(_say(i), room_id=ai_room)
        await kit.process_inbound(_say(i), room_id=text_room)
    assert max(seen[text_room]) == 3  # context_events
    assert max(seen[ai_room]) == WINDOW  # the memory's window, read with the snapshot
    await kit.detach_channel(ai_room, "ai")
    seen[ai_room].clear()
    for i in range(3):
        await kit.process_inbound(_say(i), room_id=ai_room)
    assert seen[ai_room][-1] == 3  # unbound: back to context_events
    await kit.close()


@pytest.mark.asyncio
async def test_context_events_zero_stays_without_events_and_the_memory_reads_the_store() -> None:
    kit, room_id, calls, provider = await _ai_kit(SlidingWindowMemory(WINDOW), context_events=0)
    for i in range(12):
        await kit.process_inbound(_say(i), room_id=room_id)
    calls.clear()
    await kit.process_inbound(_say(12), room_id=room_id)
    assert calls.count("get_recent_events") == 1
    assert len(provider.calls[-1].messages) == WINDOW
    await kit.close()


def test_what_channels_and_memories_ask_for() -> None:
    from roomkit import HandoffMemoryProvider

    provider = MockAIProvider()
    window = SlidingWindowMemory(WINDOW)
    assert window.recent_events_wanted == WINDOW
    assert HandoffMemoryProvider(window).recent_events_wanted == WINDOW
    assert AIChannel("a", provider=provider, memory=window).recent_events_wanted == WINDOW
    assert AIChannel("b", provider=provider, max_context_events=30).recent_events_wanted == 30
    assert WebSocketChannel("ws").recent_events_wanted == 0
    assert _StoreWindow().recent_events_wanted == 0
