"""Identities, tasks and observations of :class:`~roomkit_sqlite.store.SQLiteStore`.

Kept apart from rooms and events so that each module stays one concept; the methods rely on
the store's helpers (``_run``, ``_one``, ``_many``, ``_require_room``).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, TypeVar

from roomkit.errors import StoreError
from roomkit.models.enums import TaskStatus
from roomkit.models.participant import Identity
from roomkit.models.task import Observation, Task
from roomkit.store.validation import check_storable, check_text, readable_key

__all__ = ["RecordsMixin", "micros"]

T = TypeVar("T")


def micros(moment: datetime) -> int:
    """Microseconds since the epoch; naive datetimes are taken as UTC."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return int(moment.timestamp() * 1_000_000)


class RecordsMixin:
    """The identity, task and observation half of the ``ConversationStore`` contract."""

    if TYPE_CHECKING:

        async def _run(
            self,
            func: Callable[[sqlite3.Connection], T],
            *,
            write: bool = False,
            after: Callable[[T], object] | None = None,
        ) -> T: ...

        async def _one(self, sql: str, params: tuple[Any, ...], model: type[T]) -> T | None: ...

        async def _many(self, sql: str, params: tuple[Any, ...], model: type[T]) -> list[T]: ...

        @staticmethod
        def _require_room(conn: sqlite3.Connection, room_id: str) -> sqlite3.Row: ...

    # -- identities --------------------------------------------------------------------------
    async def create_identity(self, identity: Identity) -> Identity:
        check_storable(identity)

        def op(conn: sqlite3.Connection) -> Identity:
            conn.execute(
                "INSERT INTO identities (id, data) VALUES (?, ?)",
                (identity.id, identity.model_dump_json()),
            )
            conn.executemany(
                "INSERT OR REPLACE INTO identity_addresses (channel_type, address, identity_id)"
                " VALUES (?, ?, ?)",
                [
                    (channel_type, address, identity.id)
                    for channel_type, addresses in identity.channel_addresses.items()
                    for address in addresses
                ],
            )
            return identity

        return await self._run(op, write=True)

    async def get_identity(self, identity_id: str) -> Identity | None:
        if not readable_key(identity_id):
            return None
        return await self._one("SELECT data FROM identities WHERE id = ?", (identity_id,), Identity)

    async def resolve_identity(self, channel_type: str, address: str) -> Identity | None:
        if not readable_key(str(channel_type)) or not readable_key(address):
            return None
        return await self._one(
            "SELECT i.data FROM identity_addresses a JOIN identities i ON i.id = a.identity_id"
            " WHERE a.channel_type = ? AND a.address = ?",
            (str(channel_type), address),
            Identity,
        )

    async def link_address(self, identity_id: str, channel_type: str, address: str) -> Identity:
        check_text(str(channel_type), "channel_type")
        check_text(address, "address")
        if not readable_key(identity_id):
            raise StoreError(f"identity {identity_id!r} does not exist; create it first")

        def op(conn: sqlite3.Connection) -> Identity:
            row = conn.execute(
                "SELECT data FROM identities WHERE id = ?", (identity_id,)
            ).fetchone()
            if row is None:
                raise StoreError(f"identity {identity_id!r} does not exist; create it first")
            identity = Identity.model_validate_json(row["data"])
            addresses = identity.channel_addresses.setdefault(str(channel_type), [])
            if address not in addresses:
                addresses.append(address)
            conn.execute(
                "UPDATE identities SET data = ? WHERE id = ?",
                (identity.model_dump_json(), identity_id),
            )
            conn.execute(
                "INSERT OR REPLACE INTO identity_addresses (channel_type, address, identity_id)"
                " VALUES (?, ?, ?)",
                (str(channel_type), address, identity_id),
            )
            return identity

        return await self._run(op, write=True)

    # -- tasks and observations --------------------------------------------------------------
    async def add_task(self, task: Task) -> Task:
        check_storable(task)

        def op(conn: sqlite3.Connection) -> Task:
            self._require_room(conn, task.room_id)
            conn.execute(
                "INSERT INTO tasks (id, room_id, status, created_us, data) VALUES (?, ?, ?, ?, ?)",
                (
                    task.id,
                    task.room_id,
                    task.status.value,
                    micros(task.created_at),
                    task.model_dump_json(),
                ),
            )
            return task

        return await self._run(op, write=True)

    async def get_task(self, task_id: str) -> Task | None:
        if not readable_key(task_id):
            return None
        return await self._one("SELECT data FROM tasks WHERE id = ?", (task_id,), Task)

    async def update_task(self, task: Task) -> Task:
        check_storable(task)

        def op(conn: sqlite3.Connection) -> Task:
            cur = conn.execute(
                "UPDATE tasks SET status = ?, data = ? WHERE id = ?",
                (task.status.value, task.model_dump_json(), task.id),
            )
            if cur.rowcount == 0:
                self._require_room(conn, task.room_id)
                raise StoreError(f"task {task.id!r} does not exist; add it with add_task")
            return task

        return await self._run(op, write=True)

    async def list_tasks(self, room_id: str, status: TaskStatus | str | None = None) -> list[Task]:
        if not readable_key(room_id):
            return []
        sql, params = "SELECT data FROM tasks WHERE room_id = ?", [room_id]
        if status is not None:
            sql += " AND status = ?"
            params.append(TaskStatus(status).value)
        return await self._many(sql + " ORDER BY created_us, rowid", tuple(params), Task)

    async def add_observation(self, observation: Observation) -> Observation:
        check_storable(observation)

        def op(conn: sqlite3.Connection) -> Observation:
            self._require_room(conn, observation.room_id)
            conn.execute(
                "INSERT INTO observations (id, room_id, created_us, data) VALUES (?, ?, ?, ?)",
                (
                    observation.id,
                    observation.room_id,
                    micros(observation.created_at),
                    observation.model_dump_json(),
                ),
            )
            return observation

        return await self._run(op, write=True)

    async def list_observations(self, room_id: str) -> list[Observation]:
        if not readable_key(room_id):
            return []
        return await self._many(
            "SELECT data FROM observations WHERE room_id = ? ORDER BY created_us, rowid",
            (room_id,),
            Observation,
        )
