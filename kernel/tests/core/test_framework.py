"""RoomKit: construction, components by name, rooms, channels and bindings."""

from __future__ import annotations

from typing import Any

import pytest

from roomkit import (
    Access,
    AIConfig,
    ChannelCategory,
    ChannelNotFoundError,
    ChannelNotRegisteredError,
    ConfigurationError,
    ConsoleTelemetryProvider,
    InMemoryLockManager,
    InMemoryStore,
    PluginError,
    RetryPolicy,
    RoomClosedError,
    RoomKit,
    RoomNotFoundError,
    RoomStatus,
    TelemetryConfig,
    WebSocketChannel,
)


def test_defaults_are_in_memory() -> None:
    kit = RoomKit()
    assert isinstance(kit.store, InMemoryStore)
    assert isinstance(kit.lock_manager, InMemoryLockManager)
    assert kit._rt.telemetry is None  # no-op telemetry costs nothing on the hot path


def test_components_by_plugin_name() -> None:
    kit = RoomKit(store="memory", lock_manager="memory", realtime="memory")
    assert isinstance(kit.store, InMemoryStore)
    assert isinstance(kit.lock_manager, InMemoryLockManager)
    with pytest.raises(PluginError):
        RoomKit(store="no-such-store")


def test_from_config() -> None:
    kit = RoomKit.from_config(
        {"store": {"name": "memory"}, "lock_manager": "memory", "max_chain_depth": 2}
    )
    assert isinstance(kit.store, InMemoryStore)
    assert kit.max_chain_depth == 2
    with pytest.raises(ConfigurationError, match="name"):
        RoomKit.from_config({"store": {"config": {}}})
    with pytest.raises(ConfigurationError, match="unknown"):
        RoomKit.from_config({"colour": "blue"})


def test_bad_arguments_are_configuration_errors() -> None:
    with pytest.raises(ConfigurationError):
        RoomKit(max_chain_depth=-1)
    with pytest.raises(ConfigurationError, match="store_config"):
        RoomKit(store=InMemoryStore(), store_config={"x": 1})
    with pytest.raises(ConfigurationError, match="telemetry"):
        RoomKit(telemetry=object())  # type: ignore[arg-type]


def test_telemetry_config_is_accepted() -> None:
    provider = ConsoleTelemetryProvider()
    kit = RoomKit(telemetry=TelemetryConfig(provider=provider))
    assert kit.telemetry is provider
    assert kit._rt.telemetry is provider


async def test_room_lifecycle(kit: RoomKit) -> None:
    room = await kit.create_room(
        room_id="r", organization_id="org", metadata={"k": 1}, ai_config=AIConfig(temperature=0.2)
    )
    assert (await kit.get_room("r")) is room
    assert room.ai_config is not None
    assert room.ai_config.temperature == 0.2
    generated = await kit.create_room()
    assert len(generated.id) == 32
    assert [r.id for r in await kit.list_rooms(organization_id="org")] == ["r"]
    closed = await kit.close_room("r")
    assert closed.status == RoomStatus.CLOSED
    assert closed.closed_at is not None
    assert [r.id for r in await kit.list_rooms(status=RoomStatus.CLOSED)] == ["r"]
    with pytest.raises(RoomNotFoundError):
        await kit.get_room("missing")
    kit.register_channel(WebSocketChannel("ws"))
    with pytest.raises(RoomClosedError):
        await kit.attach_channel("r", "ws")


async def test_register_and_attach(kit: RoomKit) -> None:
    ws = kit.register_channel(WebSocketChannel("ws"))
    assert kit.get_channel("ws") is ws
    with pytest.raises(ChannelNotRegisteredError):
        kit.get_channel("nope")
    with pytest.raises(ConfigurationError):
        kit.register_channel(WebSocketChannel("ws"))
    with pytest.raises(ConfigurationError):
        kit.register_channel("ws")  # type: ignore[arg-type]
    await kit.create_room(room_id="r")
    binding = await kit.attach_channel(
        "r", "ws", access=Access.READ_ONLY, retry_policy=RetryPolicy(max_retries=1)
    )
    assert binding.category == ChannelCategory.TRANSPORT
    assert binding.capabilities.supports_typing  # taken from the channel
    assert [b.channel_id for b in await kit.list_bindings("r")] == ["ws"]
    with pytest.raises(ChannelNotRegisteredError):
        await kit.attach_channel("r", "ghost")
    with pytest.raises(RoomNotFoundError):
        await kit.attach_channel("ghost-room", "ws")
    updated = await kit.update_binding("r", "ws", access=Access.READ_WRITE)
    assert updated.access == Access.READ_WRITE
    with pytest.raises(ConfigurationError):
        await kit.update_binding("r", "ws", channel_id="other")
    assert (await kit.mute("r", "ws")).muted
    assert not (await kit.unmute("r", "ws")).muted
    assert await kit.detach_channel("r", "ws") is True
    assert await kit.detach_channel("r", "ws") is False
    with pytest.raises(ChannelNotFoundError):
        await kit.get_binding("r", "ws")


async def test_on_register_receives_the_kit(kit: RoomKit) -> None:
    class Aware(WebSocketChannel):
        kit: Any = None

        def on_register(self, kit: RoomKit) -> None:
            self.kit = kit

    channel = Aware("aware")
    kit.register_channel(channel)
    assert channel.kit is kit


async def test_websocket_helpers(kit: RoomKit) -> None:
    ws = WebSocketChannel("ws")
    kit.register_channel(ws)

    async def send(connection_id: str, payload: Any) -> None:
        return None

    await kit.connect_websocket("ws", "c1", send)
    assert ws.connection_ids == ["c1"]
    assert await kit.disconnect_websocket("ws", "c1") is True


async def test_close_is_idempotent_and_context_manager() -> None:
    async with RoomKit() as kit:
        await kit.create_room(room_id="r")
    await kit.close()


async def test_telemetry_spans_wrap_process_inbound(caplog: Any) -> None:
    import logging

    from roomkit import InboundMessage, TextContent

    kit = RoomKit(telemetry=ConsoleTelemetryProvider())
    kit.register_channel(WebSocketChannel("ws"))
    await kit.create_room(room_id="r")
    await kit.attach_channel("r", "ws")
    with caplog.at_level(logging.INFO, logger="roomkit.telemetry"):
        await kit.process_inbound(
            InboundMessage(channel_id="ws", sender_id="u", content=TextContent(body="x"))
        )
    assert any("roomkit.process_inbound" in r.getMessage() for r in caplog.records)
    assert not any("roomkit.delivery" in r.getMessage() for r in caplog.records)  # no target
    kit.register_channel(WebSocketChannel("ws2"))
    await kit.attach_channel("r", "ws2")
    with caplog.at_level(logging.INFO, logger="roomkit.telemetry"):
        await kit.process_inbound(
            InboundMessage(channel_id="ws", sender_id="u", content=TextContent(body="y"))
        )
    assert any("span roomkit.delivery" in r.getMessage() for r in caplog.records)
