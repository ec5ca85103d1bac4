"""InMemoryStore: the store conformance suite plus what is specific to memory."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from roomkit import EventSource, InMemoryStore, Room, RoomEvent, TextContent
from roomkit.errors import StoreInputError
from roomkit.models.enums import ChannelType
from roomkit_conformance.suites.store import ConversationStoreSuite


class TestInMemoryStoreConformance(ConversationStoreSuite):
    capabilities = frozenset({"single_read"})

    @pytest.fixture
    async def component(self) -> AsyncIterator[InMemoryStore]:
        store = InMemoryStore()
        yield store
        await store.close()


def _event(room_id: str, i: int) -> RoomEvent:
    return RoomEvent(
        room_id=room_id,
        source=EventSource(channel_id="c", channel_type=ChannelType.SMS, participant_id="p"),
        content=TextContent(body=str(i)),
    )


async def test_objects_are_shared_not_copied() -> None:
    store = InMemoryStore()
    room = await store.create_room(Room(id="r"))
    event = await store.add_event(_event("r", 0))
    assert await store.get_room("r") is room
    assert await store.get_event(event.id) is event
    assert (await store.get_recent_events("r", 1))[0] is event


async def test_add_event_keeps_room_activity() -> None:
    store = InMemoryStore()
    room = await store.create_room(Room(id="r"))
    event = await store.add_event(_event("r", 0))
    assert room.last_activity_at == event.created_at
    assert (room.event_count, room.latest_index) == (1, 0)
    assert await store.get_event_count("r") == 1


async def test_tail_and_ranges_read_only_what_they_return() -> None:
    store = InMemoryStore()
    await store.create_room(Room(id="r"))
    for i in range(1000):
        await store.add_event(_event("r", i))
    tail = await store.get_recent_events("r", 3)
    assert [e.index for e in tail] == [997, 998, 999]
    window = await store.list_events("r", after_index=500, before_index=504)
    assert [e.index for e in window] == [501, 502, 503]
    page = await store.list_events("r", after_index=10, offset=2, limit=2)
    assert [e.index for e in page] == [13, 14]
    with pytest.raises(StoreInputError):
        await store.list_events("r", limit=-1)
    assert await store.get_recent_events("missing") == []
