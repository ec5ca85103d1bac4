"""Conformance checks of the :class:`~roomkit.store.contracts.RoomStore` piece."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from roomkit.errors import RoomNotFoundError, StoreError
from roomkit.models.enums import RoomStatus
from roomkit.models.participant import Participant
from roomkit.models.room import AIConfig, Room, RoomTimers
from roomkit.store.base import ConversationStore
from roomkit_conformance.base import SuiteBase
from roomkit_conformance.suites._store_support import T0, bound_room, new_event, new_room

__all__ = ["RoomStoreChecks"]


class RoomStoreChecks(SuiteBase):
    """Rooms: round trips, ids, updates, deletion, listing and finding."""

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
        room = await new_room(component)
        with pytest.raises(StoreError):
            await component.create_room(Room(id=room.id))

    @pytest.mark.asyncio
    async def test_update_room_replaces_fields(self, component: ConversationStore) -> None:
        room = await new_room(component)
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
    async def test_list_rooms_orders_filters_and_pages(self, component: ConversationStore) -> None:
        created = []
        for i in range(5):
            created.append(
                await new_room(
                    component,
                    created_at=T0 + timedelta(minutes=i),
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

    @pytest.mark.asyncio
    async def test_find_latest_room_picks_the_most_recently_active(
        self, component: ConversationStore
    ) -> None:
        rooms = [await bound_room(component, "sms-1") for _ in range(3)]
        other = await bound_room(component, "other")
        for room in (rooms[0], rooms[2], rooms[1], rooms[0], rooms[1], other):
            await component.add_event(new_event(room.id))
        found = await component.find_latest_room("sms-1")
        assert found is not None
        assert found.id == rooms[1].id
        await component.add_event(new_event(rooms[2].id))
        moved = await component.find_latest_room("sms-1")
        assert moved is not None
        assert moved.id == rooms[2].id
        assert await component.find_latest_room("unbound") is None

    @pytest.mark.asyncio
    async def test_find_latest_room_needs_a_current_binding(
        self, component: ConversationStore
    ) -> None:
        kept = await bound_room(component, "sms-1")
        dropped = await bound_room(component, "sms-1")
        await component.add_event(new_event(kept.id))
        await component.add_event(new_event(dropped.id))
        assert await component.remove_binding(dropped.id, "sms-1") is True
        found = await component.find_latest_room("sms-1")
        assert found is not None
        assert found.id == kept.id

    @pytest.mark.asyncio
    async def test_find_latest_room_filters_status(self, component: ConversationStore) -> None:
        active = await bound_room(component, "sms-1")
        closed = await bound_room(component, "sms-1")
        await component.add_event(new_event(active.id))
        await component.add_event(new_event(closed.id))
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
        alice_room = await bound_room(component, "sms-1")
        bob_room = await bound_room(component, "sms-1")
        await component.add_participant(
            Participant(id="alice", room_id=alice_room.id, channel_id="sms-1")
        )
        await component.add_event(new_event(alice_room.id))
        await component.add_event(new_event(bob_room.id))
        found = await component.find_latest_room("sms-1", "alice")
        assert found is not None
        assert found.id == alice_room.id
        assert await component.find_latest_room("sms-1", "carol") is None

    @pytest.mark.asyncio
    async def test_find_latest_room_for_a_sender_of_events(
        self, component: ConversationStore
    ) -> None:
        first = await bound_room(component, "sms-1")
        second = await bound_room(component, "sms-1")
        await component.add_event(new_event(first.id))  # _event's sender is "u1" on "sms-1"
        await component.add_event(new_event(second.id))
        await component.add_event(new_event(first.id))
        found = await component.find_latest_room("sms-1", "u1")
        assert found is not None
        assert found.id == first.id
        assert await component.find_latest_room("sms-1", "u2") is None

    @pytest.mark.asyncio
    async def test_find_rooms_filters_by_metadata(self, component: ConversationStore) -> None:
        a = await new_room(component, organization_id="o", metadata={"tier": "gold", "n": {"k": 1}})
        b = await new_room(component, organization_id="o", metadata={"tier": "silver"})
        c = await new_room(component, metadata={"tier": "gold", "extra": None})
        d = await new_room(component, status=RoomStatus.CLOSED, metadata={"tier": "gold"})

        async def ids(*args: Any, **kwargs: Any) -> list[str]:
            return [r.id for r in await component.find_rooms(*args, **kwargs)]

        assert await ids(metadata_filter={"tier": "gold"}) == [a.id, c.id, d.id]
        assert await ids("o", metadata_filter={"tier": "gold"}) == [a.id]
        assert await ids(status=RoomStatus.ACTIVE, metadata_filter={"tier": "gold"}) == [a.id, c.id]
        assert await ids(status="closed") == [d.id]
        assert await ids(metadata_filter={"n": {"k": 1}}) == [a.id]
        assert await ids(metadata_filter={"n": {}}) == []  # nested values compare whole
        assert await ids(metadata_filter={"extra": None}) == [a.id, b.id, c.id, d.id]
        assert await ids(metadata_filter={"tier": "gold"}, offset=1, limit=1) == [c.id]
        assert await ids(metadata_filter={}) == [a.id, b.id, c.id, d.id]
        assert await ids(metadata_filter={"missing": 1}) == []

    @pytest.mark.asyncio
    async def test_list_rooms_takes_offset_and_limit_by_position(
        self, component: ConversationStore
    ) -> None:
        made = [await new_room(component, created_at=T0 + timedelta(seconds=i)) for i in range(4)]
        assert [r.id for r in await component.list_rooms(1, 2)] == [made[1].id, made[2].id]

    @pytest.mark.asyncio
    async def test_find_room_id_by_channel(self, component: ConversationStore) -> None:
        assert await component.find_room_id_by_channel("sms-1") is None
        first = await bound_room(component, "sms-1")
        closed = await bound_room(component, "sms-1", status=RoomStatus.CLOSED)
        await component.add_event(new_event(first.id))
        await component.add_event(new_event(closed.id))
        assert await component.find_room_id_by_channel("sms-1") == closed.id  # any status
        assert await component.find_room_id_by_channel("sms-1", status="active") == first.id
        assert await component.find_room_id_by_channel("sms-1", RoomStatus.CLOSED) == closed.id
        assert await component.find_room_id_by_channel("sms-1", "paused") is None

    @pytest.mark.asyncio
    async def test_update_room_keeps_the_event_counters(self, component: ConversationStore) -> None:
        r = await new_room(component)
        await component.add_event(new_event(r.id))
        await component.update_room(Room(id=r.id, metadata={"v": 2}))
        loaded = await component.get_room(r.id)
        assert loaded is not None
        assert (loaded.event_count, loaded.latest_index, loaded.metadata) == (1, 0, {"v": 2})
