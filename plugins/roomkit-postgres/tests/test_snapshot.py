"""``get_room_snapshot`` on PostgreSQL: equal to the separate reads, and one call per message.

The engine reads a room's context through ``get_room_snapshot`` (one round trip here instead
of four), takes the sender's binding from it and leaves duplicate detection to ``add_event``
when no BEFORE_BROADCAST hook runs first: an inbound message costs two store calls.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import pytest
from roomkit_postgres import PostgresStore

from roomkit import InboundMessage, RoomClosedError, RoomKit, TextContent, WebSocketChannel
from roomkit.models.participant import Participant
from roomkit.store.base import ConversationStore


def counting_store(inner: ConversationStore) -> tuple[ConversationStore, list[str]]:
    """A store forwarding every call (snapshot included) to ``inner``, recording its name."""
    calls: list[str] = []
    names = {*ConversationStore.__abstractmethods__, "get_room_snapshot"}

    def forward(name: str) -> Callable[..., Awaitable[Any]]:
        async def method(self: ConversationStore, *args: Any, **kwargs: Any) -> Any:
            calls.append(name)
            return await getattr(inner, name)(*args, **kwargs)

        return method

    cls = type("CountingStore", (ConversationStore,), {n: forward(n) for n in sorted(names)})
    return cls(), calls


def _msg(body: str, sender: str = "u1", key: str | None = None) -> InboundMessage:
    return InboundMessage(
        channel_id="ws", sender_id=sender, content=TextContent(body=body), idempotency_key=key
    )


async def _room(kit: RoomKit) -> str:
    kit.register_channel(WebSocketChannel("ws"))
    room = await kit.create_room()
    await kit.attach_channel(room.id, "ws")
    return room.id


@pytest.fixture
async def store(pg_dsn: str, pg_schema: str) -> AsyncIterator[PostgresStore]:
    s = PostgresStore(pg_dsn, schema=pg_schema, max_size=4)
    yield s
    await s.close()


@pytest.fixture
async def second_store(
    pg_dsn: str, pg_schema: str, store: PostgresStore
) -> AsyncIterator[PostgresStore]:
    await store.start()  # migrations first, then a second pool on the same schema
    s = PostgresStore(pg_dsn, schema=pg_schema, max_size=4)
    yield s
    await s.close()


@pytest.mark.asyncio
@pytest.mark.parametrize("recent", [0, 2, 50])
async def test_snapshot_equals_the_separate_reads(store: ConversationStore, recent: int) -> None:
    kit = RoomKit(store=store)
    room_id = await _room(kit)
    await store.add_participant(Participant(id="agent", room_id=room_id, channel_id="ws"))
    for n in range(6):
        await kit.process_inbound(_msg(f"m{n}", sender=f"u{n % 3}"), room_id=room_id)
    snapshot = await store.get_room_snapshot(room_id, recent=recent)
    assert snapshot is not None
    room = await store.get_room(room_id)
    assert room is not None
    assert snapshot.room.model_dump() == room.model_dump()
    assert snapshot.room.event_count == 6
    assert snapshot.bindings == await store.list_bindings(room_id)
    assert snapshot.participants == await store.list_participants(room_id)
    assert [p.id for p in snapshot.participants] == ["agent", "u0", "u1", "u2"]
    expected = await store.get_recent_events(room_id, recent) if recent else []
    assert snapshot.recent_events == expected
    assert [e.index for e in snapshot.recent_events] == list(range(6))[-recent:][: recent or 0]
    assert await store.get_room_snapshot("no-such-room") is None


@pytest.mark.asyncio
async def test_a_message_costs_two_store_calls(store: ConversationStore) -> None:
    counted, calls = counting_store(store)
    kit = RoomKit(store=counted)
    room_id = await _room(kit)
    await kit.process_inbound(_msg("warm-up"), room_id=room_id)  # u1 joins the room
    calls.clear()
    first = await kit.process_inbound(_msg("pay", key="k1"), room_id=room_id)
    assert calls == ["get_room_snapshot", "add_event"]  # was 8 before get_room_snapshot
    calls.clear()
    again = await kit.process_inbound(_msg("pay again", key="k1"), room_id=room_id)
    assert calls == ["get_room_snapshot", "add_event"]
    assert again.duplicate
    assert again.event is not None
    assert first.event is not None
    assert again.event.id == first.event.id
    assert await store.count_events(room_id) == 2


@pytest.mark.asyncio
async def test_changes_by_another_kit_are_seen_on_the_next_message(
    store: ConversationStore, second_store: ConversationStore
) -> None:
    writer, other = RoomKit(store=store), RoomKit(store=second_store)
    room_id = await _room(writer)
    other.register_channel(WebSocketChannel("ws"))
    assert (await writer.process_inbound(_msg("one"), room_id=room_id)).accepted
    await other.mute(room_id, "ws")  # through the other store instance (another process)
    muted = await writer.process_inbound(_msg("two"), room_id=room_id)
    assert muted.blocked
    assert "muted" in (muted.reason or "")
    await other.unmute(room_id, "ws")
    assert (await writer.process_inbound(_msg("three"), room_id=room_id)).accepted
    await other.close_room(room_id)
    with pytest.raises(RoomClosedError):
        await writer.process_inbound(_msg("four"), room_id=room_id)
