"""Participants by hand (ensure, resolve to an identity) and read markers."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from roomkit import (
    EventType,
    HookExecution,
    HookTrigger,
    IdentificationStatus,
    Identity,
    InboundMessage,
    RoomKit,
    TextContent,
    WebSocketChannel,
)
from roomkit.errors import (
    ChannelNotFoundError,
    IdentityNotFoundError,
    ParticipantNotFoundError,
    RoomNotFoundError,
    StoreError,
)


async def _kit() -> RoomKit:
    kit = RoomKit()
    kit.register_channel(WebSocketChannel("ws"))
    kit.register_channel(WebSocketChannel("agent"))
    await kit.create_room("r1")
    await kit.attach_channel("r1", "ws")
    await kit.attach_channel("r1", "agent")
    return kit


def _message(body: str) -> InboundMessage:
    return InboundMessage(channel_id="ws", sender_id="u1", content=TextContent(body=body))


async def test_ensure_participant_adds_once_and_returns_the_existing_one() -> None:
    kit = await _kit()
    first = await kit.ensure_participant("r1", "ws", "p1", display_name="Ann")
    assert (first.display_name, first.channel_id, first.connected_via) == ("Ann", "ws", ["ws"])
    again = await kit.ensure_participant("r1", "ws", "p1", display_name="Other")
    assert again.display_name == "Ann"
    assert [p.id for p in await kit.store.list_participants("r1")] == ["p1"]
    with pytest.raises(RoomNotFoundError):
        await kit.ensure_participant("missing", "ws", "p1")


async def test_resolve_participant_identifies_records_and_fires_the_hook() -> None:
    kit = await _kit()
    fired: list[tuple[Any, Any]] = []

    @kit.hook(HookTrigger.ON_PARTICIPANT_IDENTIFIED, execution=HookExecution.ASYNC)
    async def identified(event: Any, ctx: Any) -> None:
        fired.append((event, ctx.metadata["participant"]))

    await kit.ensure_participant("r1", "ws", "p1")
    await kit.store.create_identity(Identity(id="id-9", display_name="Nine"))
    participant = await kit.resolve_participant("r1", "p1", "id-9", resolved_by="advisor")
    assert participant.identification == IdentificationStatus.IDENTIFIED
    assert (participant.identity_id, participant.display_name) == ("id-9", "Nine")
    assert participant.resolved_by == "advisor"
    assert participant.resolved_at is not None
    stored = await kit.store.get_participant("r1", "p1")
    assert stored is not None
    assert stored.identity_id == "id-9"
    (event,) = await kit.get_timeline("r1")
    assert event.type == EventType.PARTICIPANT_IDENTIFIED
    assert event.visibility == "none"  # recorded, sent to no channel
    await kit.drain()
    ((hook_event, hook_participant),) = fired
    assert hook_event.id == event.id
    assert hook_participant.identity_id == "id-9"
    with pytest.raises(ParticipantNotFoundError):
        await kit.resolve_participant("r1", "ghost", "id-9")
    with pytest.raises(IdentityNotFoundError):
        await kit.resolve_participant("r1", "p1", "no-such-identity")


async def test_read_markers_count_unread_and_move_last_read_index() -> None:
    kit = await _kit()
    first = await kit.process_inbound(_message("one"), room_id="r1")
    assert first.event is not None
    await kit.mark_read("r1", "agent", first.event.id)
    assert await kit.store.get_unread_count("r1", "agent") == 0
    assert (await kit.get_binding("r1", "agent")).last_read_index == first.event.index
    await kit.process_inbound(_message("two"), room_id="r1")
    await kit.process_inbound(_message("three"), room_id="r1")
    assert await kit.store.get_unread_count("r1", "agent") == 2
    await kit.mark_all_read("r1", "agent")
    assert await kit.store.get_unread_count("r1", "agent") == 0
    assert (await kit.get_binding("r1", "agent")).last_read_index == 2
    with pytest.raises(ChannelNotFoundError):
        await kit.mark_read("r1", "nope", first.event.id)
    with pytest.raises(StoreError):
        await kit.mark_read("r1", "agent", "no-such-event")


async def test_mark_all_read_races_no_message() -> None:
    kit = await _kit()
    sends = [kit.process_inbound(_message(str(i)), room_id="r1") for i in range(10)]
    await asyncio.gather(kit.mark_all_read("r1", "agent"), *sends)
    binding = await kit.get_binding("r1", "agent")
    unread = await kit.store.get_unread_count("r1", "agent")
    read = -1 if binding.last_read_index is None else binding.last_read_index
    assert unread == 9 - read  # the marker and the count agree
