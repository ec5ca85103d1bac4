"""Conformance suite for :class:`roomkit.store.base.ConversationStore` implementations.

The contract comes in pieces (:mod:`roomkit.store.contracts`) and so does the suite: one class
of checks per piece (:class:`RoomStoreChecks`, :class:`BindingStoreChecks`,
:class:`EventStoreChecks`, :class:`MemberStoreChecks`, :class:`TaskStoreChecks`,
:class:`ReadStateStoreChecks`), the input rules (:class:`StoreInputChecks`, and the fuzz case
:class:`StoreFuzzChecks`), a store driven by a real kit (:class:`StoreEngineSuite`), and
:class:`ConversationStoreSuite`, which composes them all and adds the checks that span pieces.

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

Stores that check the room locks' fencing tokens (:mod:`roomkit.store.fencing`) claim
``"fencing"``: an event written under an older token than one already written with for the
room is refused with :class:`~roomkit.errors.RoomLockLostError`, and nothing is stored.

A store still being written can run a single piece the same way (``class
TestMyRooms(RoomStoreChecks)``).
"""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from roomkit.core.locks import RoomLockHandle
from roomkit.errors import RoomLockLostError
from roomkit.models.enums import ChannelType
from roomkit.models.participant import Participant
from roomkit.models.room import ChannelBinding
from roomkit.models.task import Observation, Task
from roomkit.store.base import ConversationStore
from roomkit.store.fencing import clear_write_fence, set_write_fence
from roomkit_conformance.base import requires
from roomkit_conformance.suites._store_support import new_event, new_room
from roomkit_conformance.suites.store_bindings import BindingStoreChecks
from roomkit_conformance.suites.store_engine import StoreEngineSuite
from roomkit_conformance.suites.store_events import EventStoreChecks
from roomkit_conformance.suites.store_fuzz import StoreFuzzChecks
from roomkit_conformance.suites.store_input import StoreInputChecks
from roomkit_conformance.suites.store_members import MemberStoreChecks
from roomkit_conformance.suites.store_reads import ReadStateStoreChecks
from roomkit_conformance.suites.store_rooms import RoomStoreChecks
from roomkit_conformance.suites.store_tasks import TaskStoreChecks

__all__ = [
    "BindingStoreChecks",
    "ConversationStoreSuite",
    "EventStoreChecks",
    "MemberStoreChecks",
    "ReadStateStoreChecks",
    "RoomStoreChecks",
    "StoreEngineSuite",
    "StoreFuzzChecks",
    "StoreInputChecks",
    "TaskStoreChecks",
]


class ConversationStoreSuite(
    RoomStoreChecks,
    BindingStoreChecks,
    EventStoreChecks,
    MemberStoreChecks,
    TaskStoreChecks,
    ReadStateStoreChecks,
    StoreInputChecks,
    StoreFuzzChecks,
    StoreEngineSuite,
):
    """Behaviour every conversation store must show (see the contract's class docstring)."""

    @pytest.fixture
    async def second_component(self) -> Any:
        """A second connection to the same data; stores claiming ``cross_process`` override it."""
        pytest.fail("a store claiming 'cross_process' must provide a 'second_component' fixture")

    @requires("fencing")
    @pytest.mark.asyncio
    async def test_an_event_under_an_older_fencing_token_is_refused(
        self, component: ConversationStore
    ) -> None:
        room = await new_room(component)
        try:
            set_write_fence(room.id, RoomLockHandle(room.id, 40))
            await component.add_event(new_event(room.id, "token 40"))
            set_write_fence(room.id, RoomLockHandle(room.id, 41))
            await component.add_event(new_event(room.id, "token 41"))
            set_write_fence(room.id, RoomLockHandle(room.id, 40))
            with pytest.raises(RoomLockLostError):
                await component.add_event(new_event(room.id, "lost"))
        finally:
            clear_write_fence(room.id)
        await component.add_event(new_event(room.id, "unfenced"))
        stored = await component.list_events(room.id)
        assert [e.index for e in stored] == [0, 1, 2]
        assert await component.count_events(room.id) == 3

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
    async def test_delete_room_removes_everything_in_it(self, component: ConversationStore) -> None:
        room = await new_room(component)
        other = await new_room(component)
        event = await component.add_event(new_event(room.id, idempotency_key="k1"))
        kept = await component.add_event(new_event(other.id))
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
    async def test_room_snapshot_equals_the_separate_reads(
        self, component: ConversationStore
    ) -> None:
        room = await new_room(component)
        await component.add_binding(
            ChannelBinding(room_id=room.id, channel_id="sms-1", channel_type=ChannelType.SMS)
        )
        await component.add_participant(Participant(id="u1", room_id=room.id, channel_id="sms-1"))
        for i in range(8):
            await component.add_event(new_event(room.id, str(i)))
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
        if component.snapshot_is_context:  # the engine keeps each snapshot as its own context
            again = await component.get_room_snapshot(room.id, recent=3)
            assert again is not None
            assert again is not snapshot
            assert again.recent_events is not snapshot.recent_events
            assert again.bindings is not snapshot.bindings
            assert again.participants is not snapshot.participants
            assert again.metadata is not snapshot.metadata
        empty_tail = await component.get_room_snapshot(room.id, recent=0)
        assert empty_tail is not None
        assert empty_tail.recent_events == []
        assert await component.get_room_snapshot("missing") is None

    # -- several connections -----------------------------------------------------------------
    @requires("cross_process")
    @pytest.mark.asyncio
    async def test_second_connection_sees_writes(
        self, component: ConversationStore, second_component: ConversationStore
    ) -> None:
        room = await new_room(component)
        event = await component.add_event(new_event(room.id, idempotency_key="k"))
        seen = await second_component.get_event(event.id)
        assert seen is not None
        assert seen.index == 0
        duplicate = await second_component.add_event(new_event(room.id, idempotency_key="k"))
        assert duplicate.id == event.id
        assert (await second_component.add_event(new_event(room.id))).index == 1

    @requires("cross_process")
    @pytest.mark.asyncio
    async def test_reads_see_events_changed_through_another_connection(
        self, component: ConversationStore, second_component: ConversationStore
    ) -> None:
        room = await new_room(component)
        stored = [await component.add_event(new_event(room.id, f"m{i}")) for i in range(3)]
        for _ in range(2):  # read twice: a store that keeps decoded rows has them now
            await component.get_room_snapshot(room.id, recent=3)
            await component.get_recent_events(room.id, 3)
        await second_component.update_event(
            stored[1].model_copy(update={"metadata": {"edited": True}})
        )
        snapshot = await component.get_room_snapshot(room.id, recent=3)
        assert snapshot is not None
        assert [e.metadata for e in snapshot.recent_events] == [{}, {"edited": True}, {}]
        tail = await component.get_recent_events(room.id, 3)
        assert [e.metadata for e in tail] == [{}, {"edited": True}, {}]

    @requires("cross_process")
    @pytest.mark.asyncio
    async def test_writers_on_two_connections_keep_indexes_gap_free(
        self, component: ConversationStore, second_component: ConversationStore
    ) -> None:
        room = await new_room(component)
        stores = (component, second_component)
        stored = await asyncio.gather(
            *(
                stores[i % 2].add_event(new_event(room.id, str(i), idempotency_key=f"k{i % 150}"))
                for i in range(200)
            )
        )
        assert len({e.id for e in stored}) == 150
        listed = await component.list_events(room.id, limit=500)
        assert [e.index for e in listed] == list(range(150))
        assert len({e.idempotency_key for e in listed}) == 150
