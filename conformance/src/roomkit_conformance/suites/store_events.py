"""Conformance checks of the :class:`~roomkit.store.contracts.EventStore` piece."""

from __future__ import annotations

import asyncio

import pytest

from roomkit.errors import RoomNotFoundError
from roomkit.models.content import CompositeContent, RichButton, RichContent, TextContent
from roomkit.models.enums import ChannelType
from roomkit.models.event import DeliveryResult, EventSource, RoomEvent
from roomkit.store.base import ConversationStore
from roomkit_conformance.base import SuiteBase
from roomkit_conformance.suites._store_support import new_event, new_room

__all__ = ["EventStoreChecks"]


class EventStoreChecks(SuiteBase):
    """Events: indexes, idempotency, round trips, pages, ranges, the tail, concurrency."""

    @pytest.mark.asyncio
    async def test_add_event_assigns_indexes_from_zero(self, component: ConversationStore) -> None:
        room = await new_room(component)
        stored = [
            await component.add_event(new_event(room.id, f"m{i}", index=42)) for i in range(5)
        ]
        assert [e.index for e in stored] == [0, 1, 2, 3, 4]
        assert [e.content.body for e in await component.list_events(room.id)] == [  # type: ignore[union-attr]
            "m0",
            "m1",
            "m2",
            "m3",
            "m4",
        ]

    @pytest.mark.asyncio
    async def test_indexes_are_per_room(self, component: ConversationStore) -> None:
        a, b = await new_room(component), await new_room(component)
        assert (await component.add_event(new_event(a.id))).index == 0
        assert (await component.add_event(new_event(b.id))).index == 0
        assert (await component.add_event(new_event(a.id))).index == 1

    @pytest.mark.asyncio
    async def test_add_event_to_missing_room_raises(self, component: ConversationStore) -> None:
        with pytest.raises(RoomNotFoundError):
            await component.add_event(new_event("missing-room"))
        with pytest.raises(RoomNotFoundError):
            await component.add_event(new_event(""))

    @pytest.mark.asyncio
    async def test_event_round_trip_keeps_every_field(self, component: ConversationStore) -> None:
        room = await new_room(component)
        event = RoomEvent(
            room_id=room.id,
            source=EventSource(
                channel_id="ws", channel_type=ChannelType.WEBSOCKET, participant_id="p"
            ),
            content=CompositeContent(
                parts=[
                    TextContent(body="a'b\"c; DROP TABLE events; --", language="en"),
                    RichContent(body="**x**", buttons=[RichButton(label="Yes", value="y")]),
                ]
            ),
            chain_depth=2,
            correlation_id="corr",
            visibility="intelligence",
            delivery_results={"sms": DeliveryResult(channel_id="sms", attempts=2)},
            metadata={"emoji": "🙂", "n": 1.5},
        )
        stored = await component.add_event(event)
        loaded = await component.get_event(event.id)
        assert loaded is not None
        assert loaded.model_dump() == stored.model_dump()
        assert loaded.content == event.content
        assert loaded.index == 0

    @pytest.mark.asyncio
    async def test_get_missing_event_is_none(self, component: ConversationStore) -> None:
        assert await component.get_event("missing") is None

    @pytest.mark.asyncio
    async def test_update_event_keeps_its_index(self, component: ConversationStore) -> None:
        room = await new_room(component)
        await component.add_event(new_event(room.id))
        event = await component.add_event(new_event(room.id))
        changed = event.model_copy(update={"index": 99, "metadata": {"delivered": True}})
        await component.update_event(changed)
        loaded = await component.get_event(event.id)
        assert loaded is not None
        assert loaded.index == 1
        assert loaded.metadata == {"delivered": True}
        assert await component.count_events(room.id) == 2

    @pytest.mark.asyncio
    async def test_same_idempotency_key_is_stored_once(self, component: ConversationStore) -> None:
        room = await new_room(component)
        first = await component.add_event(new_event(room.id, "first", idempotency_key="k"))
        again = await component.add_event(new_event(room.id, "second", idempotency_key="k"))
        assert again.id == first.id
        assert again.content.body == "first"  # type: ignore[union-attr]
        assert again.index == first.index
        assert await component.count_events(room.id) == 1
        found = await component.get_event_by_idempotency_key(room.id, "k")
        assert found is not None
        assert found.id == first.id
        assert await component.get_event_by_idempotency_key(room.id, "other") is None
        # the next event takes the next index: the duplicate consumed none
        assert (await component.add_event(new_event(room.id))).index == 1

    @pytest.mark.asyncio
    async def test_idempotency_keys_are_scoped_per_room(self, component: ConversationStore) -> None:
        a, b = await new_room(component), await new_room(component)
        ea = await component.add_event(new_event(a.id, idempotency_key="k"))
        eb = await component.add_event(new_event(b.id, idempotency_key="k"))
        assert ea.id != eb.id
        assert await component.count_events(b.id) == 1

    @pytest.mark.asyncio
    async def test_list_events_pages_by_offset(self, component: ConversationStore) -> None:
        room = await new_room(component)
        for i in range(10):
            await component.add_event(new_event(room.id, str(i)))
        page = await component.list_events(room.id, offset=3, limit=4)
        assert [e.index for e in page] == [3, 4, 5, 6]
        assert len(await component.list_events(room.id)) == 10
        assert [e.index for e in await component.list_events(room.id, offset=8)] == [8, 9]
        assert await component.list_events(room.id, offset=20) == []

    @pytest.mark.asyncio
    async def test_list_events_index_range_is_exclusive(self, component: ConversationStore) -> None:
        room = await new_room(component)
        for i in range(10):
            await component.add_event(new_event(room.id, str(i)))
        after = await component.list_events(room.id, after_index=6)
        assert [e.index for e in after] == [7, 8, 9]
        before = await component.list_events(room.id, before_index=3)
        assert [e.index for e in before] == [0, 1, 2]
        both = await component.list_events(room.id, after_index=2, before_index=6, limit=2)
        assert [e.index for e in both] == [3, 4]
        assert await component.list_events(room.id, after_index=9) == []

    @pytest.mark.asyncio
    async def test_get_recent_events_returns_the_tail_oldest_first(
        self, component: ConversationStore
    ) -> None:
        room = await new_room(component)
        for i in range(30):
            await component.add_event(new_event(room.id, str(i)))
        recent = await component.get_recent_events(room.id, limit=5)
        assert [e.index for e in recent] == [25, 26, 27, 28, 29]
        assert len(await component.get_recent_events(room.id)) == 20
        assert len(await component.get_recent_events(room.id, limit=100)) == 30
        assert await component.count_events(room.id) == 30

    @pytest.mark.asyncio
    async def test_snapshots_and_tail_see_updated_events(
        self, component: ConversationStore
    ) -> None:
        room = await new_room(component)
        stored = [await component.add_event(new_event(room.id, f"m{i}")) for i in range(4)]
        for _ in range(2):  # read twice: a store that keeps decoded rows has them now
            await component.get_room_snapshot(room.id, recent=3)
            await component.get_recent_events(room.id, 3)
        await component.update_event(stored[2].model_copy(update={"metadata": {"v": 2}}))
        snapshot = await component.get_room_snapshot(room.id, recent=3)
        assert snapshot is not None
        assert [(e.index, e.metadata) for e in snapshot.recent_events] == [
            (1, {}),
            (2, {"v": 2}),
            (3, {}),
        ]
        tail = await component.get_recent_events(room.id, 3)
        assert [(e.index, e.metadata) for e in tail] == [(1, {}), (2, {"v": 2}), (3, {})]
        message = await component.get_message_snapshot(room.id, "u1", recent=2)
        assert message is not None
        assert [(e.index, e.metadata) for e in message.recent_events] == [(2, {"v": 2}), (3, {})]

    @pytest.mark.asyncio
    async def test_add_event_keeps_room_counters(self, component: ConversationStore) -> None:
        room = await new_room(component)
        for _ in range(3):
            await component.add_event(new_event(room.id))
        loaded = await component.get_room(room.id)
        assert loaded is not None
        assert loaded.event_count == 3
        assert loaded.latest_index == 2

    @pytest.mark.asyncio
    async def test_concurrent_writers_keep_indexes_unique_and_gap_free(
        self, component: ConversationStore
    ) -> None:
        room = await new_room(component)
        stored = await asyncio.gather(
            *(component.add_event(new_event(room.id, str(i))) for i in range(200))
        )
        assert sorted(e.index for e in stored) == list(range(200))
        listed = await component.list_events(room.id, limit=500)
        assert [e.index for e in listed] == list(range(200))
        assert len({e.id for e in listed}) == 200

    @pytest.mark.asyncio
    async def test_concurrent_duplicates_are_stored_once(
        self, component: ConversationStore
    ) -> None:
        room = await new_room(component)
        results = await asyncio.gather(
            *(
                component.add_event(new_event(room.id, str(i), idempotency_key="same"))
                for i in range(20)
            )
        )
        assert len({e.id for e in results}) == 1
        assert await component.count_events(room.id) == 1
        assert results[0].index == 0

    @pytest.mark.asyncio
    async def test_concurrent_writers_across_rooms(self, component: ConversationStore) -> None:
        rooms = [await new_room(component) for _ in range(5)]
        await asyncio.gather(
            *(component.add_event(new_event(rooms[i % 5].id, str(i))) for i in range(100))
        )
        for room in rooms:
            listed = await component.list_events(room.id, limit=100)
            assert [e.index for e in listed] == list(range(20))

    @pytest.mark.asyncio
    async def test_list_events_filters_by_visibility(self, component: ConversationStore) -> None:
        r = await new_room(component)
        kinds = ["all", "internal", "all", "transport", "all", "internal"]
        for i, visibility in enumerate(kinds):
            await component.add_event(new_event(r.id, str(i), visibility=visibility))

        async def indexes(**kwargs: object) -> list[int]:
            return [e.index for e in await component.list_events(r.id, **kwargs)]  # type: ignore[arg-type]

        assert await indexes(visibility_filter="all") == [0, 2, 4]
        assert await indexes(visibility_filter="internal") == [1, 5]
        assert await indexes(visibility_filter="none") == []
        assert await indexes(visibility_filter="all", offset=1, limit=1) == [2]
        assert await indexes(visibility_filter="all", after_index=0, before_index=4) == [2]
        assert await indexes() == [0, 1, 2, 3, 4, 5]
        assert [e.index for e in await component.list_events(r.id, 0, 2, "all")] == [0, 2]

    @pytest.mark.asyncio
    async def test_count_and_idempotency_helpers(self, component: ConversationStore) -> None:
        r = await new_room(component)
        assert await component.get_event_count(r.id) == 0
        assert await component.check_idempotency(r.id, "k") is False
        stray = new_event("elsewhere", idempotency_key="k")
        stored = await component.add_event_auto_index(r.id, stray)
        assert (stored.room_id, stored.index) == (r.id, 0)
        assert await component.check_idempotency(r.id, "k") is True
        assert await component.get_event_count(r.id) == 1
        assert await component.get_event_count("missing") == 0
