"""Room hooks, and the hook engine's RoomKit 0.6.7 call shapes."""

from __future__ import annotations

from typing import Any

import pytest

from roomkit import (
    ChannelType,
    HookExecution,
    HookRegistration,
    HookResult,
    HookTrigger,
    InboundMessage,
    RoomKit,
    TextContent,
    WebSocketChannel,
)
from roomkit.errors import ConfigurationError


async def _kit() -> RoomKit:
    kit = RoomKit()
    kit.register_channel(WebSocketChannel("ws"))
    for room_id in ("a", "b"):
        await kit.create_room(room_id)
        await kit.attach_channel(room_id, "ws")
    return kit


def _message() -> InboundMessage:
    return InboundMessage(channel_id="ws", sender_id="u", content=TextContent(body="x"))


async def test_a_room_hook_runs_in_its_room_only_in_priority_order() -> None:
    kit = await _kit()
    seen: list[tuple[str, str]] = []

    def recorder(label: str) -> Any:
        async def hook(event: Any, ctx: Any) -> HookResult:
            seen.append((label, ctx.room.id))
            return HookResult.allow()

        return hook

    kit.add_room_hook(
        "a", HookTrigger.BEFORE_BROADCAST, HookExecution.SYNC, recorder("first"), -1, "first"
    )
    kit.hook_engine.register(
        HookRegistration(HookTrigger.BEFORE_BROADCAST, HookExecution.SYNC, recorder("global"))
    )
    kit.add_room_hook(
        "a", HookTrigger.BEFORE_BROADCAST, HookExecution.SYNC, recorder("last"), 5, "last"
    )
    for room_id in ("a", "b"):
        await kit.process_inbound(_message(), room_id=room_id)
    assert seen == [("first", "a"), ("global", "a"), ("last", "a"), ("global", "b")]
    assert kit.remove_room_hook("a", "first") is True
    assert kit.remove_room_hook("a", "first") is False
    assert [r.name for r in kit.hook_engine.room_hooks("a")] == ["last"]


async def test_hooks_added_or_removed_are_seen_on_the_next_message() -> None:
    # a room's hooks merged with the global ones are kept between messages: every change
    # (global or of the room, sync or async, filtered or not) must show on the next one
    kit = await _kit()
    seen: list[str] = []

    def recorder(label: str) -> Any:
        async def hook(event: Any, ctx: Any) -> None:
            seen.append(label)

        return hook

    async def send() -> list[str]:
        seen.clear()
        await kit.process_inbound(_message(), room_id="a")
        await kit.drain()
        return list(seen)

    sync, after = HookTrigger.BEFORE_BROADCAST, HookTrigger.AFTER_BROADCAST
    kit.add_room_hook("a", sync, HookExecution.SYNC, recorder("room"), 0, "room")
    kit.add_hook(after, recorder("async"), name="async")
    assert await send() == ["room", "async"]
    kit.add_hook(sync, recorder("global"), name="global", priority=-1)
    assert await send() == ["global", "room", "async"]
    kit.add_room_hook("a", sync, HookExecution.SYNC, recorder("room-late"), 9, "late")
    kit.add_room_hook("a", after, HookExecution.ASYNC, recorder("room-async"), -1, "ra")
    assert await send() == ["global", "room", "room-late", "room-async", "async"]
    kit.add_hook(after, recorder("sms-only"), name="sms", channel_types=[ChannelType.SMS])
    kit.add_hook(sync, recorder("ws-only"), name="ws", channel_types=[ChannelType.WEBSOCKET])
    assert await send() == ["global", "room", "ws-only", "room-late", "room-async", "async"]
    assert kit.remove_room_hook("a", "room") is True
    kit.remove_hook("global")
    assert await send() == ["ws-only", "room-late", "room-async", "async"]
    kit.remove_hook("ws")
    assert kit.remove_room_hook("a", "late") is True
    assert kit.remove_room_hook("a", "ra") is True
    assert await send() == ["async"]
    kit.remove_hook("async")
    assert await send() == []


async def test_a_room_hook_can_block_and_is_forgotten_with_its_room() -> None:
    kit = await _kit()
    closed: list[str] = []

    async def stop(event: Any, ctx: Any) -> HookResult:
        return HookResult.block("not here")

    async def on_closed(event: Any, ctx: Any) -> None:
        closed.append(ctx.room.id)

    kit.add_room_hook("a", HookTrigger.BEFORE_BROADCAST, HookExecution.SYNC, stop, name="stop")
    kit.add_room_hook("a", HookTrigger.ON_ROOM_CLOSED, HookExecution.SYNC, on_closed)
    assert (await kit.process_inbound(_message(), room_id="a")).blocked
    assert not (await kit.process_inbound(_message(), room_id="b")).blocked
    assert kit.hooks.has(HookTrigger.ON_ROOM_CLOSED)
    await kit.close_room("a")
    assert closed == ["a"]  # its own ON_ROOM_CLOSED hook still ran
    assert kit.hook_engine.room_hooks("a") == []
    assert not kit.hooks.has(HookTrigger.ON_ROOM_CLOSED)
    assert not kit.hooks.has_sync(HookTrigger.BEFORE_BROADCAST)


async def test_room_hooks_of_a_deleted_room_are_dropped() -> None:
    kit = await _kit()

    async def noop(event: Any, ctx: Any) -> None:
        return None

    kit.add_room_hook("b", HookTrigger.AFTER_BROADCAST, HookExecution.ASYNC, noop)
    await kit.delete_room("b")
    assert kit.hook_engine.room_hooks("b") == []
    with pytest.raises(ConfigurationError):
        kit.add_room_hook("", HookTrigger.AFTER_BROADCAST, HookExecution.ASYNC, noop)


async def test_run_sync_hooks_and_run_async_hooks_as_in_067() -> None:
    kit = await _kit()
    ran: list[str] = []

    async def sync_hook(event: Any, ctx: Any) -> HookResult:
        ran.append("sync")
        return HookResult.block("stop")

    async def async_hook(event: Any, ctx: Any) -> None:
        ran.append("async")

    engine = kit.hook_engine
    engine.register(HookRegistration(HookTrigger.ON_ERROR, HookExecution.SYNC, sync_hook))
    engine.register(HookRegistration(HookTrigger.ON_ERROR, HookExecution.ASYNC, async_hook))
    ctx = await kit.build_context("a")
    outcome = await engine.run_sync_hooks("a", HookTrigger.ON_ERROR, "payload", ctx)
    assert outcome.blocked
    assert not outcome.allowed
    await engine.run_async_hooks("a", HookTrigger.ON_ERROR, "payload", ctx)
    assert ran == ["sync", "async"]
    with pytest.raises(ConfigurationError, match="not the room"):
        await engine.run_sync_hooks("b", HookTrigger.ON_ERROR, "payload", ctx)


async def test_registration_fields_are_checked() -> None:
    kit = await _kit()

    async def hook(event: Any, ctx: Any) -> None:
        return None

    registration = kit.hook_engine.register(
        HookRegistration(HookTrigger.ON_ERROR, HookExecution.ASYNC, hook)
    )
    assert registration.name == "hook"  # an empty name becomes the function's
    with pytest.raises(ConfigurationError):
        kit.hook_engine.register(
            HookRegistration(HookTrigger.ON_ERROR, "sometimes", hook)  # type: ignore[arg-type]
        )
    with pytest.raises(ConfigurationError, match="HookRegistration"):
        kit.hook_engine.register(hook)  # type: ignore[arg-type]
