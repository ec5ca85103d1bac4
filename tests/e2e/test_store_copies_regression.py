"""Regression: the engine must not drop events that a store returns as copies.

``ConversationStore.add_event`` may return a copy of the event it stored (the contract in
``roomkit/store/base.py``: returned objects *may* be shared; a duplicate is told apart by
``returned.id != event.id``). ``admit_event`` (``roomkit/core/broadcast.py``) once compared
by object identity, so with ``SQLiteStore`` every new message was stored but treated as a
duplicate: nothing was broadcast and no AI channel answered. The in-memory store returns
the same object, which hid the bug; these tests use stores that copy.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from roomkit import (
    AIChannel,
    ChannelCategory,
    InboundMessage,
    RoomEvent,
    RoomKit,
    TextContent,
    WebSocketChannel,
)
from roomkit.store.memory import InMemoryStore
from roomkit.testing import MockAIProvider


class CopyingStore(InMemoryStore):
    """An in-memory store that returns a copy of each stored event (allowed by the contract)."""

    async def add_event(self, event: RoomEvent) -> RoomEvent:
        stored = await super().add_event(event)
        return stored.model_copy()


def _body(event: RoomEvent) -> str:
    assert isinstance(event.content, TextContent)
    return event.content.body


def _store(kind: str, tmp_path: Path) -> Any:
    if kind == "copying-memory":
        return CopyingStore()
    from roomkit_sqlite import SQLiteStore

    return SQLiteStore(tmp_path / "rooms.db")


@pytest.mark.parametrize("store_kind", ["copying-memory", "sqlite"])
async def test_events_returned_as_copies_are_broadcast_and_answered(
    store_kind: str, tmp_path: Path
) -> None:
    kit = RoomKit(store=_store(store_kind, tmp_path))
    user, peer = WebSocketChannel("ws-user"), WebSocketChannel("ws-peer")
    ai = AIChannel("ai", provider=MockAIProvider(responses=["Hello from the AI."]))
    for channel in (user, peer, ai):
        kit.register_channel(channel)
    peer_received: list[Any] = []

    async def peer_socket(payload: Any) -> None:
        peer_received.append(payload)

    peer.register_connection("peer-1", peer_socket)
    await kit.create_room(room_id="r1")
    await kit.attach_channel("r1", "ws-user")
    await kit.attach_channel("r1", "ws-peer")
    await kit.attach_channel("r1", "ai", category=ChannelCategory.INTELLIGENCE)
    try:
        result = await kit.process_inbound(
            InboundMessage(channel_id="ws-user", sender_id="u1", content=TextContent(body="hi")),
            room_id="r1",
        )
        assert result.accepted
        assert not result.duplicate, "a brand-new message was reported as a duplicate"
        assert [_body(e) for e in result.responses] == ["Hello from the AI."]
        bodies = [_body(p) for p in peer_received if isinstance(p, RoomEvent)]
        assert bodies == ["hi", "Hello from the AI."]
    finally:
        await kit.close()
