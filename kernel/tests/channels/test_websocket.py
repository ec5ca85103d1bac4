"""WebSocketChannel: connections, fan-out, failures; plus the channel conformance suite."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest

from roomkit import (
    ChannelOutput,
    DeliveryError,
    EventSource,
    InboundMessage,
    RoomContext,
    RoomEvent,
    RoomKit,
    TextContent,
    WebSocketChannel,
)
from roomkit.models.enums import ChannelType
from roomkit.models.room import ChannelBinding, Room
from roomkit_conformance.builtins import websocket_channel
from roomkit_conformance.suites.channel import ChannelHarness, ChannelSuite


class TestWebSocketConformance(ChannelSuite):
    @pytest.fixture
    async def component(self) -> AsyncIterator[ChannelHarness]:
        async for harness in websocket_channel():
            yield harness


def _event() -> RoomEvent:
    return RoomEvent(
        room_id="r",
        source=EventSource(channel_id="x", channel_type=ChannelType.SMS),
        content=TextContent(body="hi"),
    )


def _binding() -> ChannelBinding:
    return ChannelBinding(room_id="r", channel_id="ws", channel_type=ChannelType.WEBSOCKET)


async def test_both_callback_shapes_are_supported() -> None:
    ws = WebSocketChannel("ws")
    with_id: list[tuple[str, Any]] = []
    payload_only: list[Any] = []

    async def send_with_id(connection_id: str, payload: Any) -> None:
        with_id.append((connection_id, payload))

    async def send_payload(payload: Any) -> None:
        payload_only.append(payload)

    ws.register_connection("c1", send_with_id)
    ws.register_connection("c2", send_payload)
    event = _event()
    await ws.deliver(event, _binding(), RoomContext(room=Room(id="r")))
    assert with_id == [("c1", event)]
    assert payload_only == [event]


async def test_failing_connection_does_not_stop_the_others() -> None:
    errors: list[str] = []
    ws = WebSocketChannel("ws", on_connection_error=lambda cid, exc: errors.append(cid))
    got: list[Any] = []

    async def broken(payload: Any) -> None:
        raise ConnectionResetError("gone")

    async def fine(payload: Any) -> None:
        got.append(payload)

    ws.register_connection("bad", broken)
    ws.register_connection("good", fine)
    output = await ws.deliver(_event(), _binding(), RoomContext(room=Room(id="r")))
    assert len(got) == 1
    assert errors == ["bad"]
    assert output.metadata["failed_connections"] == ["bad"]
    ws.unregister_connection("good")
    with pytest.raises(DeliveryError, match="every connection"):
        await ws.deliver(_event(), _binding(), RoomContext(room=Room(id="r")))


async def test_on_event_delivers_as_deliver_does() -> None:
    errors: list[str] = []
    ws = WebSocketChannel("ws", on_connection_error=lambda cid, exc: errors.append(cid))
    got: list[Any] = []

    async def broken(payload: Any) -> None:
        raise ConnectionResetError("gone")

    async def fine(connection_id: str, payload: Any) -> None:
        got.append((connection_id, payload))

    ctx = RoomContext(room=Room(id="r"))
    ws.register_connection("good", fine)
    event = _event()
    output = await ws.on_event(event, _binding(), ctx)
    assert got == [("good", event)]
    assert not output.has_effects
    assert not output.metadata
    ws.register_connection("bad", broken)
    output = await ws.on_event(event, _binding(), ctx)
    assert errors == ["bad"]
    assert output.metadata["failed_connections"] == ["bad"]
    ws.unregister_connection("good")
    with pytest.raises(DeliveryError, match="every connection"):
        await ws.on_event(event, _binding(), ctx)


async def test_connections_changed_during_a_delivery_count_from_the_next_one() -> None:
    ws = WebSocketChannel("ws")
    got: list[str] = []

    async def late(payload: Any) -> None:
        got.append("late")

    async def first(payload: Any) -> None:
        got.append("first")
        ws.unregister_connection("second")  # still served this time, as registered
        ws.register_connection("late", late)

    async def second(payload: Any) -> None:
        got.append("second")

    ws.register_connection("first", first)
    ws.register_connection("second", second)
    ctx = RoomContext(room=Room(id="r"))
    await ws.on_event(_event(), _binding(), ctx)
    assert got == ["first", "second"]
    got.clear()
    await ws.on_event(_event(), _binding(), ctx)
    assert got == ["first", "late"]
    await ws.close()
    got.clear()
    await ws.on_event(_event(), _binding(), ctx)
    assert got == []  # closed: no connection left


async def test_on_event_goes_through_a_subclass_deliver_or_send_all() -> None:
    calls: list[str] = []

    class Counting(WebSocketChannel):
        async def deliver(
            self, event: RoomEvent, binding: ChannelBinding, context: RoomContext
        ) -> ChannelOutput:
            calls.append("deliver")
            return await super().deliver(event, binding, context)

    class Filtering(WebSocketChannel):
        async def _send_all(self, payload: Any, only: set[str] | None = None) -> list[str]:
            calls.append("send_all")
            return await super()._send_all(payload, only)

    async def send(payload: Any) -> None:
        calls.append("sent")

    for channel in (Counting("ws"), Filtering("ws")):
        channel.register_connection("c", send)
        await channel.on_event(_event(), _binding(), RoomContext(room=Room(id="r")))
    assert calls == ["deliver", "sent", "send_all", "sent"]


def test_registration_validates() -> None:
    ws = WebSocketChannel("ws")
    with pytest.raises(ValueError):
        ws.register_connection("", lambda p: None)  # type: ignore[arg-type,return-value]
    with pytest.raises(TypeError):
        ws.register_connection("c", "not callable")  # type: ignore[arg-type]
    assert ws.unregister_connection("missing") is False


async def test_two_users_talk_through_a_room() -> None:
    kit = RoomKit()
    inbox: dict[str, list[str]] = {"alice": [], "bob": []}
    for user in inbox:
        kit.register_channel(WebSocketChannel(f"ws-{user}"))

        async def send(connection_id: str, event: Any, user: str = user) -> None:
            inbox[user].append(event.content.body)

        await kit.connect_websocket(f"ws-{user}", f"{user}-tab", send)
    await kit.create_room(room_id="chat")
    await kit.attach_channel("chat", "ws-alice")
    await kit.attach_channel("chat", "ws-bob")
    for user, text in (("alice", "hi bob"), ("bob", "hi alice")):
        await kit.process_inbound(
            InboundMessage(channel_id=f"ws-{user}", sender_id=user, content=TextContent(body=text))
        )
    assert inbox == {"alice": ["hi alice"], "bob": ["hi bob"]}
    await kit.close()
    assert kit.get_channel("ws-alice").info()["connections"] == 0
