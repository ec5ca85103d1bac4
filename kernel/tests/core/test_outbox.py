"""Per-binding outboxes: transport retries run off the room lock, in order, bounded."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from roomkit import (
    ChannelBinding,
    ChannelCapabilities,
    ChannelOutput,
    ConfigurationError,
    DeliveryStatus,
    EventStatus,
    HookExecution,
    HookTrigger,
    InboundMessage,
    RateLimit,
    RetryPolicy,
    RoomContext,
    RoomEvent,
    RoomKit,
    TextContent,
)
from roomkit.core.circuit_breaker import CircuitBreaker, CircuitState

from .conftest import Echo, Recorder


def msg(body: str, channel: str = "a") -> InboundMessage:
    return InboundMessage(channel_id=channel, sender_id="u1", content=TextContent(body=body))


class Gated(Recorder):
    """Fails its first call; later calls wait for ``gate`` and then succeed."""

    def __init__(self, channel_id: str) -> None:
        super().__init__(channel_id)
        self.gate = asyncio.Event()
        self.waiting = asyncio.Event()

    async def send(
        self, event: RoomEvent, binding: ChannelBinding, context: RoomContext
    ) -> str | None:
        self.calls += 1
        if self.calls == 1:
            raise ConnectionError("first try fails")
        self.waiting.set()
        await self.gate.wait()
        self.sent.append(event)
        return f"msg-{len(self.sent)}"


def watch(kit: RoomKit) -> tuple[list[tuple[str, str, int]], list[str]]:
    """(channel, status, attempts) of every ON_DELIVERY_STATUS, and ON_ERROR stages."""
    statuses: list[tuple[str, str, int]] = []
    errors: list[str] = []

    @kit.hook(HookTrigger.ON_DELIVERY_STATUS)
    async def on_status(event: Any, ctx: Any) -> None:
        result = ctx.metadata["delivery_result"]
        statuses.append((result.channel_id, str(result.status), result.attempts))

    @kit.hook(HookTrigger.ON_ERROR)
    async def on_error(event: Any, ctx: Any) -> None:
        errors.append(f"{ctx.metadata['stage']}:{ctx.metadata['message']}")

    return statuses, errors


async def gated_room(kit: RoomKit, policy: RetryPolicy | None = None) -> tuple[Recorder, Gated]:
    """Room ``r1``: ``a`` (sender), ``g`` (gated, retried) and ``c`` (healthy)."""
    a, c, g = Recorder("a"), Recorder("c"), Gated("g")
    for channel in (a, c, g):
        kit.register_channel(channel)
    await kit.create_room(room_id="r1")
    await kit.attach_channel("r1", "a")
    await kit.attach_channel(
        "r1", "g", retry_policy=policy or RetryPolicy(max_retries=3, base_delay_seconds=0)
    )
    await kit.attach_channel("r1", "c")
    return c, g


async def test_room_is_not_blocked_while_a_binding_retries(kit: RoomKit) -> None:
    c, g = await gated_room(kit)
    statuses, _ = watch(kit)
    first = await kit.process_inbound(msg("m1"))
    entry = first.event.delivery_results["g"]
    assert entry.status == DeliveryStatus.PENDING
    assert entry.metadata == {"retrying": True, "next_attempt": 2}
    assert first.event.status == EventStatus.DELIVERED
    stored = await kit.store.get_event(first.event.id)
    assert stored is not None
    assert stored.delivery_results["g"].status == DeliveryStatus.PENDING
    await g.waiting.wait()  # the retry is in flight and held open by the gate
    second = await kit.process_inbound(msg("m2"))  # the room lock is free
    assert c.bodies == ["m1", "m2"]
    assert g.bodies == []
    queued = second.event.delivery_results["g"]
    assert queued.status == DeliveryStatus.PENDING
    assert queued.metadata == {"queued": True, "next_attempt": 1}
    g.gate.set()
    await kit.drain()
    assert g.bodies == ["m1", "m2"]
    assert first.event.delivery_results == {}
    assert second.event.delivery_results == {}
    for event in (first.event, second.event):
        stored = await kit.store.get_event(event.id)
        assert stored is not None
        assert stored.delivery_results == {}
    assert sorted(s for s in statuses if s[0] == "g") == [("g", "sent", 1), ("g", "sent", 2)]
    assert not kit._rt.outbox.boxes
    assert kit._rt.outbox.pending == 0


async def test_per_binding_order_is_kept_across_a_retry(kit: RoomKit) -> None:
    c, g = await gated_room(kit)
    g.gate.set()  # only the first call fails
    for i in range(5):
        await kit.process_inbound(msg(f"m{i}"))
    await kit.drain()
    assert g.bodies == [f"m{i}" for i in range(5)]
    assert c.bodies == [f"m{i}" for i in range(5)]
    # the outbox emptied: the next delivery is made in line again
    await kit.process_inbound(msg("later"))
    assert g.bodies[-1] == "later"


async def test_final_failure_is_recorded_once_with_attempts(room_kit: Any) -> None:
    kit, _, b = room_kit
    await kit.update_binding(
        "r1", "b", retry_policy=RetryPolicy(max_retries=2, base_delay_seconds=0)
    )
    b.fail = ConnectionError("down")
    statuses, errors = watch(kit)
    result = await kit.process_inbound(msg("hello"))
    assert result.event.delivery_results["b"].status == DeliveryStatus.PENDING
    assert statuses == []
    assert errors == []
    await kit.drain()
    failed = result.event.delivery_results["b"]
    assert failed.status == DeliveryStatus.FAILED
    assert failed.attempts == 3
    assert "down" in (failed.error or "")
    assert b.calls == 3
    stored = await kit.store.get_event(result.event.id)
    assert stored is not None
    assert stored.delivery_results["b"].attempts == 3
    assert stored.status == EventStatus.FAILED  # its only target failed
    assert statuses == [("b", "failed", 3)]
    assert len(errors) == 1
    assert errors[0].startswith("delivery:")


async def test_partial_failure_keeps_the_event_delivered(kit: RoomKit) -> None:
    c, g = await gated_room(kit, RetryPolicy(max_retries=1, base_delay_seconds=0))

    async def always_fail(*args: Any) -> None:
        g.calls += 1
        raise ConnectionError("down")

    g.send = always_fail  # type: ignore[method-assign]
    result = await kit.process_inbound(msg("m1"))
    await kit.drain()
    stored = await kit.store.get_event(result.event.id)
    assert stored is not None
    assert stored.delivery_results["g"].status == DeliveryStatus.FAILED
    assert stored.status == EventStatus.DELIVERED  # c received it
    assert c.bodies == ["m1"]


async def test_detach_during_the_backoff_skips_the_retry(room_kit: Any) -> None:
    kit, _, b = room_kit
    await kit.update_binding(
        "r1", "b", retry_policy=RetryPolicy(max_retries=3, base_delay_seconds=0.3)
    )
    b.fail = ConnectionError("down")
    statuses, errors = watch(kit)
    result = await kit.process_inbound(msg("hello"))
    await kit.detach_channel("r1", "b")  # while the worker sleeps the backoff
    await kit.drain()
    assert b.calls == 1
    entry = result.event.delivery_results["b"]
    assert entry.status == DeliveryStatus.SKIPPED
    assert "detached" in (entry.error or "")
    assert entry.attempts == 1
    assert statuses == [("b", "skipped", 1)]
    assert errors == []


async def test_per_binding_bound_fails_at_once() -> None:
    k = RoomKit(max_pending_per_binding=2)
    try:
        c, g = await gated_room(k)
        statuses, errors = watch(k)
        await k.process_inbound(msg("m1"))  # retried: 1 in the outbox
        await g.waiting.wait()
        await k.process_inbound(msg("m2"))  # queued: 2
        third = await k.process_inbound(msg("m3"))  # over the bound
        full = third.event.delivery_results["g"]
        assert full.status == DeliveryStatus.FAILED
        assert "outbox full" in (full.error or "")
        assert c.bodies == ["m1", "m2", "m3"]
        g.gate.set()
        await k.drain()
        assert g.bodies == ["m1", "m2"]
        assert sorted(x for x in statuses if x[0] == "g") == [
            ("g", "failed", 0),
            ("g", "sent", 1),
            ("g", "sent", 2),
        ]
        assert len(errors) == 1
        assert "outbox full" in errors[0]
    finally:
        await k.close()


async def test_total_bound_counts_every_outbox() -> None:
    k = RoomKit(max_pending_deliveries=1)
    try:
        _c, g = await gated_room(k)
        other = Gated("h")
        k.register_channel(other)
        await k.attach_channel("r1", "h", retry_policy=RetryPolicy(max_retries=1))
        result = await k.process_inbound(msg("m1"))
        results = result.event.delivery_results
        statuses = sorted(str(r.status) for r in results.values())
        assert statuses == ["failed", "pending"]  # one retry fits, the other does not
        failed = next(r for r in results.values() if r.status == DeliveryStatus.FAILED)
        assert "outbox full" in (failed.error or "")
        g.gate.set()
        other.gate.set()
        await k.drain()
    finally:
        await k.close()


async def test_bounds_are_validated() -> None:
    with pytest.raises(ConfigurationError):
        RoomKit(max_pending_deliveries=0)
    with pytest.raises(ConfigurationError):
        RoomKit(max_pending_per_binding=0)


async def test_drain_waits_for_the_outboxes(kit: RoomKit) -> None:
    _, g = await gated_room(kit)
    await kit.process_inbound(msg("m1"))
    with pytest.raises(TimeoutError):
        await kit.drain(timeout=0.05)  # the retry is held by the gate
    assert kit._rt.outbox.pending == 1
    g.gate.set()
    await kit.drain()
    assert kit._rt.outbox.pending == 0
    assert g.bodies == ["m1"]


async def test_close_records_undelivered_as_failed() -> None:
    k = RoomKit()
    _, g = await gated_room(k)
    statuses: list[tuple[str, str]] = []

    @k.hook(HookTrigger.ON_DELIVERY_STATUS, execution=HookExecution.SYNC)
    async def on_status(event: Any, ctx: Any) -> Any:
        result = ctx.metadata["delivery_result"]
        statuses.append((result.channel_id, str(result.status)))

    first = await k.process_inbound(msg("m1"))
    await g.waiting.wait()
    second = await k.process_inbound(msg("m2"))
    await k.close(timeout=0.05)
    for event, attempts in ((first.event, 1), (second.event, 0)):
        entry = event.delivery_results["g"]
        assert entry.status == DeliveryStatus.FAILED
        assert entry.error == "kit closed before delivery"
        assert entry.attempts == attempts
    assert statuses.count(("g", "failed")) == 2
    assert g.bodies == []


async def test_open_circuit_fails_the_queued_deliveries(room_kit: Any) -> None:
    kit, _, b = room_kit
    kit.circuit_failure_threshold = 1
    await kit.update_binding(
        "r1", "b", retry_policy=RetryPolicy(max_retries=1, base_delay_seconds=0)
    )
    b.fail = ConnectionError("down")
    first = await kit.process_inbound(msg("m1"))
    second = await kit.process_inbound(msg("m2"))  # queued behind m1's retry
    assert second.event.delivery_results["b"].metadata == {"queued": True, "next_attempt": 1}
    await kit.drain()
    assert b.calls == 2  # m1 twice; then the circuit opened and m2 never reached b
    assert first.event.delivery_results["b"].attempts == 2
    refused = second.event.delivery_results["b"]
    assert refused.status == DeliveryStatus.FAILED
    assert "CircuitOpenError" in (refused.error or "")
    assert refused.attempts == 0
    third = await kit.process_inbound(msg("m3"))  # in line again, refused by the circuit
    assert "CircuitOpenError" in (third.event.delivery_results["b"].error or "")
    assert not kit._rt.outbox.boxes


async def test_open_circuit_during_the_backoff_stops_the_retry(room_kit: Any) -> None:
    kit, _, b = room_kit
    kit.circuit_failure_threshold = 1
    await kit.update_binding(
        "r1", "b", retry_policy=RetryPolicy(max_retries=3, base_delay_seconds=0)
    )
    b.fail = ConnectionError("down")
    breaker = kit._rt.breakers["b"] = CircuitBreaker(1, 60.0, name="b")
    first = await kit.process_inbound(msg("m1"))
    # another binding of the same channel trips the shared breaker meanwhile
    breaker.record_failure()
    await kit.drain()
    entry = first.event.delivery_results["b"]
    assert "CircuitOpenError" in (entry.error or "")
    assert entry.attempts == 1
    assert b.calls == 1


async def test_intelligence_channels_still_retry_in_line(kit: RoomKit) -> None:
    class Flaky(Echo):
        calls = 0

        async def on_event(
            self, event: RoomEvent, binding: ChannelBinding, context: RoomContext
        ) -> ChannelOutput:
            self.calls += 1
            if self.calls == 1:
                raise ConnectionError("model busy")
            return await super().on_event(event, binding, context)

    a, ai = Recorder("a"), Flaky("ai", reply="hi")
    kit.register_channel(a)
    kit.register_channel(ai)
    await kit.create_room(room_id="r1")
    await kit.attach_channel("r1", "a")
    await kit.attach_channel(
        "r1", "ai", retry_policy=RetryPolicy(max_retries=2, base_delay_seconds=0)
    )
    result = await kit.process_inbound(msg("hello"))
    assert ai.calls == 2  # retried before process_inbound returned
    assert [getattr(r.content, "body", "") for r in result.responses] == ["hi"]
    assert a.bodies == ["hi"]
    assert not kit._rt.outbox.boxes


async def test_no_outbox_when_nothing_fails(room_kit: Any) -> None:
    kit, _, b = room_kit
    await kit.update_binding("r1", "b", retry_policy=RetryPolicy(max_retries=3))
    for i in range(3):
        await kit.process_inbound(msg(f"m{i}"))
        assert not kit._rt.outbox.boxes
    assert b.bodies == ["m0", "m1", "m2"]


async def test_a_failed_half_open_probe_reopens_the_circuit(room_kit: Any) -> None:
    kit, _, b = room_kit
    await kit.update_binding(
        "r1", "b", retry_policy=RetryPolicy(max_retries=2, base_delay_seconds=0)
    )
    breaker = kit._rt.breakers["b"] = CircuitBreaker(1, 0.0, name="b")
    breaker.record_failure()  # open; with no recovery time every call is a probe
    b.fail = ConnectionError("down")
    first = await kit.process_inbound(msg("m1"))
    await kit.drain()
    assert b.calls == 3  # each attempt was a probe, each failure re-opened the circuit
    assert first.event.delivery_results["b"].attempts == 3
    b.fail = None
    await kit.process_inbound(msg("m2"))  # the breaker is not stuck half open
    assert b.bodies == ["m2"]
    assert breaker.state == CircuitState.CLOSED


async def test_a_multi_part_event_resumes_at_the_failed_part(room_kit: Any) -> None:
    kit, _, b = room_kit
    await kit.update_binding(
        "r1",
        "b",
        capabilities=ChannelCapabilities(max_length=9),
        retry_policy=RetryPolicy(max_retries=2, base_delay_seconds=0),
    )
    calls = 0

    async def second_call_fails(event: RoomEvent, *args: Any) -> str:
        nonlocal calls
        calls += 1
        if calls == 2:
            raise ConnectionError("part two lost")
        b.sent.append(event)
        return "ok"

    b.send = second_call_fails
    result = await kit.process_inbound(msg("aaaa bbbb cccc"))
    assert result.event.delivery_results["b"].metadata["part"] == 2
    await kit.drain()
    assert b.bodies == ["aaaa bbbb", "cccc"]  # part one was not sent twice
    assert result.event.delivery_results == {}


async def test_retries_go_through_the_rate_limiter(room_kit: Any) -> None:
    kit, _, b = room_kit
    kit.rate_limit_max_wait = 0.01
    await kit.update_binding(
        "r1",
        "b",
        rate_limit=RateLimit(max_per_minute=1),
        retry_policy=RetryPolicy(max_retries=3, base_delay_seconds=0),
    )
    b.fail = ConnectionError("down")
    result = await kit.process_inbound(msg("hello"))  # the first attempt used the only token
    await kit.drain()
    entry = result.event.delivery_results["b"]
    assert "RateLimitedError" in (entry.error or "")
    assert entry.attempts == 1
    assert b.calls == 1


async def test_an_outbox_retry_waits_for_the_vendors_retry_after() -> None:
    import time

    from roomkit.channels import SMSChannel
    from roomkit.models.content import TextContent
    from roomkit.testing import MockSMSProvider

    provider = MockSMSProvider()
    kit = RoomKit()
    kit.register_channel(SMSChannel("sms", provider=provider, from_number="+15550001111"))
    try:
        room = await kit.create_room()
        await kit.attach_channel(
            room.id,
            "sms",
            metadata={"phone_number": "+15550199"},
            retry_policy=RetryPolicy(max_retries=2, base_delay_seconds=0.01),
        )
        provider.fail_with_status(429, retry_after=1)
        started = time.monotonic()
        result = await kit.send_event(room.id, TextContent(body="throttled"))
        await kit.drain(timeout=30)
        assert time.monotonic() - started >= 1.0, "the retry came before Retry-After"
        assert [s["event"].content.body for s in provider.sent] == ["throttled"]
        assert result.event is not None
        stored = await kit.get_event(result.event.id)
        assert stored is not None
        assert stored.status == EventStatus.DELIVERED
    finally:
        await kit.close()
