"""Writes under a lost room lock are refused by the store (fencing tokens end to end)."""

from __future__ import annotations

import asyncio
from uuid import uuid4

import pytest
from roomkit_postgres import PostgresLockManager, PostgresStore
from roomkit_postgres.testing import terminate_lock_holder

from roomkit import (
    ChannelCategory,
    HookExecution,
    HookResult,
    HookTrigger,
    InboundMessage,
    RoomEvent,
    RoomKit,
    TextContent,
    WebSocketChannel,
)
from roomkit.core.locks import RoomLockHandle
from roomkit.errors import RoomLockLostError
from roomkit.models.event import EventSource
from roomkit.store.fencing import clear_write_fence, set_write_fence, write_fence


def _event(room_id: str, text: str) -> RoomEvent:
    return RoomEvent(
        room_id=room_id,
        source=EventSource(channel_id="ws", channel_type="websocket"),
        content=TextContent(body=text),
    )


@pytest.mark.asyncio
async def test_an_older_token_is_refused_and_nothing_is_written(
    pg_dsn: str, pg_schema: str
) -> None:
    store = PostgresStore(pg_dsn, schema=pg_schema)
    try:
        room = await RoomKit(store=store).create_room()
        set_write_fence(room.id, RoomLockHandle(room.id, 7))
        assert write_fence(room.id) == 7
        await store.add_event(_event(room.id, "under token 7"))
        set_write_fence(room.id, RoomLockHandle(room.id, 7))  # the same holder writes again
        await store.add_event(_event(room.id, "still 7"))
        set_write_fence(room.id, RoomLockHandle(room.id, 5))
        with pytest.raises(RoomLockLostError, match="token 7"):
            await store.add_event(_event(room.id, "a holder that lost its lock"))
        lost = RoomLockHandle(room.id, 9)
        lost.mark_lost("its database session ended")
        set_write_fence(room.id, lost)
        with pytest.raises(RoomLockLostError, match="database session ended"):
            await store.add_event(_event(room.id, "the manager knows the lock is gone"))
        clear_write_fence(room.id)
        assert write_fence(room.id) is None
        await store.add_event(_event(room.id, "unfenced"))
        texts = [e.content.body for e in await store.list_events(room.id)]  # type: ignore[union-attr]
        assert texts == ["under token 7", "still 7", "unfenced"]
        assert [e.index for e in await store.list_events(room.id)] == [0, 1, 2]
    finally:
        clear_write_fence("")
        await store.close()


@pytest.mark.asyncio
async def test_a_kit_whose_lock_was_taken_over_cannot_store(pg_dsn: str, pg_schema: str) -> None:
    namespace = f"fence-{uuid4().hex}"
    stores = [PostgresStore(pg_dsn, schema=pg_schema) for _ in range(2)]
    managers = [PostgresLockManager(pg_dsn, namespace=namespace) for _ in range(2)]
    kits = [RoomKit(store=stores[i], lock_manager=managers[i], lock_timeout=30) for i in range(2)]
    for kit in kits:
        kit.register_channel(WebSocketChannel("ws"))
    room = await kits[0].create_room()
    await kits[0].attach_channel(room.id, "ws", category=ChannelCategory.TRANSPORT)
    taken_over = asyncio.Event()
    stalled = asyncio.Event()

    @kits[0].hook(HookTrigger.BEFORE_BROADCAST, execution=HookExecution.SYNC)
    async def lose_the_lock_then_resume(event: RoomEvent, ctx: object) -> HookResult:
        # Under kit A's room lock: its database session ends, kit B takes the room and writes.
        assert await terminate_lock_holder(pg_dsn, namespace, room.id) == 1
        stalled.set()
        await asyncio.wait_for(taken_over.wait(), 60)
        return HookResult.allow()

    async def kit_b_writes() -> None:
        await asyncio.wait_for(stalled.wait(), 60)
        result = await kits[1].process_inbound(
            InboundMessage(channel_id="ws", sender_id="bob", content=TextContent(body="from B")),
            room_id=room.id,
        )
        assert not result.blocked
        taken_over.set()

    try:
        writer = asyncio.create_task(kit_b_writes())
        with pytest.raises(RoomLockLostError):
            await kits[0].process_inbound(
                InboundMessage(channel_id="ws", sender_id="al", content=TextContent(body="from A")),
                room_id=room.id,
            )
        await writer
        texts = [e.content.body for e in await stores[1].list_events(room.id)]  # type: ignore[union-attr]
        assert texts == ["from B"]
    finally:
        for kit in kits:
            await kit.close()
