"""A message costs the same in a room of any membership (issue 16.7): the sender is read by
key, the message's context carries the sender only, and stores that read a room snapshot in
one round trip switch to keyed reads once a room is large."""

from __future__ import annotations

from typing import Any

from roomkit import (
    HookResult,
    HookTrigger,
    InboundMessage,
    Participant,
    RoomKit,
    TextContent,
    WebSocketChannel,
)
from roomkit.core.context import LARGE_ROOM
from roomkit.store.memory import InMemoryStore

from .test_store_calls import counting_store


def _message(sender: str) -> InboundMessage:
    return InboundMessage(channel_id="ws", sender_id=sender, content=TextContent(body="hi"))


async def _room(kit: RoomKit, members: int) -> None:
    kit.register_channel(WebSocketChannel("ws"))
    await kit.create_room("r1")
    await kit.attach_channel("r1", "ws")
    for i in range(members):
        await kit.store.add_participant(Participant(id=f"m{i}", room_id="r1", channel_id="ws"))


async def test_a_message_context_carries_its_sender_only() -> None:
    kit = RoomKit()
    await _room(kit, 50)
    seen: list[list[str]] = []

    @kit.hook(HookTrigger.BEFORE_BROADCAST)
    async def look(event: Any, ctx: Any) -> HookResult:
        seen.append([p.id for p in ctx.participants])
        return HookResult.allow()

    await kit.process_inbound(_message("m7"), room_id="r1")
    await kit.process_inbound(_message("newcomer"), room_id="r1")
    assert seen == [["m7"], []]  # a new sender joins with its message, after the hooks
    full = await kit.build_context("r1")
    assert len(full.participants) == 51  # the 50 members and the newcomer
    assert full.participant("newcomer") is not None


async def test_a_store_with_a_message_snapshot_is_asked_for_it_alone() -> None:
    inner = InMemoryStore()
    counted, calls = counting_store(inner)

    async def get_message_snapshot(self: Any, *args: Any, **kwargs: Any) -> Any:
        calls.append("get_message_snapshot")
        return await inner.get_message_snapshot(*args, **kwargs)

    store = type("Keyed", (type(counted),), {"get_message_snapshot": get_message_snapshot})()
    kit = RoomKit(store=store)
    await _room(kit, LARGE_ROOM * 2)
    for sender in ("m1", "newcomer"):
        calls.clear()
        assert (await kit.process_inbound(_message(sender), room_id="r1")).accepted
        assert calls == ["get_message_snapshot", "add_event"]


async def test_a_snapshot_store_switches_to_keyed_reads_once_a_room_is_large() -> None:
    store, calls = counting_store(InMemoryStore())  # overrides get_room_snapshot only
    kit = RoomKit(store=store)
    await _room(kit, LARGE_ROOM + 1)
    calls.clear()
    await kit.process_inbound(_message("m3"), room_id="r1")
    assert calls == ["get_room_snapshot", "add_event"]  # learns the room is large
    calls.clear()
    await kit.process_inbound(_message("m4"), room_id="r1")
    assert calls == [
        "get_room",
        "list_bindings",
        "get_participant",
        "get_recent_events",
        "add_event",
    ]
    assert "list_participants" not in calls


async def test_a_small_room_keeps_one_round_trip() -> None:
    store, calls = counting_store(InMemoryStore())
    kit = RoomKit(store=store)
    await _room(kit, 3)
    for sender in ("m0", "m1", "newcomer"):
        calls.clear()
        await kit.process_inbound(_message(sender), room_id="r1")
        assert calls == ["get_room_snapshot", "add_event"]
