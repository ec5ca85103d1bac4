"""Reading a room's record: its timeline, single events, observations, and contexts.

Every read of a room that does not exist raises
:class:`~roomkit.errors.RoomNotFoundError` (a missing room is a caller's mistake, unlike an
empty timeline).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

from roomkit.core._text import short_id
from roomkit.core.context import build_context
from roomkit.errors import RoomNotFoundError
from roomkit.models.context import RoomContext
from roomkit.models.event import RoomEvent
from roomkit.models.task import Observation

if TYPE_CHECKING:
    from roomkit.core.framework import RoomKit

__all__ = ["TimelineMixin"]


class TimelineMixin:
    """``get_timeline`` (``list_events``), ``get_recent_events``, ``get_event``,
    ``list_observations`` and ``build_context`` of :class:`~roomkit.core.framework.RoomKit`."""

    async def get_timeline(
        self,
        room_id: str,
        offset: int = 0,
        limit: int = 50,
        visibility_filter: str | None = None,
        *,
        after_index: int | None = None,
        before_index: int | None = None,
    ) -> list[RoomEvent]:
        """Events of a room ordered by index (``after_index`` / ``before_index`` are exclusive
        bounds); ``visibility_filter`` keeps the events whose visibility equals it."""
        kit = self._kit()
        await kit.get_room(room_id)
        return await kit.store.list_events(
            room_id,
            offset,
            limit,
            visibility_filter,
            after_index=after_index,
            before_index=before_index,
        )

    list_events = get_timeline

    async def get_recent_events(self, room_id: str, limit: int = 20) -> list[RoomEvent]:
        """The last ``limit`` events of a room, oldest first."""
        kit = self._kit()
        await kit.get_room(room_id)
        return await kit.store.get_recent_events(room_id, limit)

    async def get_event(self, event_id: str) -> RoomEvent | None:
        """The stored event ``event_id``."""
        return await self._kit().store.get_event(event_id)

    async def list_observations(self, room_id: str) -> list[Observation]:
        """The observations hooks and channels recorded in a room, oldest first."""
        kit = self._kit()
        await kit.get_room(room_id)
        return await kit.store.list_observations(room_id)

    async def build_context(self, room_id: str) -> RoomContext:
        """A :class:`RoomContext` of the room as it is now, with every participant (contexts
        handed to hooks and channels for a message carry only its sender; see
        :class:`~roomkit.models.context.RoomContext`)."""
        kit = self._kit()
        room = await kit.store.get_room(room_id)
        if room is None:
            raise RoomNotFoundError(f"room {short_id(room_id)} does not exist")
        return await build_context(kit._rt, room)

    def _kit(self) -> RoomKit:
        return cast("RoomKit", self)  # this mixin is only ever part of RoomKit
