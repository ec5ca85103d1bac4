"""Room timers: ACTIVE -> PAUSED -> CLOSED by inactivity."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from roomkit import HookTrigger, InboundMessage, RoomKit, RoomStatus, RoomTimers, TextContent


async def test_sweep_pauses_then_closes(kit: RoomKit) -> None:
    fired: list[str] = []

    @kit.hook(HookTrigger.ON_ROOM_PAUSED)
    async def paused(event: Any, ctx: Any) -> None:
        fired.append("paused:" + ctx.room.id)

    @kit.hook(HookTrigger.ON_ROOM_CLOSED)
    async def closed(event: Any, ctx: Any) -> None:
        fired.append("closed:" + ctx.room.id)

    timers = RoomTimers(inactive_after_seconds=60, closed_after_seconds=600)
    room = await kit.create_room(room_id="t", timers=timers)
    await kit.create_room(room_id="no-timers")
    start = room.last_activity_at

    assert await kit.sweep_room_timers(now=start + timedelta(seconds=30)) == []
    changed = await kit.sweep_room_timers(now=start + timedelta(seconds=61))
    assert [(r.id, r.status) for r in changed] == [("t", RoomStatus.PAUSED)]
    assert await kit.sweep_room_timers(now=start + timedelta(seconds=120)) == []
    changed = await kit.sweep_room_timers(now=start + timedelta(seconds=601))
    assert [(r.id, r.status) for r in changed] == [("t", RoomStatus.CLOSED)]
    await kit.drain()
    assert fired == ["paused:t", "closed:t"]
    assert (await kit.get_room("no-timers")).status == RoomStatus.ACTIVE


async def test_activity_resets_the_clock(kit: RoomKit) -> None:
    from roomkit import WebSocketChannel

    kit.register_channel(WebSocketChannel("ws"))
    room = await kit.create_room(room_id="t", timers=RoomTimers(inactive_after_seconds=60))
    await kit.attach_channel("t", "ws")
    result = await kit.process_inbound(
        InboundMessage(channel_id="ws", sender_id="u", content=TextContent(body="still here"))
    )
    last = result.event.created_at
    assert room.last_activity_at == last
    assert await kit.sweep_room_timers(now=last + timedelta(seconds=59)) == []
    assert len(await kit.sweep_room_timers(now=last + timedelta(seconds=61))) == 1


async def test_idle_beyond_both_timers_closes_directly(kit: RoomKit) -> None:
    room = await kit.create_room(
        room_id="t", timers=RoomTimers(inactive_after_seconds=1, closed_after_seconds=2)
    )
    changed = await kit.sweep_room_timers(now=room.last_activity_at + timedelta(seconds=5))
    assert [r.status for r in changed] == [RoomStatus.CLOSED]
