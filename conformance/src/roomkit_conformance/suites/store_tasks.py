"""Conformance checks of the :class:`~roomkit.store.contracts.TaskStore` piece."""

from __future__ import annotations

from datetime import timedelta

import pytest

from roomkit.errors import RoomNotFoundError
from roomkit.models.enums import TaskStatus
from roomkit.models.task import Observation, Task
from roomkit.store.base import ConversationStore
from roomkit_conformance.base import SuiteBase
from roomkit_conformance.suites._store_support import T0, new_room

__all__ = ["TaskStoreChecks"]


class TaskStoreChecks(SuiteBase):
    """Tasks and observations: round trips, order, status filter."""

    @pytest.mark.asyncio
    async def test_tasks(self, component: ConversationStore) -> None:
        room = await new_room(component)
        first = await component.add_task(Task(room_id=room.id, title="a", created_at=T0))
        second = await component.add_task(
            Task(room_id=room.id, title="b", created_at=T0 + timedelta(seconds=1))
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
        room = await new_room(component)
        first = await component.add_observation(
            Observation(room_id=room.id, type="intent", data={"x": 1}, created_at=T0)
        )
        second = await component.add_observation(
            Observation(
                room_id=room.id, type="sentiment", confidence=0.5, created_at=T0 + timedelta(1)
            )
        )
        listed = await component.list_observations(room.id)
        assert [o.id for o in listed] == [first.id, second.id]
        assert listed[0].data == {"x": 1}
        with pytest.raises(RoomNotFoundError):
            await component.add_observation(Observation(room_id="gone", type="x"))
