"""Read markers of :class:`~roomkit_sqlite.store.SQLiteStore` (the ``ReadStateStore`` piece).

One row per (room, channel) holds the index of the last event the channel has read; the unread
count is the room's event counter minus it, so it costs the same in a room of any length.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from typing import TYPE_CHECKING, TypeVar

from roomkit.errors import StoreError
from roomkit.store.contracts import ReadStateStore
from roomkit.store.validation import check_text, readable_key

__all__ = ["ReadStateMixin"]

T = TypeVar("T")

_UPSERT = (
    "INSERT INTO read_markers (room_id, channel_id, last_read_index) VALUES (?, ?, ?)"
    " ON CONFLICT (room_id, channel_id) DO UPDATE SET last_read_index = excluded.last_read_index"
)


class ReadStateMixin(ReadStateStore):
    """``mark_read`` / ``mark_all_read`` / ``get_unread_count`` over the store's connection."""

    if TYPE_CHECKING:

        async def _run(
            self,
            func: Callable[[sqlite3.Connection], T],
            *,
            write: bool = False,
            after: Callable[[T], object] | None = None,
        ) -> T: ...

        @staticmethod
        def _require_room(conn: sqlite3.Connection, room_id: str) -> sqlite3.Row: ...

    async def mark_read(self, room_id: str, channel_id: str, event_id: str) -> None:
        check_text(channel_id, "channel_id")
        check_text(room_id, "room_id")

        def op(conn: sqlite3.Connection) -> None:
            self._require_room(conn, room_id)
            row = (
                conn.execute(
                    "SELECT idx FROM events WHERE id = ? AND room_id = ?", (event_id, room_id)
                ).fetchone()
                if readable_key(event_id)
                else None
            )
            if row is None:
                raise StoreError(f"event {event_id!r} is not in room {room_id!r}")
            conn.execute(_UPSERT, (room_id, channel_id, row[0]))

        await self._run(op, write=True)

    async def mark_all_read(self, room_id: str, channel_id: str) -> None:
        check_text(channel_id, "channel_id")
        check_text(room_id, "room_id")

        def op(conn: sqlite3.Connection) -> None:
            room = self._require_room(conn, room_id)
            conn.execute(_UPSERT, (room_id, channel_id, room["next_index"] - 1))

        await self._run(op, write=True)

    async def get_unread_count(self, room_id: str, channel_id: str) -> int:
        if not readable_key(room_id) or not readable_key(channel_id):
            return 0

        def op(conn: sqlite3.Connection) -> int:
            row = conn.execute(
                "SELECT r.next_index - coalesce(m.last_read_index, -1) - 1 FROM rooms r"
                " LEFT JOIN read_markers m ON m.room_id = r.id AND m.channel_id = ?"
                " WHERE r.id = ?",
                (channel_id, room_id),
            ).fetchone()
            return 0 if row is None else max(int(row[0]), 0)

        return await self._run(op)
