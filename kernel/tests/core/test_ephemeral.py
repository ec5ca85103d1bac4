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


async def test_tool_call_events_reach_subscribers_only(kit: RoomKit) -> None:
    ws = WebSocketChannel("ws")
    kit.register_channel(ws)
    to_socket: list[Any] = []
    to_app: list[EphemeralEvent] = []

    async def send(payload: Any) -> None:
        to_socket.append(payload)

    async def app(event: EphemeralEvent) -> None:
        to_app.append(event)

    ws.register_connection("c1", send)
    await kit.create_room(room_id="r")
    await kit.attach_channel("r", "ws")
    await kit.subscribe_room("r", app)
    secret = {"tool_calls": [{"name": "lookup", "arguments": {"card": "4242"}}]}
    await kit.publish_ephemeral(
        EphemeralEvent(room_id="r", type=EphemeralEventType.TOOL_CALL_START, data=secret)
    )
    await kit.drain()
    assert [e.type for e in to_app] == [EphemeralEventType.TOOL_CALL_START]
    assert to_socket == []


async def test_streamed_text_goes_to_streaming_channels_only(kit: RoomKit) -> None:
    from roomkit import ChannelCapabilities

    streaming = WebSocketChannel("ws-stream")
    plain = WebSocketChannel("ws-plain", capabilities=ChannelCapabilities(supports_streaming=False))
    received: dict[str, list[Any]] = {"ws-stream": [], "ws-plain": []}
    for channel in (streaming, plain):
        kit.register_channel(channel)

        async def send(payload: Any, _id: str = channel.channel_id) -> None:
            received[_id].append(payload)

        channel.register_connection("c", send)
    await kit.create_room(room_id="r")
    await kit.attach_channel("r", "ws-stream")
    await kit.attach_channel("r", "ws-plain")
    chunk = EphemeralEvent(
        room_id="r", type=EphemeralEventType.CUSTOM, data={"kind": "ai_stream", "delta": "Hel"}
    )
    await kit.publish_ephemeral(chunk)
    assert [e.data["delta"] for e in received["ws-stream"]] == ["Hel"]
    assert received["ws-plain"] == []


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
