"""The engine's spans with MockTelemetryProvider: the TelemetryConfig is applied, errors and
cancellations end spans, outcomes, and a provider that raises never breaks a room."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from roomkit import (
    AIChannel,
    ChannelCategory,
    HookExecution,
    HookResult,
    HookTrigger,
    InboundMessage,
    MockAIProvider,
    RateLimit,
    RoomKit,
    TextContent,
    WebSocketChannel,
)
from roomkit.errors import RateLimitedError
from roomkit.store.memory import InMemoryStore
from roomkit.telemetry import Attr, MockTelemetryProvider, SpanKind, TelemetryConfig
from roomkit.telemetry.tracer import active_tracer


async def _kit(telemetry: Any, **settings: Any) -> RoomKit:
    kit = RoomKit(telemetry=telemetry, **settings)
    for channel_id in ("ws", "other"):
        kit.register_channel(WebSocketChannel(channel_id))
    await kit.create_room("r1")
    await kit.attach_channel("r1", "ws")
    await kit.attach_channel("r1", "other")
    return kit


def _message(body: str = "hi", **fields: Any) -> InboundMessage:
    return InboundMessage(channel_id="ws", sender_id="u", content=TextContent(body=body), **fields)


async def test_no_telemetry_means_no_tracer_at_all() -> None:
    kit = await _kit(None)
    assert kit._rt.tracer is None
    assert kit.hooks.tracer is None
    assert active_tracer() is None


class TracedStore(InMemoryStore):
    traced_calls = True  # as a networked store: a span per call


async def test_a_message_records_its_steps() -> None:
    mock = MockTelemetryProvider()
    kit = await _kit(mock, store=TracedStore())
    result = await kit.process_inbound(_message(idempotency_key="k1"))
    again = await kit.process_inbound(_message(idempotency_key="k1"))
    assert again.duplicate
    assert result.event is not None
    first, second = mock.get_spans(SpanKind.INBOUND_PIPELINE)
    assert first.attributes[Attr.INBOUND_OUTCOME] == "processed"
    assert second.attributes[Attr.INBOUND_OUTCOME] == "duplicate"
    assert second.attributes[Attr.EVENT_ID] == result.event.id
    route = mock.get_spans(name="roomkit.route")[0]
    assert route.attributes[Attr.ROUTE_SOURCE] == "channel"
    operations = [s.attributes[Attr.STORE_OPERATION] for s in mock.get_spans(SpanKind.STORE_QUERY)]
    assert operations == ["get_message_snapshot", "add_event"] * 2
    assert mock.get_active_spans() == []


async def test_in_process_store_calls_get_no_span() -> None:
    mock = MockTelemetryProvider()
    kit = await _kit(mock)  # InMemoryStore: dictionary work, cheaper than a span
    await kit.process_inbound(_message())
    assert mock.get_spans(SpanKind.STORE_QUERY) == []
    assert [s.name for s in mock.spans] == [
        "roomkit.route",
        "roomkit.delivery",
        "roomkit.broadcast",
        "roomkit.inbound",
    ]


async def test_sample_rate_zero_records_nothing_of_a_message() -> None:
    mock = MockTelemetryProvider()
    kit = await _kit(TelemetryConfig(provider=mock, sample_rate=0.0))
    done = asyncio.Event()

    @kit.hook(HookTrigger.AFTER_BROADCAST, execution=HookExecution.ASYNC)
    async def later(event: Any, ctx: Any) -> None:
        done.set()

    await kit.process_inbound(_message())
    await asyncio.wait_for(done.wait(), timeout=30)
    await kit.drain()
    assert mock.spans == []  # not even the async hook, which ran in a task of the message


async def test_enabled_spans_suppressed_triggers_and_metadata() -> None:
    mock = MockTelemetryProvider()
    config = TelemetryConfig(
        provider=mock,
        enabled_spans={SpanKind.INBOUND_PIPELINE, SpanKind.HOOK_SYNC},
        metadata={"deployment": "eu-1"},
        suppressed_hook_triggers={"before_broadcast"},
    )
    kit = await _kit(config)

    @kit.hook(HookTrigger.BEFORE_BROADCAST)
    async def quiet(event: Any, ctx: Any) -> HookResult:
        return HookResult.allow()

    await kit.process_inbound(_message())
    (inbound,) = mock.spans
    assert inbound.kind is SpanKind.INBOUND_PIPELINE
    assert inbound.attributes["deployment"] == "eu-1"


async def test_a_rate_limited_message_ends_its_span_as_rate_limited() -> None:
    mock = MockTelemetryProvider()
    kit = await _kit(mock, inbound_rate_limit=RateLimit(max_per_minute=1))
    await kit.process_inbound(_message("one"))
    with pytest.raises(RateLimitedError):
        await kit.process_inbound(_message("two"))
    last = mock.get_spans(SpanKind.INBOUND_PIPELINE)[-1]
    assert (last.status, last.attributes[Attr.INBOUND_OUTCOME]) == ("error", "rate_limited")
    assert last.attributes[Attr.ERROR_TYPE] == "RateLimitedError"


async def test_a_cancelled_message_leaves_no_span_open() -> None:
    mock = MockTelemetryProvider()
    kit = await _kit(mock)
    entered = asyncio.Event()

    @kit.hook(HookTrigger.BEFORE_BROADCAST)
    async def stuck(event: Any, ctx: Any) -> HookResult:
        entered.set()
        await asyncio.Event().wait()
        return HookResult.allow()

    task = asyncio.create_task(kit.process_inbound(_message()))
    await asyncio.wait_for(entered.wait(), timeout=30)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert mock.get_active_spans() == []
    statuses = {s.name: s.status for s in mock.spans}
    assert statuses["roomkit.hook"] == "error"
    assert statuses["roomkit.inbound"] == "error"


async def test_an_ai_turn_records_generation_and_tokens() -> None:
    mock = MockTelemetryProvider()
    kit = await _kit(mock)
    kit.register_channel(AIChannel("ai", provider=MockAIProvider(responses=["a reply here"])))
    await kit.attach_channel("r1", "ai", category=ChannelCategory.INTELLIGENCE)
    await kit.process_inbound(_message("question"))
    (generation,) = mock.get_spans(SpanKind.LLM_GENERATE)
    (turn,) = [s for s in mock.get_spans(SpanKind.DELIVERY) if s.channel_id == "ai"]
    assert generation.parent_id == turn.id
    assert generation.attributes[Attr.PROVIDER] == "mock"
    assert generation.attributes[Attr.LLM_OUTPUT_TOKENS] == len("a reply here") // 4
    assert active_tracer() is None  # only while the turn runs


class Exploding(MockTelemetryProvider):
    def start_span(self, *args: Any, **kwargs: Any) -> str:
        raise RuntimeError("telemetry backend down")

    def end_span(self, *args: Any, **kwargs: Any) -> None:
        raise RuntimeError("telemetry backend down")


async def test_a_provider_that_raises_never_breaks_the_room(caplog: Any) -> None:
    kit = await _kit(Exploding())

    @kit.hook(HookTrigger.BEFORE_BROADCAST)
    async def fine(event: Any, ctx: Any) -> HookResult:
        return HookResult.allow()

    result = await kit.process_inbound(_message())
    assert result.accepted
    assert "telemetry backend down" in caplog.text
