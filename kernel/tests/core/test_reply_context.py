"""An AI reply's context is built from its trigger's snapshot (one read per AI turn), and it
equals what reading the room again would give; when only a read can tell, the room is read."""

from __future__ import annotations

from typing import Any

import pytest

from roomkit import (
    AIChannel,
    ChannelCategory,
    ChannelDirection,
    ChannelType,
    EventSource,
    HookTrigger,
    InboundMessage,
    RoomContext,
    RoomEvent,
    RoomKit,
    TextContent,
    WebSocketChannel,
)
from roomkit.core.context import message_context
from roomkit.models.participant import Participant
from roomkit.store.memory import InMemoryStore
from roomkit.testing import MockAIProvider

from .test_store_calls import counting_store


async def _kit(
    **options: Any,
) -> tuple[RoomKit, str, list[str], list[tuple[RoomEvent, RoomContext]], InMemoryStore]:
    inner = InMemoryStore()
    store, calls = counting_store(inner)  # get_room_snapshot only, like the SQL stores
    kit = RoomKit(store=store, **options)
    kit.register_channel(WebSocketChannel("ws"))
    kit.register_channel(AIChannel("ai", provider=MockAIProvider(responses=["Sure."])))
    room = await kit.create_room()
    await kit.attach_channel(room.id, "ws")
    await kit.attach_channel(room.id, "ai", category=ChannelCategory.INTELLIGENCE)
    seen: list[tuple[RoomEvent, RoomContext]] = []

    @kit.hook(HookTrigger.BEFORE_BROADCAST, name="capture")
    async def capture(event: RoomEvent, ctx: RoomContext) -> None:
        seen.append((event, ctx))

    return kit, room.id, calls, seen, inner


def _say(body: str) -> InboundMessage:
    return InboundMessage(channel_id="ws", sender_id="u", content=TextContent(body=body))


async def _expected(kit: RoomKit, room_id: str, before: int, responder: str) -> RoomContext:
    """What reading the room under the lock would have given the reply (events < ``before``)."""
    rt = kit._rt
    room = await kit.store.get_room(room_id)
    assert room is not None
    read = await message_context(rt, room, responder)
    events = await kit.store.list_events(room_id, limit=1000, before_index=before)
    keep = rt.recent_for(room_id)  # an AI channel bound: its memory's window
    return read.model_copy(update={"recent_events": events[-keep:] if keep else []})


@pytest.mark.asyncio
async def test_a_reply_context_equals_a_fresh_read_and_costs_no_read() -> None:
    kit, room_id, calls, seen, _ = await _kit(context_events=5)
    for i in range(8):
        await kit.process_inbound(_say(f"m{i}"), room_id=room_id)
    calls.clear()
    seen.clear()
    await kit.process_inbound(_say("last"), room_id=room_id)
    assert calls.count("get_room_snapshot") == 1  # the message's snapshot, none for the reply
    assert calls.count("add_event") == 2
    (trigger, _), (reply, reply_ctx) = seen
    assert reply.source.channel_id == "ai"
    expected = await _expected(kit, room_id, reply.index, "ai")
    assert [e.id for e in reply_ctx.recent_events] == [e.id for e in expected.recent_events]
    assert reply_ctx.recent_events[-1].id == trigger.id
    assert [b.channel_id for b in reply_ctx.bindings] == [b.channel_id for b in expected.bindings]
    assert reply_ctx.participants == expected.participants == []
    assert reply_ctx.room.id == room_id
    assert reply_ctx.metadata == {}
    await kit.close()


@pytest.mark.asyncio
async def test_a_responder_that_is_a_member_gets_its_participant() -> None:
    kit, room_id, _calls, seen, _ = await _kit()
    member = Participant(id="ai", room_id=room_id, channel_id="ai", display_name="Assistant")
    await kit.store.add_participant(member)
    await kit.process_inbound(_say("hello"), room_id=room_id)
    (_, _), (_reply, reply_ctx) = seen
    assert [p.id for p in reply_ctx.participants] == ["ai"]
    assert reply_ctx.participants[0].display_name == "Assistant"
    await kit.close()


@pytest.mark.asyncio
async def test_without_context_events_the_reply_context_has_no_events() -> None:
    kit, room_id, _calls, seen, _ = await _kit(context_events=0)
    await kit.process_inbound(_say("a"), room_id=room_id)
    await kit.process_inbound(_say("b"), room_id=room_id)
    (_, _), (_, reply_ctx) = seen[-2:]
    assert reply_ctx.recent_events == []
    await kit.close()


@pytest.mark.asyncio
async def test_an_event_stored_after_the_snapshot_makes_the_reply_read_again() -> None:
    kit, room_id, calls, seen, inner = await _kit(context_events=10)
    await kit.process_inbound(_say("first"), room_id=room_id)
    original = inner.get_room_snapshot
    intruder: list[RoomEvent] = []

    async def snapshot_then_write(room_id: str, *, recent: int = 20) -> Any:
        # another process writes to the room right after this message's snapshot
        snapshot = await original(room_id, recent=recent)
        if not intruder:
            event = RoomEvent(
                room_id=room_id,
                source=EventSource(
                    channel_id="ws",
                    channel_type=ChannelType.WEBSOCKET,
                    participant_id="v",
                    direction=ChannelDirection.INBOUND,
                ),
                content=TextContent(body="from elsewhere"),
            )
            intruder.append(await inner.add_event(event))
        return snapshot

    inner.get_room_snapshot = snapshot_then_write  # type: ignore[method-assign]
    calls.clear()
    seen.clear()
    await kit.process_inbound(_say("second"), room_id=room_id)
    assert calls.count("get_room_snapshot") == 2  # the reply read the room again
    (trigger, _), (_reply, reply_ctx) = seen
    ids = [e.id for e in reply_ctx.recent_events]
    assert intruder[0].id in ids
    assert ids[-1] == trigger.id
    await kit.close()
