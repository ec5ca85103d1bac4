"""process_inbound: routing, validation, idempotency, identity, limits and refusals."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from roomkit import (
    Access,
    ChannelNotFoundError,
    ChannelNotRegisteredError,
    EventStatus,
    HookExecution,
    HookResult,
    HookTrigger,
    IdentificationStatus,
    Identity,
    InboundMessage,
    InvalidContentError,
    MockIdentityResolver,
    PayloadTooLargeError,
    RateLimit,
    RateLimitedError,
    RoomClosedError,
    RoomKit,
    RoomNotFoundError,
    TextContent,
)


def msg(body: str = "hello", channel: str = "a", sender: str = "u1", **kw: Any) -> InboundMessage:
    return InboundMessage(
        channel_id=channel, sender_id=sender, content=TextContent(body=body), **kw
    )


async def test_message_is_stored_indexed_and_delivered_to_the_other_channel(room_kit: Any) -> None:
    kit, a, b = room_kit
    first = await kit.process_inbound(msg("one"))
    second = await kit.process_inbound(msg("two"))
    assert first.room_id == "r1"
    assert first.accepted
    assert (first.event.index, second.event.index) == (0, 1)
    assert b.bodies == ["one", "two"]
    assert a.sent == []  # never echoed to the source channel
    assert second.event.status == EventStatus.DELIVERED
    timeline = await kit.get_timeline("r1")
    assert [e.id for e in timeline] == [first.event.id, second.event.id]


async def test_routes_by_explicit_room_id(room_kit: Any) -> None:
    kit, _, b = room_kit
    await kit.create_room(room_id="r2")
    await kit.attach_channel("r2", "a")
    result = await kit.process_inbound(msg("to r2"), room_id="r2")
    assert result.room_id == "r2"
    assert b.sent == []  # b is not in r2
    via_message = await kit.process_inbound(msg("to r1", room_id="r1"))
    assert via_message.room_id == "r1"


async def test_unknown_room_and_unattached_channel(room_kit: Any, recorder_factory: Any) -> None:
    kit, _, _ = room_kit
    with pytest.raises(RoomNotFoundError):
        await kit.process_inbound(msg(), room_id="nope")
    kit.register_channel(recorder_factory("c"))
    with pytest.raises(ChannelNotFoundError, match="not attached"):
        await kit.process_inbound(msg(channel="c"), room_id="r1")


async def test_unknown_channel_is_a_typed_error(kit: RoomKit) -> None:
    with pytest.raises(ChannelNotRegisteredError, match="register_channel"):
        await kit.process_inbound(msg(channel="ghost"))


async def test_router_picks_the_room(room_kit: Any) -> None:
    kit, _, _ = room_kit
    await kit.create_room(room_id="vip")
    await kit.attach_channel("vip", "a")
    seen: list[str] = []

    async def router(message: InboundMessage) -> str | None:
        seen.append(message.sender_id)
        return "vip" if message.sender_id == "boss" else None

    await kit.process_inbound(msg(sender="other"), room_id="r1")
    kit.room_router = router
    assert (await kit.process_inbound(msg(sender="boss"))).room_id == "vip"
    # the router declines: fall back to the sender's latest room
    assert (await kit.process_inbound(msg(sender="other"))).room_id == "r1"
    assert seen == ["boss", "other"]


async def test_unbound_channel_gets_a_new_room(kit: RoomKit, recorder_factory: Any) -> None:
    kit.register_channel(recorder_factory("sms"))
    created: list[str] = []

    @kit.hook(HookTrigger.ON_ROOM_CREATED)
    async def on_created(event: Any, ctx: Any) -> None:
        created.append(ctx.room.id)

    result = await kit.process_inbound(msg(channel="sms"))
    again = await kit.process_inbound(msg("again", channel="sms"))
    await kit.drain()
    assert again.room_id == result.room_id
    assert created == [result.room_id]
    binding = await kit.get_binding(result.room_id, "sms")
    assert binding.channel_id == "sms"


async def test_sender_returns_to_their_latest_room(room_kit: Any) -> None:
    kit, _, _ = room_kit
    await kit.process_inbound(msg(sender="alice"), room_id="r1")
    await kit.create_room(room_id="r2")
    await kit.attach_channel("r2", "a")
    await kit.process_inbound(msg(sender="bob"), room_id="r2")
    # alice wrote in r1, bob in r2: each goes back to their own room
    assert (await kit.process_inbound(msg(sender="alice"))).room_id == "r1"
    assert (await kit.process_inbound(msg(sender="bob"))).room_id == "r2"


async def test_closed_room_refuses_messages(room_kit: Any) -> None:
    kit, _, _ = room_kit
    await kit.close_room("r1")
    with pytest.raises(RoomClosedError):
        await kit.process_inbound(msg(), room_id="r1")


async def test_paused_room_becomes_active_again(room_kit: Any) -> None:
    kit, _, b = room_kit
    await kit.pause_room("r1")
    await kit.process_inbound(msg(), room_id="r1")
    assert (await kit.get_room("r1")).status == "active"
    assert b.bodies == ["hello"]


async def test_idempotency_key_stores_once(room_kit: Any) -> None:
    kit, _, b = room_kit
    first = await kit.process_inbound(msg("pay", idempotency_key="k1"))
    again = await kit.process_inbound(msg("pay", idempotency_key="k1"))
    assert not first.duplicate
    assert again.duplicate
    assert again.event.id == first.event.id
    assert await kit.store.count_events("r1") == 1
    assert b.bodies == ["pay"]


async def test_concurrent_duplicates_store_once(room_kit: Any) -> None:
    kit, _, b = room_kit
    results = await asyncio.gather(
        *(kit.process_inbound(msg("x", idempotency_key="same")) for _ in range(20))
    )
    assert sum(not r.duplicate for r in results) == 1
    assert {r.event.id for r in results} == {results[0].event.id}
    assert await kit.store.count_events("r1") == 1
    assert len(b.sent) == 1


async def test_concurrent_messages_get_gap_free_indexes(room_kit: Any) -> None:
    kit, _, b = room_kit
    await asyncio.gather(*(kit.process_inbound(msg(f"m{i}")) for i in range(50)))
    events = await kit.get_timeline("r1", limit=100)
    assert [e.index for e in events] == list(range(50))
    assert len(b.sent) == 50


async def test_oversized_payload(room_kit: Any) -> None:
    kit, _, _ = room_kit
    kit.max_payload_bytes = 100
    with pytest.raises(PayloadTooLargeError, match="limit is 100"):
        await kit.process_inbound(msg("x" * 101))
    await kit.process_inbound(msg("x" * 100))
    # multi-byte characters count in bytes
    with pytest.raises(PayloadTooLargeError):
        await kit.process_inbound(msg("\u00e9" * 60))
    assert await kit.store.count_events("r1") == 1


async def test_malformed_message_is_invalid_content_not_validation_error(room_kit: Any) -> None:
    kit, _, _ = room_kit
    with pytest.raises(InvalidContentError):
        await kit.process_inbound({"channel_id": "a", "sender_id": "u", "content": {"type": "?"}})
    result = await kit.process_inbound(
        {"channel_id": "a", "sender_id": "u", "content": {"type": "text", "body": "dict ok"}}
    )
    assert result.event.content.body == "dict ok"


async def test_inbound_rate_limit_per_sender(room_kit: Any) -> None:
    kit, _, _ = room_kit
    kit.inbound_rate_limit = RateLimit(max_per_minute=2)
    await kit.process_inbound(msg(sender="spam"))
    await kit.process_inbound(msg(sender="spam"))
    with pytest.raises(RateLimitedError) as info:
        await kit.process_inbound(msg(sender="spam"))
    assert info.value.retry_after > 0
    await kit.process_inbound(msg(sender="polite"))  # other senders are unaffected


async def test_read_only_and_muted_channels_cannot_post(room_kit: Any) -> None:
    kit, _, b = room_kit
    await kit.update_binding("r1", "a", access=Access.READ_ONLY)
    refused = await kit.process_inbound(msg(), room_id="r1")
    assert refused.blocked
    assert not refused.accepted
    await kit.update_binding("r1", "a", access=Access.READ_WRITE)
    await kit.mute("r1", "a")
    muted = await kit.process_inbound(msg(), room_id="r1")
    assert muted.blocked
    assert "muted" in (muted.reason or "")
    assert b.sent == []
    assert await kit.store.count_events("r1") == 0


async def test_identity_resolution_identified_records_participant(room_kit: Any) -> None:
    kit, _, _ = room_kit
    person = Identity(id="id-1", display_name="Ada")
    kit.identity_resolver = MockIdentityResolver({"u1": person})
    fired: list[Any] = []

    @kit.hook(HookTrigger.ON_PARTICIPANT_IDENTIFIED)
    async def identified(event: Any, ctx: Any) -> None:
        fired.append(ctx.metadata["identity_result"].identity.id)

    await kit.process_inbound(msg())
    await kit.process_inbound(msg("second"))
    await kit.drain()
    participant = await kit.store.get_participant("r1", "u1")
    assert participant.identity_id == "id-1"
    assert participant.display_name == "Ada"
    assert participant.identification == IdentificationStatus.IDENTIFIED
    assert fired == ["id-1"]
    assert len(kit.identity_resolver.calls) == 1  # identified once per room


async def test_unknown_sender_can_be_blocked_by_a_sync_identity_hook(room_kit: Any) -> None:
    kit, _, b = room_kit
    kit.identity_resolver = MockIdentityResolver({})

    @kit.hook(HookTrigger.ON_IDENTITY_UNKNOWN, execution=HookExecution.SYNC)
    async def reject(event: Any, ctx: Any) -> HookResult:
        return HookResult.block("unknown sender")

    result = await kit.process_inbound(msg())
    assert result.blocked
    assert result.reason == "unknown sender"
    assert result.event.status == EventStatus.BLOCKED
    assert b.sent == []


async def test_ambiguous_identity_fires_its_hook(room_kit: Any) -> None:
    kit, _, _ = room_kit
    kit.identity_resolver = MockIdentityResolver({"u1": [Identity(id="x"), Identity(id="y")]})
    seen: list[int] = []

    @kit.hook(HookTrigger.ON_IDENTITY_AMBIGUOUS)
    async def ambiguous(event: Any, ctx: Any) -> None:
        seen.append(len(ctx.metadata["identity_result"].candidates))

    await kit.process_inbound(msg())
    await kit.drain()
    assert seen == [2]


async def test_identity_timeout_is_reported_and_message_still_flows(room_kit: Any) -> None:
    kit, _, b = room_kit
    kit.identity_resolver = MockIdentityResolver({}, delay=5)
    kit.identity_timeout = 0.05
    errors: list[str] = []

    @kit.hook(HookTrigger.ON_ERROR)
    async def on_error(event: Any, ctx: Any) -> None:
        errors.append(ctx.metadata["error_type"])

    result = await kit.process_inbound(msg())
    await kit.drain()
    assert result.accepted
    assert b.bodies == ["hello"]
    assert errors == ["IdentityResolutionError"]
