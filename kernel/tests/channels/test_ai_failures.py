"""A failing AI channel is visible: the failure is recorded on the event and the result, it
counts against the channel's circuit breaker (open after 5), and it is reported once."""

from __future__ import annotations

import asyncio
from typing import Any

from roomkit import (
    AIChannel,
    ChannelCategory,
    DeliveryStatus,
    EventStatus,
    EventType,
    HookTrigger,
    InboundMessage,
    RoomContext,
    RoomEvent,
    RoomKit,
    SystemContent,
    TextContent,
    WebSocketChannel,
)
from roomkit.errors import ProviderError, ProviderTimeoutError
from roomkit.testing import MockAIProvider


async def kit_with(provider: MockAIProvider, *, transport: bool = True, **settings: Any) -> RoomKit:
    kit = RoomKit(**settings)
    kit.register_channel(WebSocketChannel("ws"))
    kit.register_channel(AIChannel("ai", provider=provider))
    await kit.create_room(room_id="r")
    await kit.attach_channel("r", "ws")
    await kit.attach_channel("r", "ai", category=ChannelCategory.INTELLIGENCE)
    if transport:
        kit.register_channel(WebSocketChannel("screen"))
        await kit.attach_channel("r", "screen")
    return kit


def said(body: str = "hello") -> InboundMessage:
    return InboundMessage(channel_id="ws", sender_id="u", content=TextContent(body=body))


async def test_a_provider_failure_is_recorded_on_the_event_and_the_result() -> None:
    timeout = ProviderTimeoutError(
        "no answer within 15.0s", provider="openai", setting="read_timeout", timeout=15.0
    )
    kit = await kit_with(MockAIProvider(errors=[timeout, None]))
    errors: list[dict[str, Any]] = []

    @kit.hook(HookTrigger.ON_ERROR)
    async def on_error(event: RoomEvent, ctx: RoomContext) -> None:
        errors.append(dict(ctx.metadata))

    result = await kit.process_inbound(said())
    await kit.drain()
    assert result.responses == []
    [(channel_id, failure)] = result.failures.items()
    assert channel_id == "ai"
    assert failure.status is DeliveryStatus.FAILED
    assert failure.error == "ProviderTimeoutError: no answer within 15.0s"
    # the screen received the message: the event is delivered, with the AI failure listed
    assert result.event is not None
    assert result.event.status is EventStatus.DELIVERED
    stored = await kit.store.get_event(result.event.id)
    assert stored is not None
    assert stored.delivery_results["ai"].error == failure.error
    # reported once, with the provider's own error (not a second "delivery" report)
    assert [e["error_type"] for e in errors] == ["ProviderTimeoutError"]
    second = await kit.process_inbound(said("again"))
    assert second.failures == {}
    assert len(second.responses) == 1


async def test_with_no_other_receiver_the_event_is_failed() -> None:
    kit = await kit_with(MockAIProvider(errors=ProviderError("down")), transport=False)
    result = await kit.process_inbound(said())
    assert result.event is not None
    assert result.event.status is EventStatus.FAILED
    assert result.failures["ai"].error == "ProviderError: down"


async def test_the_breaker_opens_after_five_failures_and_stops_calling_the_provider() -> None:
    provider = MockAIProvider(errors=ProviderError("down"))
    kit = await kit_with(provider)
    assert kit.circuit_failure_threshold == 5
    for n in range(5):
        result = await kit.process_inbound(said(f"m{n}"))
        assert result.failures["ai"].error == "ProviderError: down"
    assert len(provider.calls) == 5
    refused = await kit.process_inbound(said("m5"))
    assert len(provider.calls) == 5  # not called: the circuit is open
    assert refused.failures["ai"].error is not None
    assert "CircuitOpenError" in refused.failures["ai"].error


async def test_a_successful_probe_closes_the_breaker_again() -> None:
    provider = MockAIProvider(["back"], errors=[ProviderError("down")] * 5)
    kit = await kit_with(provider, circuit_recovery_seconds=0.0)
    for n in range(5):
        await kit.process_inbound(said(f"m{n}"))
    probe = await kit.process_inbound(said("probe"))  # recovery time over: one probe goes
    assert probe.failures == {}
    assert [e.content.body for e in probe.responses] == ["back"]  # type: ignore[union-attr]
    assert len((await kit.process_inbound(said("next"))).responses) == 1


async def test_a_turn_over_response_timeout_is_recorded_and_the_room_goes_on() -> None:
    kit = await kit_with(MockAIProvider(["late"], delay=30), response_timeout=0.2)
    result = await asyncio.wait_for(kit.process_inbound(said()), 10)
    assert result.failures["ai"].error == "DeliveryError: channel 'ai' did not finish within 0.2s"
    assert result.event is not None
    assert result.event.status is EventStatus.DELIVERED


async def test_an_open_circuit_refuses_only_turns_that_would_happen() -> None:
    provider = MockAIProvider(errors=ProviderError("down"))
    kit = await kit_with(provider)
    for n in range(5):
        await kit.process_inbound(said(f"m{n}"))
    notice = await kit.send_event(
        "r", SystemContent(body="maintenance at noon"), event_type=EventType.SYSTEM
    )
    assert notice.failures == {}  # the AI channel would not answer a system notice anyway
    refused = await kit.process_inbound(said("anyone?"))
    assert "CircuitOpenError" in (refused.failures["ai"].error or "")
    assert len(provider.calls) == 5


async def test_declined_events_do_not_reset_the_failure_count() -> None:
    provider = MockAIProvider(errors=ProviderError("down"))
    kit = await kit_with(provider)
    for n in range(4):
        await kit.process_inbound(said(f"m{n}"))
        # a system notice in between: the channel declines it, which proves nothing
        await kit.send_event("r", SystemContent(body=f"notice {n}"), event_type=EventType.SYSTEM)
    await kit.process_inbound(said("m4"))  # the fifth failure in a row opens the circuit
    refused = await kit.process_inbound(said("m5"))
    assert "CircuitOpenError" in (refused.failures["ai"].error or "")
    assert len(provider.calls) == 5
