"""Conformance suite for :class:`roomkit.store.base.ConversationStore` implementations.

Subclass :class:`ConversationStoreSuite` and provide an async ``component`` fixture that yields
an *empty* store and closes it afterwards. Stores shared between processes claim the
``"cross_process"`` capability and also provide ``second_component``: a second, independently
connected instance on the same backing data (another connection pool, another file handle),
which the suite uses to check that writers on different connections still agree::

    class TestMyStore(ConversationStoreSuite):
        capabilities = {"cross_process"}

        @pytest.fixture
        async def component(self, database):
            store = MyStore(database.url)
            yield store
            await store.close()

        @pytest.fixture
        async def second_component(self, database):
            store = MyStore(database.url)
            yield store
            await store.close()
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from roomkit.errors import RoomKitError, RoomNotFoundError, StoreError
from roomkit.models.content import CompositeContent, RichButton, RichContent, TextContent
from roomkit.models.enums import ChannelType, RoomStatus, TaskStatus
from roomkit.models.event import DeliveryResult, EventSource, RoomEvent
from roomkit.models.participant import Identity, Participant
from roomkit.models.room import AIConfig, ChannelBinding, Room, RoomTimers
from roomkit.models.task import Observation, Task
from roomkit.store.base import ConversationStore
from roomkit_conformance.base import requires
from roomkit_conformance.suites.store_engine import StoreEngineSuite

__all__ = ["ConversationStoreSuite"]

_T0 = datetime(2026, 1, 1, tzinfo=UTC)


def _event(room_id: str, body: str = "hi", **extra: Any) -> RoomEvent:
    return RoomEvent(
        room_id=room_id,
        source=EventSource(channel_id="sms-1", channel_type=ChannelType.SMS, participant_id="u1"),
        content=TextContent(body=body),
        **extra,
    )


async def _room(store: ConversationStore, **fields: Any) -> Room:
    return await store.create_room(Room(**fields))


class ConversationStoreSuite(StoreEngineSuite):
    """Behaviour every conversation store must show (see the contract's class docstring)."""

    @pytest.fixture
    async def second_component(self) -> Any:
        """A second connection to the same data; stores claiming ``cross_process`` override it."""
        pytest.fail("a store claiming 'cross_process' must provide a 'second_component' fixture")

    # -- rooms -------------------------------------------------------------------------------
    @pytest.mark.asyncio
    async def test_room_round_trip(self, component: ConversationStore) -> None:
        room = Room(
            organization_id="org-1",
            timers=RoomTimers(inactive_after_seconds=60, closed_after_seconds=600),
            ai_config=AIConfig(system_prompt="be brief", temperature=0.2),
            metadata={"nested": {"list": [1, 2, "three"]}, "unicode": "héllo ✓"},
        )
        await component.create_room(room)
        loaded = await component.get_room(room.id)
        assert loaded is not None
        assert loaded.model_dump(exclude={"event_count", "latest_index", "last_activity_at"}) == (
            room.model_dump(exclude={"event_count", "latest_index", "last_activity_at"})
        )

    @pytest.mark.asyncio
    async def test_create_room_with_taken_id_raises_store_error(
        self, component: ConversationStore
    ) -> None:
        room = await _room(component)
        with pytest.raises(StoreError):
            await component.create_room(Room(id=room.id))

    @pytest.mark.asyncio
    async def test_missing_room_reads_are_none_or_false(self, component: ConversationStore) -> None:
        assert await component.get_room("nope") is None
        assert await component.get_room("") is None
        assert await component.delete_room("nope") is False
        assert await component.list_events("nope") == []
        assert await component.get_recent_events("nope") == []
        assert await component.count_events("nope") == 0
        assert await component.list_bindings("nope") == []
        assert await component.list_participants("nope") == []
        assert await component.list_tasks("nope") == []
        assert await component.list_observations("nope") == []
        assert await component.get_binding("nope", "sms-1") is None
        assert await component.get_participant("nope", "u1") is None
        assert await component.get_event_by_idempotency_key("nope", "k") is None

    @pytest.mark.asyncio
    async def test_update_room_replaces_fields(self, component: ConversationStore) -> None:
        room = await _room(component)
        changed = room.model_copy(
            update={"status": RoomStatus.PAUSED, "metadata": {"k": "v"}, "organization_id": "o"}
        )
        await component.update_room(changed)
        loaded = await component.get_room(room.id)
        assert loaded is not None
        assert loaded.status is RoomStatus.PAUSED
        assert loaded.metadata == {"k": "v"}
        assert loaded.organization_id == "o"

    @pytest.mark.asyncio
    async def test_update_missing_room_raises(self, component: ConversationStore) -> None:
        with pytest.raises(RoomNotFoundError):
            await component.update_room(Room(id="never-created"))

    @pytest.mark.asyncio
    async def test_delete_room_removes_everything_in_it(self, component: ConversationStore) -> None:
        room = await _room(component)
        other = await _room(component)
        event = await component.add_event(_event(room.id, idempotency_key="k1"))
        kept = await component.add_event(_event(other.id))
        await component.add_binding(
            ChannelBinding(room_id=room.id, channel_id="sms-1", channel_type=ChannelType.SMS)
        )
        await component.add_participant(Participant(id="u1", room_id=room.id, channel_id="sms-1"))
        await component.add_task(Task(room_id=room.id, title="call back"))
        await component.add_observation(Observation(room_id=room.id, type="sentiment"))

        assert await component.delete_room(room.id) is True
        assert await component.get_room(room.id) is None
        assert await component.get_event(event.id) is None
        assert await component.get_event_by_idempotency_key(room.id, "k1") is None
        assert await component.list_events(room.id) == []
        assert await component.list_bindings(room.id) == []
        assert await component.list_participants(room.id) == []
        assert await component.list_tasks(room.id) == []
        assert await component.list_observations(room.id) == []
        assert await component.find_latest_room("sms-1") is None
        assert await component.delete_room(room.id) is False
        survivor = await component.get_event(kept.id)
        assert survivor is not None
        assert survivor.room_id == other.id

    @pytest.mark.asyncio
    async def test_list_rooms_orders_filters_and_pages(self, component: ConversationStore) -> None:
        created = []
        for i in range(5):
            created.append(
                await _room(
                    component,
                    created_at=_T0 + timedelta(minutes=i),
                    organization_id="a" if i % 2 == 0 else "b",
                    status=RoomStatus.CLOSED if i == 4 else RoomStatus.ACTIVE,
                )
            )
        ids = [r.id for r in created]
        assert [r.id for r in await component.list_rooms()] == ids
        assert [r.id for r in await component.list_rooms(offset=1, limit=2)] == ids[1:3]
        assert [r.id for r in await component.list_rooms(organization_id="a")] == ids[0::2]
        assert [r.id for r in await component.list_rooms(status=RoomStatus.CLOSED)] == [ids[4]]
        active_a = await component.list_rooms(status=RoomStatus.ACTIVE, organization_id="a")
        assert [r.id for r in active_a] == [ids[0], ids[2]]
        assert await component.list_rooms(offset=10) == []

    # -- events ------------------------------------------------------------------------------
    @pytest.mark.asyncio
    async def test_add_event_assigns_indexes_from_zero(self, component: ConversationStore) -> None:
        room = await _room(component)
        stored = [await component.add_event(_event(room.id, f"m{i}", index=42)) for i in range(5)]
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
        a, b = await _room(component), await _room(component)
        assert (await component.add_event(_event(a.id))).index == 0
        assert (await component.add_event(_event(b.id))).index == 0
        assert (await component.add_event(_event(a.id))).index == 1

    @pytest.mark.asyncio
    async def test_add_event_to_missing_room_raises(self, component: ConversationStore) -> None:
        with pytest.raises(RoomNotFoundError):
            await component.add_event(_event("missing-room"))
        with pytest.raises(RoomNotFoundError):
            await component.add_event(_event(""))

    @pytest.mark.asyncio
    async def test_event_round_trip_keeps_every_field(self, component: ConversationStore) -> None:
        room = await _room(component)
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
        room = await _room(component)
        await component.add_event(_event(room.id))
        event = await component.add_event(_event(room.id))
        changed = event.model_copy(update={"index": 99, "metadata": {"delivered": True}})
        await component.update_event(changed)
        loaded = await component.get_event(event.id)
        assert loaded is not None
        assert loaded.index == 1
        assert loaded.metadata == {"delivered": True}
        assert await component.count_events(room.id) == 2

    @pytest.mark.asyncio
    async def test_same_idempotency_key_is_stored_once(self, component: ConversationStore) -> None:
        room = await _room(component)
        first = await component.add_event(_event(room.id, "first", idempotency_key="k"))
        again = await component.add_event(_event(room.id, "second", idempotency_key="k"))
        assert again.id == first.id
        assert again.content.body == "first"  # type: ignore[union-attr]
        assert again.index == first.index
        assert await component.count_events(room.id) == 1
        found = await component.get_event_by_idempotency_key(room.id, "k")
        assert found is not None
        assert found.id == first.id
        assert await component.get_event_by_idempotency_key(room.id, "other") is None
        # the next event takes the next index: the duplicate consumed none
        assert (await component.add_event(_event(room.id))).index == 1

    @pytest.mark.asyncio
    async def test_idempotency_keys_are_scoped_per_room(self, component: ConversationStore) -> None:
        a, b = await _room(component), await _room(component)
        ea = await component.add_event(_event(a.id, idempotency_key="k"))
        eb = await component.add_event(_event(b.id, idempotency_key="k"))
        assert ea.id != eb.id
        assert await component.count_events(b.id) == 1

    @pytest.mark.asyncio
    async def test_list_events_pages_by_offset(self, component: ConversationStore) -> None:
        room = await _room(component)
        for i in range(10):
            await component.add_event(_event(room.id, str(i)))
        page = await component.list_events(room.id, offset=3, limit=4)
        assert [e.index for e in page] == [3, 4, 5, 6]
        assert len(await component.list_events(room.id)) == 10
        assert [e.index for e in await component.list_events(room.id, offset=8)] == [8, 9]
        assert await component.list_events(room.id, offset=20) == []

    @pytest.mark.asyncio
    async def test_list_events_index_range_is_exclusive(self, component: ConversationStore) -> None:
        room = await _room(component)
        for i in range(10):
            await component.add_event(_event(room.id, str(i)))
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
        room = await _room(component)
        for i in range(30):
            await component.add_event(_event(room.id, str(i)))
        recent = await component.get_recent_events(room.id, limit=5)
        assert [e.index for e in recent] == [25, 26, 27, 28, 29]
        assert len(await component.get_recent_events(room.id)) == 20
        assert len(await component.get_recent_events(room.id, limit=100)) == 30
        assert await component.count_events(room.id) == 30

    @pytest.mark.asyncio
    async def test_concurrent_writers_keep_indexes_unique_and_gap_free(
        self, component: ConversationStore
    ) -> None:
        room = await _room(component)
        stored = await asyncio.gather(
            *(component.add_event(_event(room.id, str(i))) for i in range(200))
        )
        assert sorted(e.index for e in stored) == list(range(200))
        listed = await component.list_events(room.id, limit=500)
        assert [e.index for e in listed] == list(range(200))
        assert len({e.id for e in listed}) == 200

    @pytest.mark.asyncio
    async def test_concurrent_duplicates_are_stored_once(
        self, component: ConversationStore
    ) -> None:
        room = await _room(component)
        results = await asyncio.gather(
            *(
                component.add_event(_event(room.id, str(i), idempotency_key="same"))
                for i in range(20)
            )
        )
        assert len({e.id for e in results}) == 1
        assert await component.count_events(room.id) == 1
        assert results[0].index == 0

    @pytest.mark.asyncio
    async def test_concurrent_writers_across_rooms(self, component: ConversationStore) -> None:
        rooms = [await _room(component) for _ in range(5)]
        await asyncio.gather(
            *(component.add_event(_event(rooms[i % 5].id, str(i))) for i in range(100))
        )
        for room in rooms:
            listed = await component.list_events(room.id, limit=100)
            assert [e.index for e in listed] == list(range(20))

    @pytest.mark.asyncio
    async def test_unstorable_event_raises_typed_error_and_consumes_no_index(
        self, component: ConversationStore
    ) -> None:
        room = await _room(component)
        odd = _event(room.id, "nul\x00byte", metadata={"k\x00": "\x00"})
        try:
            stored = await component.add_event(odd)
        except StoreError:
            pass
        else:
            loaded = await component.get_event(stored.id)
            assert loaded is not None
            assert loaded.content == odd.content
        after = await component.add_event(_event(room.id))
        assert after.index == await component.count_events(room.id) - 1

    # -- bindings ----------------------------------------------------------------------------
    @pytest.mark.asyncio
    async def test_bindings(self, component: ConversationStore) -> None:
        room = await _room(component)
        sms = ChannelBinding(room_id=room.id, channel_id="sms-1", channel_type=ChannelType.SMS)
        ai = ChannelBinding(room_id=room.id, channel_id="ai-1", channel_type=ChannelType.AI)
        await component.add_binding(sms)
        await component.add_binding(ai)
        assert [b.channel_id for b in await component.list_bindings(room.id)] == ["sms-1", "ai-1"]
        loaded = await component.get_binding(room.id, "sms-1")
        assert loaded is not None
        assert loaded.model_dump() == sms.model_dump()
        await component.update_binding(sms.model_copy(update={"muted": True}))
        muted = await component.get_binding(room.id, "sms-1")
        assert muted is not None
        assert muted.muted is True
        await component.add_binding(sms.model_copy(update={"visibility": "none"}))
        replaced = await component.list_bindings(room.id)
        assert len(replaced) == 2
        assert {b.channel_id: b.visibility for b in replaced}["sms-1"] == "none"
        assert await component.remove_binding(room.id, "sms-1") is True
        assert await component.remove_binding(room.id, "sms-1") is False
        assert await component.get_binding(room.id, "sms-1") is None
        assert [b.channel_id for b in await component.list_bindings(room.id)] == ["ai-1"]

    @pytest.mark.asyncio
    async def test_binding_to_missing_room_raises(self, component: ConversationStore) -> None:
        with pytest.raises(RoomNotFoundError):
            await component.add_binding(
                ChannelBinding(room_id="missing", channel_id="c", channel_type=ChannelType.SMS)
            )

    # -- snapshots ---------------------------------------------------------------------------
    @pytest.mark.asyncio
    async def test_room_snapshot_equals_the_separate_reads(
        self, component: ConversationStore
    ) -> None:
        room = await _room(component)
        await component.add_binding(
            ChannelBinding(room_id=room.id, channel_id="sms-1", channel_type=ChannelType.SMS)
        )
        await component.add_participant(Participant(id="u1", room_id=room.id, channel_id="sms-1"))
        for i in range(8):
            await component.add_event(_event(room.id, str(i)))
        snapshot = await component.get_room_snapshot(room.id, recent=3)
        assert snapshot is not None
        stored_room = await component.get_room(room.id)
        assert stored_room is not None
        assert snapshot.room.model_dump() == stored_room.model_dump()
        assert [b.model_dump() for b in snapshot.bindings] == [
            b.model_dump() for b in await component.list_bindings(room.id)
        ]
        assert [p.id for p in snapshot.participants] == ["u1"]
        assert [e.index for e in snapshot.recent_events] == [5, 6, 7]
        empty_tail = await component.get_room_snapshot(room.id, recent=0)
        assert empty_tail is not None
        assert empty_tail.recent_events == []
        assert await component.get_room_snapshot("missing") is None

    # -- participants ------------------------------------------------------------------------
    @pytest.mark.asyncio
    async def test_participants(self, component: ConversationStore) -> None:
        room = await _room(component)
        await component.add_participant(Participant(id="u1", room_id=room.id, channel_id="sms"))
        await component.add_participant(Participant(id="u2", room_id=room.id, channel_id="ws"))
        assert [p.id for p in await component.list_participants(room.id)] == ["u1", "u2"]
        await component.update_participant(
            Participant(id="u1", room_id=room.id, channel_id="sms", display_name="Ann")
        )
        loaded = await component.get_participant(room.id, "u1")
        assert loaded is not None
        assert loaded.display_name == "Ann"
        assert await component.get_participant(room.id, "u3") is None
        with pytest.raises(RoomNotFoundError):
            await component.add_participant(Participant(id="u1", room_id="gone", channel_id="s"))

    # -- find_latest_room --------------------------------------------------------------------
    # "Most recently active" is the room whose latest event was stored last.
    async def _bound_room(self, store: ConversationStore, channel_id: str, **fields: Any) -> Room:
        room = await _room(store, **fields)
        await store.add_binding(
            ChannelBinding(room_id=room.id, channel_id=channel_id, channel_type=ChannelType.SMS)
        )
        return room

    @pytest.mark.asyncio
    async def test_find_latest_room_picks_the_most_recently_active(
        self, component: ConversationStore
    ) -> None:
        rooms = [await self._bound_room(component, "sms-1") for _ in range(3)]
        other = await self._bound_room(component, "other")
        for room in (rooms[0], rooms[2], rooms[1], rooms[0], rooms[1], other):
            await component.add_event(_event(room.id))
        found = await component.find_latest_room("sms-1")
        assert found is not None
        assert found.id == rooms[1].id
        await component.add_event(_event(rooms[2].id))
        moved = await component.find_latest_room("sms-1")
        assert moved is not None
        assert moved.id == rooms[2].id
        assert await component.find_latest_room("unbound") is None

    @pytest.mark.asyncio
    async def test_find_latest_room_needs_a_current_binding(
        self, component: ConversationStore
    ) -> None:
        kept = await self._bound_room(component, "sms-1")
        dropped = await self._bound_room(component, "sms-1")
        await component.add_event(_event(kept.id))
        await component.add_event(_event(dropped.id))
        assert await component.remove_binding(dropped.id, "sms-1") is True
        found = await component.find_latest_room("sms-1")
        assert found is not None
        assert found.id == kept.id

    @pytest.mark.asyncio
    async def test_find_latest_room_filters_status(self, component: ConversationStore) -> None:
        active = await self._bound_room(component, "sms-1")
        closed = await self._bound_room(component, "sms-1")
        await component.add_event(_event(active.id))
        await component.add_event(_event(closed.id))
        stored_closed = await component.get_room(closed.id)
        assert stored_closed is not None
        await component.update_room(stored_closed.model_copy(update={"status": RoomStatus.CLOSED}))
        found = await component.find_latest_room("sms-1")
        assert found is not None
        assert found.id == active.id
        any_status = await component.find_latest_room("sms-1", status=None)
        assert any_status is not None
        assert any_status.id == closed.id
        only_closed = await component.find_latest_room("sms-1", status=RoomStatus.CLOSED)
        assert only_closed is not None
        assert only_closed.id == closed.id
        assert await component.find_latest_room("sms-1", status=RoomStatus.ARCHIVED) is None

    @pytest.mark.asyncio
    async def test_find_latest_room_for_a_participant(self, component: ConversationStore) -> None:
        alice_room = await self._bound_room(component, "sms-1")
        bob_room = await self._bound_room(component, "sms-1")
        await component.add_participant(
            Participant(id="alice", room_id=alice_room.id, channel_id="sms-1")
        )
        await component.add_event(_event(alice_room.id))
        await component.add_event(_event(bob_room.id))
        found = await component.find_latest_room("sms-1", "alice")
        assert found is not None
        assert found.id == alice_room.id
        assert await component.find_latest_room("sms-1", "carol") is None

    @pytest.mark.asyncio
    async def test_find_latest_room_for_a_sender_of_events(
        self, component: ConversationStore
    ) -> None:
        first = await self._bound_room(component, "sms-1")
        second = await self._bound_room(component, "sms-1")
        await component.add_event(_event(first.id))  # _event's sender is "u1" on "sms-1"
        await component.add_event(_event(second.id))
        await component.add_event(_event(first.id))
        found = await component.find_latest_room("sms-1", "u1")
        assert found is not None
        assert found.id == first.id
        assert await component.find_latest_room("sms-1", "u2") is None

    @pytest.mark.asyncio
    async def test_add_event_keeps_room_counters(self, component: ConversationStore) -> None:
        room = await _room(component)
        for _ in range(3):
            await component.add_event(_event(room.id))
        loaded = await component.get_room(room.id)
        assert loaded is not None
        assert loaded.event_count == 3
        assert loaded.latest_index == 2

    # -- identities --------------------------------------------------------------------------
    @pytest.mark.asyncio
    async def test_identities_resolve_by_address(self, component: ConversationStore) -> None:
        identity = Identity(
            display_name="Ann",
            channel_addresses={"sms": ["+15550001"], "email": ["ann@example.com"]},
        )
        await component.create_identity(identity)
        loaded = await component.get_identity(identity.id)
        assert loaded is not None
        assert loaded.display_name == "Ann"
        resolved = await component.resolve_identity("sms", "+15550001")
        assert resolved is not None
        assert resolved.id == identity.id
        assert await component.resolve_identity("sms", "+19999999") is None
        assert await component.resolve_identity("whatsapp", "+15550001") is None
        assert await component.get_identity("missing") is None

        linked = await component.link_address(identity.id, "whatsapp", "+15550001")
        assert "+15550001" in linked.channel_addresses["whatsapp"]
        resolved_wa = await component.resolve_identity("whatsapp", "+15550001")
        assert resolved_wa is not None
        assert resolved_wa.id == identity.id
        again = await component.link_address(identity.id, "whatsapp", "+15550001")
        assert again.channel_addresses["whatsapp"].count("+15550001") == 1

    @pytest.mark.asyncio
    async def test_link_address_to_missing_identity_raises(
        self, component: ConversationStore
    ) -> None:
        with pytest.raises(RoomKitError):
            await component.link_address("missing", "sms", "+1555")

    # -- tasks and observations --------------------------------------------------------------
    @pytest.mark.asyncio
    async def test_tasks(self, component: ConversationStore) -> None:
        room = await _room(component)
        first = await component.add_task(Task(room_id=room.id, title="a", created_at=_T0))
        second = await component.add_task(
            Task(room_id=room.id, title="b", created_at=_T0 + timedelta(seconds=1))
        )
        assert [t.id for t in await component.list_tasks(room.id)] == [first.id, second.id]
        await component.update_task(second.model_copy(update={"status": TaskStatus.COMPLETED}))
        done = await component.list_tasks(room.id, status=TaskStatus.COMPLETED)
        assert [t.id for t in done] == [second.id]
        loaded = await component.get_task(second.id)
        assert loaded is not None
        assert loaded.status is TaskStatus.COMPLETED
        assert await component.get_task("missing") is None
        with pytest.raises(RoomNotFoundError):
            await component.add_task(Task(room_id="gone", title="x"))

    @pytest.mark.asyncio
    async def test_observations(self, component: ConversationStore) -> None:
        room = await _room(component)
        first = await component.add_observation(
            Observation(room_id=room.id, type="intent", data={"x": 1}, created_at=_T0)
        )
        second = await component.add_observation(
            Observation(
                room_id=room.id, type="sentiment", confidence=0.5, created_at=_T0 + timedelta(1)
            )
        )
        listed = await component.list_observations(room.id)
        assert [o.id for o in listed] == [first.id, second.id]
        assert listed[0].data == {"x": 1}
        with pytest.raises(RoomNotFoundError):
            await component.add_observation(Observation(room_id="gone", type="x"))

    # -- several connections -----------------------------------------------------------------
    @requires("cross_process")
    @pytest.mark.asyncio
    async def test_second_connection_sees_writes(
        self, component: ConversationStore, second_component: ConversationStore
    ) -> None:
        room = await _room(component)
        event = await component.add_event(_event(room.id, idempotency_key="k"))
        seen = await second_component.get_event(event.id)
        assert seen is not None
        assert seen.index == 0
        duplicate = await second_component.add_event(_event(room.id, idempotency_key="k"))
        assert duplicate.id == event.id
        assert (await second_component.add_event(_event(room.id))).index == 1

    @requires("cross_process")
    @pytest.mark.asyncio
    async def test_writers_on_two_connections_keep_indexes_gap_free(
        self, component: ConversationStore, second_component: ConversationStore
    ) -> None:
        room = await _room(component)
        stores = (component, second_component)
        stored = await asyncio.gather(
            *(
                stores[i % 2].add_event(_event(room.id, str(i), idempotency_key=f"k{i % 150}"))
                for i in range(200)
            )
        )
        assert len({e.id for e in stored}) == 150
        listed = await component.list_events(room.id, limit=500)
        assert [e.index for e in listed] == list(range(150))
        assert len({e.idempotency_key for e in listed}) == 150
