"""Checks of a conversation store driven by a real :class:`roomkit.RoomKit`.

:class:`ConversationStoreSuite` inherits these, so every store gets them with the same
``component`` (and, for ``cross_process``, ``second_component``) fixtures. Capabilities:

* ``single_read`` -- the store overrides ``get_room_snapshot`` with one round trip, so an
  inbound message to a known room costs exactly two store calls (snapshot + ``add_event``).
* ``cross_process`` -- changes made through ``second_component`` (another process's kit) are
  seen by the next message: nothing is cached between messages.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import pytest

from roomkit import InboundMessage, RoomClosedError, RoomKit, TextContent, WebSocketChannel
from roomkit.models.participant import Participant
from roomkit.store.base import ConversationStore
from roomkit_conformance.base import SuiteBase, requires

__all__ = ["StoreEngineSuite", "counting_store"]


def counting_store(inner: ConversationStore) -> tuple[ConversationStore, list[str]]:
    """A store forwarding every call (the snapshot included) to ``inner``, recording its name."""
    calls: list[str] = []
    names = {*ConversationStore.__abstractmethods__, "get_room_snapshot"}

    def forward(name: str) -> Callable[..., Awaitable[Any]]:
        async def method(self: ConversationStore, *args: Any, **kwargs: Any) -> Any:
            calls.append(name)
            return await getattr(inner, name)(*args, **kwargs)

        return method

    cls = type("CountingStore", (ConversationStore,), {n: forward(n) for n in sorted(names)})
    return cls(), calls


def _msg(body: str, sender: str = "u1", key: str | None = None) -> InboundMessage:
    return InboundMessage(
        channel_id="ws", sender_id=sender, content=TextContent(body=body), idempotency_key=key
    )


async def _room(kit: RoomKit) -> str:
    kit.register_channel(WebSocketChannel("ws"))
    room = await kit.create_room()
    await kit.attach_channel(room.id, "ws")
    return room.id


class StoreEngineSuite(SuiteBase):
    """A store under the engine: snapshots match, reads stay few, nothing is cached."""

    @pytest.mark.asyncio
    @pytest.mark.parametrize("recent", [0, 2, 50])
    async def test_engine_snapshot_matches_the_separate_reads(
        self, component: ConversationStore, recent: int
    ) -> None:
        kit = RoomKit(store=component)
        room_id = await _room(kit)
        await component.add_participant(Participant(id="agent", room_id=room_id, channel_id="ws"))
        for n in range(6):
            await kit.process_inbound(_msg(f"m{n}", sender=f"u{n % 3}"), room_id=room_id)
        snapshot = await component.get_room_snapshot(room_id, recent=recent)
        assert snapshot is not None
        room = await component.get_room(room_id)
        assert room is not None
        assert snapshot.room.model_dump() == room.model_dump()
        assert await component.count_events(room_id) == 6
        assert snapshot.bindings == await component.list_bindings(room_id)
        assert snapshot.participants == await component.list_participants(room_id)
        assert [p.id for p in snapshot.participants] == ["agent", "u0", "u1", "u2"]
        expected = await component.get_recent_events(room_id, recent) if recent else []
        assert snapshot.recent_events == expected
        assert [e.index for e in snapshot.recent_events] == list(range(6))[-recent:][: recent or 0]

    @pytest.mark.asyncio
    @requires("single_read")
    async def test_a_message_costs_two_store_calls(self, component: ConversationStore) -> None:
        counted, calls = counting_store(component)
        kit = RoomKit(store=counted)
        room_id = await _room(kit)
        await kit.process_inbound(_msg("warm-up"), room_id=room_id)  # u1 joins the room
        calls.clear()
        first = await kit.process_inbound(_msg("pay", key="k1"), room_id=room_id)
        assert calls == ["get_room_snapshot", "add_event"]
        calls.clear()
        again = await kit.process_inbound(_msg("pay again", key="k1"), room_id=room_id)
        assert calls == ["get_room_snapshot", "add_event"]
        assert again.duplicate
        assert again.event is not None
        assert first.event is not None
        assert again.event.id == first.event.id
        assert await component.count_events(room_id) == 2

    @pytest.mark.asyncio
    @requires("cross_process")
    async def test_changes_by_another_kit_are_seen_on_the_next_message(
        self, component: ConversationStore, second_component: ConversationStore
    ) -> None:
        writer, other = RoomKit(store=component), RoomKit(store=second_component)
        room_id = await _room(writer)
        other.register_channel(WebSocketChannel("ws"))
        assert (await writer.process_inbound(_msg("one"), room_id=room_id)).accepted
        await other.mute(room_id, "ws")
        muted = await writer.process_inbound(_msg("two"), room_id=room_id)
        assert muted.blocked
        assert "muted" in (muted.reason or "")
        await other.unmute(room_id, "ws")
        assert (await writer.process_inbound(_msg("three"), room_id=room_id)).accepted
        await other.close_room(room_id)
        with pytest.raises(RoomClosedError):
            await writer.process_inbound(_msg("four"), room_id=room_id)
