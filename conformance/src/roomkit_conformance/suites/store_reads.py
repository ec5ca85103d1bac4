"""Conformance checks of the :class:`~roomkit.store.contracts.ReadStateStore` piece."""

from __future__ import annotations

import pytest

from roomkit.errors import RoomNotFoundError, StoreError
from roomkit.models.room import Room
from roomkit.store.base import ConversationStore
from roomkit_conformance.base import SuiteBase
from roomkit_conformance.suites._store_support import new_event, new_room

__all__ = ["ReadStateStoreChecks"]


class ReadStateStoreChecks(SuiteBase):
    """Read markers per (room, channel): unread counts, moving the marker, isolation."""

    @pytest.mark.asyncio
    async def test_unread_counts_follow_the_marker(self, component: ConversationStore) -> None:
        r = await new_room(component)
        events = [await component.add_event(new_event(r.id, str(i))) for i in range(5)]
        assert await component.get_unread_count(r.id, "ws") == 5  # never marked: all unread
        await component.mark_read(r.id, "ws", events[1].id)
        assert await component.get_unread_count(r.id, "ws") == 3
        assert await component.get_unread_count(r.id, "email") == 5  # markers are per channel
        await component.mark_read(r.id, "ws", events[0].id)  # a marker may move back
        assert await component.get_unread_count(r.id, "ws") == 4
        await component.mark_all_read(r.id, "ws")
        assert await component.get_unread_count(r.id, "ws") == 0
        await component.add_event(new_event(r.id, "later"))
        assert await component.get_unread_count(r.id, "ws") == 1
        assert await component.get_unread_count(r.id, "email") == 6

    @pytest.mark.asyncio
    async def test_mark_all_read_in_an_empty_room(self, component: ConversationStore) -> None:
        r = await new_room(component)
        await component.mark_all_read(r.id, "ws")
        assert await component.get_unread_count(r.id, "ws") == 0
        await component.add_event(new_event(r.id))
        assert await component.get_unread_count(r.id, "ws") == 1

    @pytest.mark.asyncio
    async def test_read_state_errors(self, component: ConversationStore) -> None:
        r, other = await new_room(component), await new_room(component)
        foreign = await component.add_event(new_event(other.id))
        assert await component.get_unread_count("missing", "ws") == 0
        with pytest.raises(RoomNotFoundError):
            await component.mark_all_read("missing", "ws")
        with pytest.raises(RoomNotFoundError):
            await component.mark_read("missing", "ws", foreign.id)
        with pytest.raises(StoreError):
            await component.mark_read(r.id, "ws", foreign.id)  # an event of another room
        with pytest.raises(StoreError):
            await component.mark_read(r.id, "ws", "no-such-event")

    @pytest.mark.asyncio
    async def test_markers_go_with_the_room(self, component: ConversationStore) -> None:
        r = await new_room(component, id="read-room")
        await component.add_event(new_event(r.id))
        await component.mark_all_read(r.id, "ws")
        assert await component.delete_room(r.id)
        again = await component.create_room(Room(id="read-room"))
        await component.add_event(new_event(again.id))
        assert await component.get_unread_count(again.id, "ws") == 1
