"""Read markers of :class:`~roomkit_postgres.store.PostgresStore` (the ``ReadStateStore`` piece).

One row per (room, channel) holds the index of the last event the channel has read; each call
is one statement, and the unread count is the room's event counter minus the marker.
"""

from __future__ import annotations

import asyncpg  # type: ignore[import-untyped]

from roomkit.errors import RoomNotFoundError, StoreError
from roomkit.store.contracts import ReadStateStore
from roomkit.store.validation import check_text, readable_key
from roomkit_postgres._calls import StoreCalls

__all__ = ["ReadStateMixin"]


_MARK = """
INSERT INTO read_markers (room_id, channel_id, last_read_index)
SELECT $1, $2, {index} FROM {source}
ON CONFLICT (room_id, channel_id) DO UPDATE SET last_read_index = excluded.last_read_index
RETURNING true
"""
_MARK_EVENT = _MARK.format(index="idx", source="events WHERE id = $3 AND room_id = $1")
_MARK_ALL = _MARK.format(index="next_index - 1", source="rooms WHERE id = $1")


class ReadStateMixin(StoreCalls, ReadStateStore):
    """``mark_read`` / ``mark_all_read`` / ``get_unread_count`` over the store's pool."""

    async def mark_read(self, room_id: str, channel_id: str, event_id: str) -> None:
        check_text(channel_id, "channel_id")
        check_text(room_id, "room_id")

        async def op(conn: asyncpg.Connection, _: bool) -> None:
            marked = readable_key(event_id) and await conn.fetchval(
                _MARK_EVENT, room_id, channel_id, event_id
            )
            if not marked:
                await self._require_room(conn, room_id)
                raise StoreError(f"event {event_id!r} is not in room {room_id!r}")

        await self._run("mark_read", op)

    async def mark_all_read(self, room_id: str, channel_id: str) -> None:
        check_text(channel_id, "channel_id")
        check_text(room_id, "room_id")

        async def op(conn: asyncpg.Connection, _: bool) -> None:
            if not await conn.fetchval(_MARK_ALL, room_id, channel_id):
                raise RoomNotFoundError(f"room {room_id!r} does not exist")

        await self._run("mark_all_read", op)

    async def get_unread_count(self, room_id: str, channel_id: str) -> int:
        if not readable_key(room_id) or not readable_key(channel_id):
            return 0

        async def op(conn: asyncpg.Connection, _: bool) -> int:
            count = await conn.fetchval(
                "SELECT r.next_index - coalesce(m.last_read_index, -1) - 1 FROM rooms r"
                " LEFT JOIN read_markers m ON m.room_id = r.id AND m.channel_id = $2"
                " WHERE r.id = $1",
                room_id,
                channel_id,
            )
            return 0 if count is None else max(int(count), 0)

        return await self._run("get_unread_count", op)
