"""Identities, tasks and observations of :class:`~roomkit_postgres.store.PostgresStore`.

Kept apart from rooms and events so that each module stays one concept; the methods rely on
the store's connection helpers (``_run``, ``_one``, ``_many``, ``_write``, ``_require_room``).
"""

from __future__ import annotations

import asyncpg  # type: ignore[import-untyped]

from roomkit.errors import StoreError
from roomkit.models.enums import TaskStatus
from roomkit.models.participant import Identity
from roomkit.models.task import Observation, Task
from roomkit.store.validation import check_storable, check_text, readable_key
from roomkit_postgres._calls import StoreCalls

__all__ = ["RecordsMixin"]


class RecordsMixin(StoreCalls):
    """The identity, task and observation half of the ``ConversationStore`` contract."""

    # -- identities --------------------------------------------------------------------------
    async def create_identity(self, identity: Identity) -> Identity:
        check_storable(identity)

        async def op(conn: asyncpg.Connection, retry: bool) -> Identity:
            async with conn.transaction():
                inserted = await conn.fetchval(
                    "INSERT INTO identities (id, data) VALUES ($1, $2::json)"
                    " ON CONFLICT (id) DO NOTHING RETURNING true",
                    identity.id,
                    identity.model_dump_json(),
                )
                if not inserted:
                    if retry:
                        return identity
                    raise StoreError(f"an identity with id {identity.id!r} already exists")
                await conn.executemany(
                    "INSERT INTO identity_addresses (channel_type, address, identity_id)"
                    " VALUES ($1, $2, $3) ON CONFLICT (channel_type, address)"
                    " DO UPDATE SET identity_id = excluded.identity_id",
                    [
                        (str(channel_type), address, identity.id)
                        for channel_type, addresses in identity.channel_addresses.items()
                        for address in addresses
                    ],
                )
            return identity

        return await self._run("create_identity", op)

    async def get_identity(self, identity_id: str) -> Identity | None:
        if not readable_key(identity_id):
            return None
        return await self._one(
            "get_identity", Identity, "SELECT data::text FROM identities WHERE id = $1", identity_id
        )

    async def resolve_identity(self, channel_type: str, address: str) -> Identity | None:
        if not readable_key(str(channel_type)) or not readable_key(address):
            return None
        return await self._one(
            "resolve_identity",
            Identity,
            "SELECT i.data::text FROM identity_addresses a JOIN identities i"
            " ON i.id = a.identity_id WHERE a.channel_type = $1 AND a.address = $2",
            str(channel_type),
            address,
        )

    async def link_address(self, identity_id: str, channel_type: str, address: str) -> Identity:
        check_text(str(channel_type), "channel_type")
        check_text(address, "address")
        if not readable_key(identity_id):
            raise StoreError(f"identity {identity_id!r} does not exist; create it first")

        async def op(conn: asyncpg.Connection, _: bool) -> Identity:
            async with conn.transaction():
                text = await conn.fetchval(
                    "SELECT data::text FROM identities WHERE id = $1 FOR UPDATE", identity_id
                )
                if text is None:
                    raise StoreError(f"identity {identity_id!r} does not exist; create it first")
                identity = Identity.model_validate_json(text)
                addresses = identity.channel_addresses.setdefault(str(channel_type), [])
                if address not in addresses:
                    addresses.append(address)
                await conn.execute(
                    "UPDATE identities SET data = $2::json WHERE id = $1",
                    identity_id,
                    identity.model_dump_json(),
                )
                await conn.execute(
                    "INSERT INTO identity_addresses (channel_type, address, identity_id)"
                    " VALUES ($1, $2, $3) ON CONFLICT (channel_type, address)"
                    " DO UPDATE SET identity_id = excluded.identity_id",
                    str(channel_type),
                    address,
                    identity_id,
                )
            return identity

        return await self._run("link_address", op)

    # -- tasks and observations --------------------------------------------------------------
    async def add_task(self, task: Task) -> Task:
        check_storable(task)

        async def op(conn: asyncpg.Connection, retry: bool) -> Task:
            await self._require_room(conn, task.room_id)
            inserted = await conn.fetchval(
                "INSERT INTO tasks (id, room_id, status, created_at, data)"
                " VALUES ($1, $2, $3, $4, $5::json) ON CONFLICT (id) DO NOTHING RETURNING true",
                task.id,
                task.room_id,
                task.status.value,
                task.created_at,
                task.model_dump_json(),
            )
            if not inserted and not retry:
                raise StoreError(f"a task with id {task.id!r} already exists")
            return task

        return await self._run("add_task", op)

    async def get_task(self, task_id: str) -> Task | None:
        if not readable_key(task_id):
            return None
        return await self._one(
            "get_task", Task, "SELECT data::text FROM tasks WHERE id = $1", task_id
        )

    async def update_task(self, task: Task) -> Task:
        check_storable(task)
        status = await self._write(
            "update_task",
            "UPDATE tasks SET status = $2, data = $3::json WHERE id = $1",
            task.id,
            task.status.value,
            task.model_dump_json(),
        )
        if status == "UPDATE 0":
            raise StoreError(f"task {task.id!r} does not exist; add it with add_task")
        return task

    async def list_tasks(self, room_id: str, status: TaskStatus | str | None = None) -> list[Task]:
        if not readable_key(room_id):
            return []
        return await self._many(
            "list_tasks",
            Task,
            "SELECT data::text FROM tasks WHERE room_id = $1"
            " AND ($2::text IS NULL OR status = $2) ORDER BY created_at, seq",
            room_id,
            None if status is None else TaskStatus(status).value,
        )

    async def add_observation(self, observation: Observation) -> Observation:
        check_storable(observation)

        async def op(conn: asyncpg.Connection, _: bool) -> Observation:
            await self._require_room(conn, observation.room_id)
            await conn.execute(
                "INSERT INTO observations (id, room_id, created_at, data)"
                " VALUES ($1, $2, $3, $4::json) ON CONFLICT (id) DO NOTHING",
                observation.id,
                observation.room_id,
                observation.created_at,
                observation.model_dump_json(),
            )
            return observation

        return await self._run("add_observation", op)

    async def list_observations(self, room_id: str) -> list[Observation]:
        if not readable_key(room_id):
            return []
        return await self._many(
            "list_observations",
            Observation,
            "SELECT data::text FROM observations WHERE room_id = $1 ORDER BY created_at, seq",
            room_id,
        )
