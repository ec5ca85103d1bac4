"""A binding with nothing to apply but the timeout (no tracer, circuit breaker, rate limit or
retries) is delivered in one coroutine; once a failure made the channel's breaker, the full
resilience path runs. Both paths must give the same outcomes, errors and breaker counts."""

from __future__ import annotations

import asyncio
from typing import Any

from roomkit import (
    ChannelOutput,
    DeliveryStatus,
    EventStatus,
    InboundMessage,
    RetryPolicy,
    RoomEvent,
    TextContent,
)


def msg(body: str = "hello") -> InboundMessage:
    return InboundMessage(channel_id="a", sender_id="u1", content=TextContent(body=body))


async def test_failure_on_the_plain_path_then_the_breaker_path_reads_the_same(
    room_kit: Any,
) -> None:
    kit, _, b = room_kit
    kit.circuit_failure_threshold = 2
    b.fail = ConnectionError("provider down")
    first = await kit.process_inbound(msg("one"))  # no breaker yet: the plain path
    second = await kit.process_inbound(msg("two"))  # the breaker exists: the full path
    third = await kit.process_inbound(msg("three"))  # open after two failures
    one, two = first.event.delivery_results["b"], second.event.delivery_results["b"]
    assert one.status == two.status == DeliveryStatus.FAILED
    assert one.error == two.error == "ConnectionError: provider down"
    assert one.attempts == two.attempts == 1
    assert first.event.status == EventStatus.FAILED
    assert b.calls == 2  # the plain path's failure counted against the breaker
    assert "CircuitOpenError" in third.event.delivery_results["b"].error


async def test_a_policy_without_retries_is_the_plain_path(room_kit: Any) -> None:
    kit, _, b = room_kit
    await kit.update_binding("r1", "b", retry_policy=RetryPolicy(max_retries=0))
    b.fail = ConnectionError("down")
    result = await kit.process_inbound(msg())
    await kit.drain()
    failed = result.event.delivery_results["b"]
    assert failed.status == DeliveryStatus.FAILED  # not PENDING: nothing goes to the outbox
    assert failed.attempts == 1
    assert b.calls == 1


async def test_not_a_channel_output_is_the_same_error_on_both_paths(
    room_kit: Any, recorder_factory: Any
) -> None:
    kit, _, _ = room_kit
    odd = recorder_factory("odd")

    async def deliver(event: RoomEvent, binding: Any, ctx: Any) -> Any:
        return "sent!"

    odd.deliver = deliver
    kit.register_channel(odd)
    await kit.attach_channel("r1", "odd")
    errors = []
    for body in ("one", "two"):  # plain path, then the breaker path
        result = await kit.process_inbound(msg(body))
        errors.append(result.event.delivery_results["odd"].error)
    assert errors[0] == errors[1]
    assert "on_event returned str, not a ChannelOutput" in errors[0]


async def test_an_on_event_set_on_the_instance_is_called(
    room_kit: Any, recorder_factory: Any
) -> None:
    kit, _, _ = room_kit
    spy = recorder_factory("spy")
    seen: list[str] = []

    async def on_event(event: Any, binding: Any, ctx: Any) -> ChannelOutput:
        seen.append(event.content.body)
        return ChannelOutput.empty()

    spy.on_event = on_event
    kit.register_channel(spy)
    await kit.attach_channel("r1", "spy")
    await kit.process_inbound(msg())
    assert seen == ["hello"]
    assert spy.calls == 0  # the channel's own deliver was not used


async def test_a_timeout_reads_the_same_on_both_paths(room_kit: Any, recorder_factory: Any) -> None:
    kit, _, _ = room_kit
    kit.delivery_timeout = 0.05
    slow = recorder_factory("slow")

    async def hang(*args: Any) -> None:
        await asyncio.sleep(10)

    slow.send = hang
    kit.register_channel(slow)
    await kit.attach_channel("r1", "slow")
    errors = []
    for body in ("one", "two"):
        result = await asyncio.wait_for(kit.process_inbound(msg(body)), 2)
        errors.append(result.event.delivery_results["slow"].error)
    assert errors[0] == errors[1]
    assert "did not finish within 0.05s" in errors[0]


async def test_no_delivery_timeout_delivers_without_a_watchdog(room_kit: Any) -> None:
    kit, _, b = room_kit
    kit.delivery_timeout = None
    result = await kit.process_inbound(msg())
    assert result.event.delivery_results == {}
    assert [e.content.body for e in b.sent] == ["hello"]
