"""Consecutive AI turns reuse the previous turn's window and transcript (same event objects):
a changed copy stored in place of an event is judged and converted again, rooms never mix."""

from __future__ import annotations

import pytest

from roomkit import (
    AIChannel,
    ChannelCategory,
    InboundMessage,
    RoomKit,
    SlidingWindowMemory,
    TextContent,
    WebSocketChannel,
)
from roomkit.models.keys import INTERNAL_KEY
from roomkit.testing import MockAIProvider


async def _kit() -> tuple[RoomKit, MockAIProvider]:
    kit = RoomKit()
    provider = MockAIProvider(responses=["ok"])
    kit.register_channel(WebSocketChannel("ws"))
    kit.register_channel(AIChannel("ai", provider=provider, memory=SlidingWindowMemory(6)))
    return kit, provider


async def _room(kit: RoomKit) -> str:
    room = await kit.create_room()
    await kit.attach_channel(room.id, "ws")
    await kit.attach_channel(room.id, "ai", category=ChannelCategory.INTELLIGENCE)
    return room.id


async def _say(kit: RoomKit, room_id: str, text: str) -> None:
    message = InboundMessage(channel_id="ws", sender_id="u", content=TextContent(body=text))
    await kit.process_inbound(message, room_id=room_id)


def _sent(provider: MockAIProvider) -> list[str]:
    last = provider.last_context
    assert last is not None
    return [str(m.content) for m in last.messages]


@pytest.mark.asyncio
async def test_the_window_slides_turn_by_turn() -> None:
    kit, provider = await _kit()
    room_id = await _room(kit)
    for i in range(8):
        await _say(kit, room_id, f"m{i}")
        expected = [t for k in range(i + 1) for t in (f"m{k}", "ok")][:-1][-6:]
        assert _sent(provider) == expected
    await kit.close()


@pytest.mark.asyncio
async def test_a_changed_copy_of_a_stored_event_is_judged_and_converted_again() -> None:
    kit, provider = await _kit()
    room_id = await _room(kit)
    for i in range(3):
        await _say(kit, room_id, f"m{i}")
    assert _sent(provider) == ["m0", "ok", "m1", "ok", "m2"]
    events = await kit.store.list_events(room_id)
    first, second = events[0], events[2]
    await kit.store.update_event(
        first.model_copy(update={"metadata": {INTERNAL_KEY: True}}, deep=True)
    )
    await kit.store.update_event(second.model_copy(update={"content": TextContent(body="m1!")}))
    await _say(kit, room_id, "m3")
    assert _sent(provider) == ["ok", "m1!", "ok", "m2", "ok", "m3"]
    await kit.close()


@pytest.mark.asyncio
async def test_rooms_keep_their_own_windows() -> None:
    kit, provider = await _kit()
    rooms = [await _room(kit), await _room(kit)]
    for i in range(4):
        for n, room_id in enumerate(rooms):
            await _say(kit, room_id, f"r{n}-{i}")
            assert all(text.startswith(f"r{n}-") or text == "ok" for text in _sent(provider))
            assert _sent(provider)[-1] == f"r{n}-{i}"
    await kit.close()
