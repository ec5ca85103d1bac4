"""Ephemeral events through the kit: subscribe, publish, forward to WebSocket connections."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from roomkit import EphemeralEvent, EphemeralEventType, RoomKit, WebSocketChannel


async def _wait_for(items: list[Any], n: int) -> None:
    for _ in range(200):
        if len(items) >= n:
            return
        await asyncio.sleep(0.005)


async def test_subscribe_and_publish(kit: RoomKit) -> None:
    await kit.create_room(room_id="room-1")
    got: list[EphemeralEvent] = []

    async def handle(event: EphemeralEvent) -> None:
        got.append(event)

    sub_id = await kit.subscribe_room("room-1", handle)
    await kit.publish_typing("room-1", "user-1")
    await kit.publish_typing("room-1", "user-1", is_typing=False)
    await kit.publish_presence("room-1", "user-1", "online")
    await kit.publish_read_receipt("room-1", "user-1", "event-123")
    await kit.publish_reaction("room-1", "user-1", "event-123", "+1")
    await _wait_for(got, 5)
    assert [e.type for e in got] == [
        EphemeralEventType.TYPING_START,
        EphemeralEventType.TYPING_STOP,
        EphemeralEventType.PRESENCE_ONLINE,
        EphemeralEventType.READ_RECEIPT,
        EphemeralEventType.REACTION,
    ]
    assert got[3].data == {"event_id": "event-123"}
    assert await kit.unsubscribe_room(sub_id) is True
    await kit.publish_typing("room-1", "user-1")
    await asyncio.sleep(0.02)
    assert len(got) == 5


async def test_other_rooms_are_not_seen(kit: RoomKit) -> None:
    got: list[EphemeralEvent] = []

    async def handle(event: EphemeralEvent) -> None:
        got.append(event)

    await kit.subscribe_room("a", handle)
    await kit.publish_typing("b", "u")
    await kit.publish_typing("a", "u")
    await _wait_for(got, 1)
    await asyncio.sleep(0.01)
    assert [e.room_id for e in got] == ["a"]


async def test_bad_presence_status(kit: RoomKit) -> None:
    with pytest.raises(ValueError, match="online"):
        await kit.publish_presence("r", "u", "dancing")


async def test_websocket_connections_receive_ephemeral_events(kit: RoomKit) -> None:
    ws = WebSocketChannel("ws")
    kit.register_channel(ws)
    received: list[Any] = []

    async def send(payload: Any) -> None:
        received.append(payload)

    ws.register_connection("c1", send)
    await kit.create_room(room_id="r")
    await kit.attach_channel("r", "ws")
    await kit.publish_typing("r", "someone", channel_id="other")
    await kit.publish_typing("r", "me", channel_id="ws")  # not echoed to its own channel
    assert [(e.type, e.user_id) for e in received] == [(EphemeralEventType.TYPING_START, "someone")]


async def test_publish_ephemeral_both_call_shapes(kit: RoomKit) -> None:
    got: list[EphemeralEvent] = []

    async def handle(event: EphemeralEvent) -> None:
        got.append(event)

    await kit.subscribe_room("r", handle)
    await kit.publish_ephemeral(EphemeralEvent(room_id="r", type=EphemeralEventType.CUSTOM))
    await kit.publish_ephemeral(
        "r", EphemeralEvent(room_id="elsewhere", type=EphemeralEventType.TOOL_CALL_START)
    )
    await _wait_for(got, 2)
    assert [(e.room_id, e.type) for e in got] == [
        ("r", EphemeralEventType.CUSTOM),
        ("r", EphemeralEventType.TOOL_CALL_START),
    ]
    with pytest.raises(TypeError):
        await kit.publish_ephemeral("r")


async def test_drain_waits_for_queued_ephemeral_events(kit: RoomKit) -> None:
    got: list[EphemeralEvent] = []

    async def handle(event: EphemeralEvent) -> None:
        got.append(event)

    await kit.subscribe_room("r", handle)
    await kit.publish_typing("r", "u")
    await kit.publish_presence("r", "u", "away")
    await kit.drain()
    assert [e.type for e in got] == [
        EphemeralEventType.TYPING_START,
        EphemeralEventType.PRESENCE_AWAY,
    ]
