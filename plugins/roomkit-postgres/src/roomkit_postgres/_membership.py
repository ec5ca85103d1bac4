"""Bindings and participants of :class:`~roomkit_postgres.store.PostgresStore`.

Kept apart from rooms and events so that each module stays one concept; the methods rely on
the store's connection helpers (``_run``, ``_one``, ``_many``, ``_write``, ``_require_room``).
"""

from __future__ import annotations

import asyncpg  # type: ignore[import-untyped]

from roomkit.errors import StoreError
from roomkit.models.participant import Participant
from roomkit.models.room import ChannelBinding
from roomkit.store.validation import check_storable, readable_key
from roomkit_postgres._calls import StoreCalls

__all__ = ["MembershipMixin"]


class MembershipMixin(StoreCalls):
    """The bindings and participants part of the ``ConversationStore`` contract."""

    # -- bindings ----------------------------------------------------------------------------
    async def add_binding(self, binding: ChannelBinding) -> ChannelBinding:
        check_storable(binding)

        async def op(conn: asyncpg.Connection, _: bool) -> ChannelBinding:
            await self._require_room(conn, binding.room_id)
            await conn.execute(
                "INSERT INTO bindings (room_id, channel_id, participant_id, data)"
                " VALUES ($1, $2, $3, $4::json) ON CONFLICT (room_id, channel_id) DO UPDATE"
                " SET participant_id = excluded.participant_id, data = excluded.data",
                binding.room_id,
                binding.channel_id,
                binding.participant_id,
                binding.model_dump_json(),
            )
            return binding

        return await self._run("add_binding", op)

    async def get_binding(self, room_id: str, channel_id: str) -> ChannelBinding | None:
        if not readable_key(room_id) or not readable_key(channel_id):
            return None
        return await self._one(
            "get_binding",
            ChannelBinding,
            "SELECT data::text FROM bindings WHERE room_id = $1 AND channel_id = $2",
            room_id,
            channel_id,
        )

    async def update_binding(self, binding: ChannelBinding) -> ChannelBinding:
        check_storable(binding)

        async def op(conn: asyncpg.Connection, _: bool) -> ChannelBinding:
            status = await conn.execute(
                "UPDATE bindings SET participant_id = $3, data = $4::json"
                " WHERE room_id = $1 AND channel_id = $2",
                binding.room_id,
                binding.channel_id,
                binding.participant_id,
                binding.model_dump_json(),
            )
            if status == "UPDATE 0":
                await self._require_room(conn, binding.room_id)
                raise StoreError(
                    f"channel {binding.channel_id!r} is not attached to room {binding.room_id!r}"
                )
            return binding

        return await self._run("update_binding", op)

    async def remove_binding(self, room_id: str, channel_id: str) -> bool:
        if not readable_key(room_id) or not readable_key(channel_id):
            return False
        status = await self._write(
            "remove_binding",
            "DELETE FROM bindings WHERE room_id = $1 AND channel_id = $2",
            room_id,
            channel_id,
        )
        return status != "DELETE 0"

    async def list_bindings(self, room_id: str) -> list[ChannelBinding]:
        if not readable_key(room_id):
            return []
        return await self._many(
            "list_bindings",
            ChannelBinding,
            "SELECT data::text FROM bindings WHERE room_id = $1 ORDER BY seq",
            room_id,
        )

    # -- participants ------------------------------------------------------------------------
    async def add_participant(self, participant: Participant) -> Participant:
        check_storable(participant)

        async def op(conn: asyncpg.Connection, _: bool) -> Participant:
            await self._require_room(conn, participant.room_id)
            async with conn.transaction():
                await conn.execute(
                    "INSERT INTO participants (room_id, id, data) VALUES ($1, $2, $3::json)"
                    " ON CONFLICT (room_id, id) DO UPDATE SET data = excluded.data",
                    participant.room_id,
                    participant.id,
                    participant.model_dump_json(),
                )
                await conn.execute(
                    "INSERT INTO senders (channel_id, participant_id, room_id)"
                    " VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
                    participant.channel_id,
                    participant.id,
                    participant.room_id,
                )
            return participant

        return await self._run("add_participant", op)

    async def get_participant(self, room_id: str, participant_id: str) -> Participant | None:
        if not readable_key(room_id) or not readable_key(participant_id):
            return None
        return await self._one(
            "get_participant",
            Participant,
            "SELECT data::text FROM participants WHERE room_id = $1 AND id = $2",
            room_id,
            participant_id,
        )

    async def update_participant(self, participant: Participant) -> Participant:
        return await self.add_participant(participant)

    async def list_participants(self, room_id: str) -> list[Participant]:
        if not readable_key(room_id):
            return []
        return await self._many(
            "list_participants",
            Participant,
            "SELECT data::text FROM participants WHERE room_id = $1 ORDER BY seq",
            room_id,
        )
