"""Framework events (``kit.on(type)``): what the engine emits, in order, and observer safety."""

from __future__ import annotations

import ast
from pathlib import Path
from typing import Any

import pytest

from roomkit import (
    FrameworkEvent,
    HookResult,
    HookTrigger,
    InboundMessage,
    RoomKit,
    TextContent,
    WebSocketChannel,
)
from roomkit.core.framework_events import FRAMEWORK_EVENT_TYPES
from roomkit.errors import ConfigurationError

CORE = Path(__file__).parents[2] / "src" / "roomkit" / "core"


def _observe_all(kit: RoomKit) -> list[FrameworkEvent]:
    seen: list[FrameworkEvent] = []
    for event_type in FRAMEWORK_EVENT_TYPES:
        kit.on(event_type)(seen.append)  # a plain function works too
    return seen


def _message(body: str, **fields: Any) -> InboundMessage:
    return InboundMessage(channel_id="ws", sender_id="u", content=TextContent(body=body), **fields)


async def test_a_rooms_life_as_framework_events() -> None:
    kit = RoomKit()
    seen = _observe_all(kit)
    kit.register_channel(WebSocketChannel("ws"))
    broken = kit.register_channel(WebSocketChannel("broken"))

    async def fails(connection_id: str, payload: Any) -> None:
        raise ConnectionError("gone")

    await kit.connect_websocket("broken", "c1", fails)
    await kit.create_room("r1")
    await kit.attach_channel("r1", "ws")
    await kit.attach_channel("r1", "broken")
    processed = await kit.process_inbound(_message("hi"), room_id="r1")

    @kit.hook(HookTrigger.BEFORE_BROADCAST)
    async def stop(event: Any, ctx: Any) -> HookResult:
        return HookResult.block("no")

    blocked = await kit.process_inbound(_message("stop"), room_id="r1")
    await kit.detach_channel("r1", "broken")
    assert broken.unregister_connection("c1") is True
    await kit.close_room("r1")
    assert processed.event is not None
    assert blocked.event is not None
    assert [(e.type, e.room_id, e.channel_id) for e in seen] == [
        ("channel_connected", None, "broken"),
        ("room_created", "r1", None),
        ("room_channel_attached", "r1", "ws"),
        ("room_channel_attached", "r1", "broken"),
        ("delivery_failed", "r1", "broken"),
        ("broadcast_partial_failure", "r1", None),
        ("event_processed", "r1", None),
        ("event_blocked", "r1", None),
        ("room_channel_detached", "r1", "broken"),
        ("room_closed", "r1", None),
    ]
    assert seen[0].data == {"connection_id": "c1"}
    assert seen[4].event_id == seen[6].event_id == processed.event.id
    assert seen[5].data["failed"] == 1
    assert seen[5].data["total"] == 1
    assert seen[7].data == {"reason": "no", "blocked_by": "stop"}


async def test_a_message_that_opens_a_room_starts_a_session() -> None:
    kit = RoomKit()
    seen = _observe_all(kit)
    kit.register_channel(WebSocketChannel("ws"))
    result = await kit.process_inbound(_message("first"))
    types = [e.type for e in seen]
    assert types == ["room_created", "room_channel_attached", "session_started", "event_processed"]
    (session,) = [e for e in seen if e.type == "session_started"]
    assert session.room_id == result.room_id
    assert session.data["channel_type"] == "websocket"


async def test_observers_that_fail_are_logged_and_the_others_run(caplog: Any) -> None:
    kit = RoomKit()
    seen: list[str] = []

    @kit.on("room_created")
    async def broken(event: FrameworkEvent) -> None:
        raise RuntimeError("observer bug")

    @kit.on("room_created")
    async def fine(event: FrameworkEvent) -> None:
        seen.append(event.room_id or "")

    await kit.create_room("r1")
    assert seen == ["r1"]
    assert "observer bug" in caplog.text
    assert kit.off("room_created", fine) is True
    assert kit.off("room_created", fine) is False
    await kit.create_room("r2")
    assert seen == ["r1"]


async def test_unknown_types_are_refused_and_triggers_still_register_hooks() -> None:
    kit = RoomKit()
    with pytest.raises(ConfigurationError, match="room_created"):
        kit.on("room_craeted")
    with pytest.raises(TypeError):
        kit.on("room_created", priority=1)

    @kit.on(HookTrigger.ON_ROOM_CREATED)
    async def as_hook(event: Any, ctx: Any) -> None:
        return None

    assert kit.hooks.has(HookTrigger.ON_ROOM_CREATED)


def test_every_listed_type_is_emitted_somewhere_in_the_engine() -> None:
    emitted: set[str] = set()
    for path in CORE.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr == "emit"
                and node.args
                and isinstance(node.args[0], ast.Constant)
            ):
                emitted.add(node.args[0].value)
    assert emitted == set(FRAMEWORK_EVENT_TYPES)
