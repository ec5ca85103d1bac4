"""RoomKit: construction, components by name, rooms, channels and bindings."""

from __future__ import annotations

from typing import Any

import pytest

from roomkit import (
    Access,
    AIConfig,
    Channel,
    ChannelCategory,
    ChannelNotFoundError,
    ChannelNotRegisteredError,
    ConfigurationError,
    ConsoleTelemetryProvider,
    HookExecution,
    HookResult,
    HookTrigger,
    InboundMessage,
    InMemoryLockManager,
    InMemoryStore,
    PluginError,
    RateLimit,
    RetryPolicy,
    RoomClosedError,
    RoomContext,
    RoomEngine,
    RoomKit,
    RoomNotFoundError,
    RoomStatus,
    TelemetryConfig,
    TextContent,
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


class Closing(WebSocketChannel):
    closed = 0

    async def close(self) -> None:
        self.closed += 1
        await super().close()


class ClosingStore(InMemoryStore):
    closed = 0

    async def close(self) -> None:
        self.closed += 1


async def test_close_is_idempotent_and_context_manager() -> None:
    store = ClosingStore()
    channel = Closing("ws")
    async with RoomKit(store=store) as kit:
        kit.register_channel(channel)
        await kit.create_room(room_id="r")
        assert (channel.closed, store.closed) == (0, 0)
    assert (channel.closed, store.closed) == (1, 1)  # leaving the block closed everything
    await kit.close()
    assert (channel.closed, store.closed) == (1, 1)  # the second close did nothing


async def test_kit_is_a_room_engine_and_settings_apply_to_the_running_kit() -> None:
    kit = RoomKit(max_chain_depth=4)
    assert isinstance(kit, RoomEngine)
    assert kit.max_chain_depth == 4
    kit.max_chain_depth = 2
    assert (kit.max_chain_depth, kit._rt.max_chain_depth) == (2, 2)
    replacement = InMemoryStore()
    kit.store = replacement
    assert kit.store is replacement
    assert kit._rt.store is replacement  # what the message path reads


async def test_channel_contract_defaults(kit: RoomKit) -> None:
    class Plain(Channel):
        pass

    plain = kit.register_channel(Plain("plain"))
    with pytest.raises(ConfigurationError, match="does not take connections"):
        await kit.connect_websocket("plain", "c1", _send)
    with pytest.raises(ConfigurationError, match="does not take connections"):
        await kit.disconnect_websocket("plain", "c1")
    assert plain.inline_delivery is False
    await plain.set_language("r", "French")  # ignored by channels without speech
    await plain.apply_agent_handoff("r", plain, system_prompt="p")
    await kit.create_room(room_id="r")
    await kit.attach_channel("r", "plain")
    await kit.publish_typing("r", "u1")  # a channel that ignores ephemeral events is skipped


async def _send(payload: Any) -> None:
    return None


async def test_register_channel_calls_on_register_once(kit: RoomKit) -> None:
    seen: list[object] = []

    class Aware(WebSocketChannel):
        def on_register(self, engine: RoomEngine) -> None:
            seen.append(engine)

    channel = Aware("aware")
    kit.register_channel(channel)
    kit.register_channel(channel)  # registering the same object again is a no-op
    assert seen == [kit]


async def _rate_limited_room(kit: RoomKit, room_id: str) -> None:
    kit.register_channel(WebSocketChannel(f"{room_id}-in"))
    kit.register_channel(WebSocketChannel(f"{room_id}-out"))
    await kit.create_room(room_id=room_id)
    await kit.attach_channel(room_id, f"{room_id}-in")
    await kit.attach_channel(room_id, f"{room_id}-out", rate_limit=RateLimit(max_per_second=50))
    await kit.process_inbound(
        InboundMessage(channel_id=f"{room_id}-in", sender_id="u", content=TextContent(body="x")),
        room_id=room_id,
    )


async def test_closing_or_deleting_a_room_drops_its_rate_limiters(kit: RoomKit) -> None:
    for room_id in ("closed", "deleted", "kept"):
        await _rate_limited_room(kit, room_id)
    assert set(kit._rt.limiters) == {"closed", "deleted", "kept"}
    await kit.close_room("closed")
    assert await kit.delete_room("deleted") is True
    assert set(kit._rt.limiters) == {"kept"}
    assert await kit.delete_room("deleted") is False
    with pytest.raises(RoomNotFoundError):
        await kit.get_room("deleted")
    await kit.detach_channel("kept", "kept-out")
    assert kit._rt.limiters == {}


async def test_fire_hook_with_a_context_the_caller_has(kit: RoomKit) -> None:
    await kit.create_room(room_id="r")
    ctx = await kit.build_context("r")
    seen: list[dict[str, Any]] = []

    async def record(payload: Any, context: RoomContext) -> HookResult:
        seen.append(dict(context.metadata))
        return HookResult.block("no")

    kit.add_hook(HookTrigger.ON_HANDOFF, record, execution=HookExecution.SYNC)
    outcome = await kit.fire_hook(HookTrigger.ON_HANDOFF, context=ctx, metadata={"k": 1})
    assert outcome is not None
    assert outcome.blocked
    assert seen == [{"k": 1}]
    assert ctx.metadata == {}  # the caller's context is not changed
    assert await kit.fire_hook(HookTrigger.ON_PHASE_TRANSITION, room_id="r") is None


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
