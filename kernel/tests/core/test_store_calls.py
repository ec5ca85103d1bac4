"""How many store calls one inbound message costs (each is a round trip on a networked store).

A counting wrapper forwards every call to an ``InMemoryStore`` and records its name, so a change
that adds a store call to the hot path fails here. Duplicates must still run no hook, store
nothing and broadcast nothing, now that the idempotency pre-read is skipped when no
BEFORE_BROADCAST hook would run first.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import pytest

from roomkit import (
    EventStatus,
    HookExecution,
    HookResult,
    HookTrigger,
    InboundMessage,
    MockIdentityResolver,
    RoomKit,
    TextContent,
    WebSocketChannel,
)
from roomkit.store.base import ConversationStore
from roomkit.store.memory import InMemoryStore


def counting_store(
    inner: ConversationStore, *, snapshot: bool = True
) -> tuple[ConversationStore, list[str]]:
    """A store forwarding to ``inner`` that records each call's name.

    With ``snapshot=False`` it keeps the contract's default ``get_room_snapshot`` (built from
    the separate reads, each counted), like a third-party store that does not override it.
    """
    calls: list[str] = []
    names = set(ConversationStore.__abstractmethods__)
    if snapshot:
        names.add("get_room_snapshot")

    def forward(name: str) -> Callable[..., Awaitable[Any]]:
        async def method(self: ConversationStore, *args: Any, **kwargs: Any) -> Any:
            calls.append(name)
            return await getattr(inner, name)(*args, **kwargs)

        method.__name__ = name
        return method

    cls = type("CountingStore", (ConversationStore,), {n: forward(n) for n in sorted(names)})
    return cls(), calls


def msg(body: str, sender: str = "u1", key: str | None = None) -> InboundMessage:
    return InboundMessage(
        channel_id="a", sender_id=sender, content=TextContent(body=body), idempotency_key=key
    )


async def _kit(recorder_factory: Any, *, snapshot: bool = True) -> tuple[RoomKit, Any, list[str]]:
    store, calls = counting_store(InMemoryStore(), snapshot=snapshot)
    kit = RoomKit(store=store)
    b = recorder_factory("b")
    kit.register_channel(recorder_factory("a"))
    kit.register_channel(b)
    await kit.create_room(room_id="r1")
    await kit.attach_channel("r1", "a")
    await kit.attach_channel("r1", "b")
    await kit.process_inbound(msg("warm-up", key="k0"), room_id="r1")  # the sender joins
    calls.clear()
    return kit, b, calls


async def test_a_message_costs_one_snapshot_and_one_insert(recorder_factory: Any) -> None:
    kit, b, calls = await _kit(recorder_factory)
    result = await kit.process_inbound(msg("hi", key="k1"), room_id="r1")
    assert result.accepted
    assert b.bodies == ["warm-up", "hi"]
    # was 8: get_room, get_binding, get_recent_events, list_bindings, list_participants,
    # get_participant, get_event_by_idempotency_key, add_event
    assert calls == ["get_room_snapshot", "add_event"]
    await kit.close()


async def test_a_store_without_a_snapshot_pays_the_separate_reads(recorder_factory: Any) -> None:
    kit, b, calls = await _kit(recorder_factory, snapshot=False)
    result = await kit.process_inbound(msg("hi", key="k1"), room_id="r1")
    assert result.accepted
    assert b.bodies == ["warm-up", "hi"]
    assert calls == [
        "get_room",
        "list_bindings",
        "list_participants",
        "get_recent_events",
        "add_event",
    ]
    await kit.close()


async def test_a_new_sender_joins_in_the_event_write(recorder_factory: Any) -> None:
    kit, _, calls = await _kit(recorder_factory)
    await kit.process_inbound(msg("hi", sender="newcomer"), room_id="r1")
    assert calls == ["get_room_snapshot", "add_event"]  # the store adds the sender with it
    assert await kit.store.get_participant("r1", "newcomer") is not None
    await kit.close()


async def test_before_broadcast_hooks_bring_back_the_duplicate_pre_read(
    recorder_factory: Any,
) -> None:
    kit, _, calls = await _kit(recorder_factory)
    seen: list[str] = []

    @kit.hook(HookTrigger.BEFORE_BROADCAST)
    async def note(event: Any, ctx: Any) -> HookResult:
        seen.append(event.content.body)
        return HookResult.allow()

    await kit.process_inbound(msg("hi", key="k1"), room_id="r1")
    assert calls == ["get_room_snapshot", "get_event_by_idempotency_key", "add_event"]
    calls.clear()
    again = await kit.process_inbound(msg("hi again", key="k1"), room_id="r1")
    assert again.duplicate
    assert seen == ["hi"]  # the duplicate ran no hook
    assert calls == ["get_room_snapshot", "get_event_by_idempotency_key"]
    await kit.close()


async def test_a_duplicate_without_hooks_stores_and_broadcasts_nothing(
    recorder_factory: Any,
) -> None:
    kit, b, calls = await _kit(recorder_factory)
    after: list[str] = []

    @kit.hook(HookTrigger.AFTER_BROADCAST, execution=HookExecution.ASYNC)
    async def note(event: Any, ctx: Any) -> None:
        after.append(event.content.body)

    first = await kit.process_inbound(msg("pay", key="k1"), room_id="r1")
    again = await kit.process_inbound(msg("pay twice", key="k1"), room_id="r1")
    await kit.drain()
    assert not first.duplicate
    assert again.duplicate
    assert again.event.id == first.event.id
    assert again.event.content.body == "pay"
    assert (again.blocked, again.reason, again.responses) == (False, None, [])
    assert b.bodies == ["warm-up", "pay"]
    assert after == ["pay"]
    assert await kit.store.count_events("r1") == 2
    assert calls.count("get_event_by_idempotency_key") == 0
    await kit.close()


async def test_a_duplicate_of_an_identity_blocked_message_is_a_duplicate(
    recorder_factory: Any,
) -> None:
    kit, b, _ = await _kit(recorder_factory)
    kit.identity_resolver = MockIdentityResolver({})

    @kit.hook(HookTrigger.ON_IDENTITY_UNKNOWN, execution=HookExecution.SYNC)
    async def reject(event: Any, ctx: Any) -> HookResult:
        return HookResult.block("unknown sender")

    first = await kit.process_inbound(msg("x", sender="stranger", key="k9"), room_id="r1")
    again = await kit.process_inbound(msg("x", sender="stranger", key="k9"), room_id="r1")
    assert first.blocked
    assert first.event.status == EventStatus.BLOCKED
    assert again.duplicate
    assert not again.blocked
    assert again.reason is None
    assert again.event.id == first.event.id
    assert await kit.store.count_events("r1") == 2
    assert b.bodies == ["warm-up"]
    await kit.close()


async def test_the_binding_comes_from_the_snapshot_read_fresh_each_message(
    recorder_factory: Any,
) -> None:
    kit, b, _calls = await _kit(recorder_factory)
    await kit.mute("r1", "a")  # changed through the store: the next message must see it
    result = await kit.process_inbound(msg("hush"), room_id="r1")
    assert result.blocked
    assert "muted" in (result.reason or "")
    await kit.unmute("r1", "a")
    assert (await kit.process_inbound(msg("back"), room_id="r1")).accepted
    assert b.bodies == ["warm-up", "back"]
    await kit.close()


@pytest.mark.parametrize("recent", [0, 1, 3])
async def test_memory_snapshot_matches_the_separate_reads(recent: int) -> None:
    store = InMemoryStore()
    kit = RoomKit(store=store)
    await kit.create_room(room_id="r1")
    kit.register_channel(WebSocketChannel("ws"))
    await kit.attach_channel("r1", "ws")
    for n in range(5):
        await kit.process_inbound(
            InboundMessage(
                channel_id="ws", sender_id=f"u{n % 2}", content=TextContent(body=f"{n}")
            ),
            room_id="r1",
        )
    snapshot = await store.get_room_snapshot("r1", recent=recent)
    assert snapshot is not None
    assert snapshot.room is await store.get_room("r1")
    assert snapshot.bindings == await store.list_bindings("r1")
    assert snapshot.participants == await store.list_participants("r1")
    expected = await store.get_recent_events("r1", recent) if recent else []
    assert [e.id for e in snapshot.recent_events] == [e.id for e in expected]
    assert await store.get_room_snapshot("missing") is None
    await kit.close()


async def test_default_snapshot_is_built_from_the_contract_reads() -> None:
    inner = InMemoryStore()
    store, calls = counting_store(inner, snapshot=False)
    kit = RoomKit(store=store)
    await kit.create_room(room_id="r1")
    calls.clear()
    snapshot = await store.get_room_snapshot("r1", recent=0)
    assert snapshot is not None
    assert snapshot.room.id == "r1"
    assert (snapshot.bindings, snapshot.participants, snapshot.recent_events) == ([], [], [])
    assert calls == ["get_room", "list_bindings", "list_participants"]
    assert await store.get_room_snapshot("missing") is None
    await kit.close()
