"""Delivery to one binding: failures recorded and reported, retries, breaker, limits."""

from __future__ import annotations

import asyncio
from typing import Any

from roomkit import (
    DeliveryStatus,
    EventStatus,
    HookTrigger,
    InboundMessage,
    ProviderError,
    RateLimit,
    RetryPolicy,
    TextContent,
)


def msg(body: str = "hello", channel: str = "a", **kw: Any) -> InboundMessage:
    return InboundMessage(channel_id=channel, sender_id="u1", content=TextContent(body=body), **kw)


async def test_delivery_failure_is_recorded_and_reported(room_kit: Any) -> None:
    kit, _, b = room_kit
    b.fail = ConnectionError("provider down")
    statuses: list[str] = []
    errors: list[str] = []

    @kit.hook(HookTrigger.ON_DELIVERY_STATUS)
    async def status(event: Any, ctx: Any) -> None:
        statuses.append(ctx.metadata["delivery_result"].status)

    @kit.hook(HookTrigger.ON_ERROR)
    async def on_error(event: Any, ctx: Any) -> None:
        errors.append(f"{ctx.metadata['stage']}:{ctx.metadata['error_type']}")

    result = await kit.process_inbound(msg())
    await kit.drain()
    failure = result.event.delivery_results["b"]
    assert failure.status == DeliveryStatus.FAILED
    assert "provider down" in failure.error
    assert result.event.status == EventStatus.FAILED
    stored = await kit.store.get_event(result.event.id)
    assert stored.delivery_results["b"].error == failure.error
    assert statuses == [DeliveryStatus.FAILED]
    assert errors == ["delivery:DeliveryError"]


async def test_one_failing_channel_does_not_stop_the_others(
    room_kit: Any, recorder_factory: Any
) -> None:
    kit, _, b = room_kit
    c = recorder_factory("c")
    kit.register_channel(c)
    await kit.attach_channel("r1", "c")
    b.fail = RuntimeError("nope")
    result = await kit.process_inbound(msg())
    assert c.bodies == ["hello"]
    assert set(result.event.delivery_results) == {"b"}
    assert result.event.status == EventStatus.DELIVERED  # partial failure


async def test_retry_with_backoff_then_success(room_kit: Any) -> None:
    kit, _, b = room_kit
    await kit.update_binding(
        "r1", "b", retry_policy=RetryPolicy(max_retries=3, base_delay_seconds=0.001)
    )
    b.fail = ConnectionError("flaky")
    b.fail_times = 2
    result = await kit.process_inbound(msg())
    await kit.drain()  # retries run in the binding's outbox, off the room lock
    assert b.calls == 3
    assert b.bodies == ["hello"]
    assert result.event.delivery_results == {}


async def test_retries_exhausted_record_attempts(room_kit: Any) -> None:
    kit, _, b = room_kit
    await kit.update_binding(
        "r1", "b", retry_policy=RetryPolicy(max_retries=2, base_delay_seconds=0)
    )
    b.fail = ConnectionError("down")
    result = await kit.process_inbound(msg())
    await kit.drain()
    assert result.event.delivery_results["b"].attempts == 3
    assert b.calls == 3


async def test_non_retryable_provider_error_is_not_retried(room_kit: Any) -> None:
    kit, _, b = room_kit
    await kit.update_binding(
        "r1", "b", retry_policy=RetryPolicy(max_retries=5, base_delay_seconds=0)
    )
    b.fail = ProviderError("bad number", retryable=False)
    await kit.process_inbound(msg())
    await kit.drain()
    assert b.calls == 1


async def test_circuit_opens_after_repeated_failures(room_kit: Any) -> None:
    kit, _, b = room_kit
    kit.circuit_failure_threshold = 2
    b.fail = ConnectionError("down")
    for _ in range(2):
        await kit.process_inbound(msg())
    result = await kit.process_inbound(msg())
    assert b.calls == 2  # the third delivery never reached the channel
    assert "CircuitOpenError" in result.event.delivery_results["b"].error


async def test_outbound_rate_limit_fails_when_the_wait_is_too_long(room_kit: Any) -> None:
    kit, _, b = room_kit
    await kit.update_binding("r1", "b", rate_limit=RateLimit(max_per_minute=1))
    kit.rate_limit_max_wait = 0.01
    await kit.process_inbound(msg("first"))
    second = await kit.process_inbound(msg("second"))
    assert b.bodies == ["first"]
    assert "RateLimitedError" in second.event.delivery_results["b"].error


async def test_delivery_timeout(room_kit: Any, recorder_factory: Any) -> None:
    kit, _, _ = room_kit
    kit.delivery_timeout = 0.05
    slow = recorder_factory("slow")

    async def hang(*args: Any) -> None:
        await asyncio.sleep(10)

    slow.send = hang
    kit.register_channel(slow)
    await kit.attach_channel("r1", "slow")
    result = await asyncio.wait_for(kit.process_inbound(msg()), 2)
    assert "did not finish" in result.event.delivery_results["slow"].error
