"""``latency_histograms="traced"`` (histograms from sampled messages only, counters for every
message) and a new trace's ratio sampling decided without an SDK span, while a caller's W3C
trace context still decides by its ``sampled`` flag. A real RoomKit with the in-memory store
and the OpenTelemetry SDK's in-memory exporters."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import Any

import pytest
from opentelemetry.sdk.metrics import MeterProvider
from opentelemetry.sdk.metrics.export import InMemoryMetricReader
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.sdk.trace.id_generator import RandomIdGenerator
from opentelemetry.sdk.trace.sampling import (
    ALWAYS_OFF,
    ParentBased,
    Sampler,
    TraceIdRatioBased,
)
from roomkit_opentelemetry import OpenTelemetryProvider
from roomkit_opentelemetry.testing import InMemoryOpenTelemetry, ScriptedSampler, two_party_room

from roomkit import (
    HookResult,
    HookTrigger,
    InboundMessage,
    RoomKit,
    TextContent,
)
from roomkit.errors import ConfigurationError
from roomkit.telemetry import Metric

TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736"


class CountingIds(RandomIdGenerator):
    """Counts the span ids the SDK draws: one per span it starts, sampled or not."""

    def __init__(self) -> None:
        self.span_ids = 0

    def generate_span_id(self) -> int:
        self.span_ids += 1
        return super().generate_span_id()


def _otel(sampler: Sampler | None, ids: CountingIds | None = None, **options: Any) -> Any:
    exporter = InMemorySpanExporter()
    tracer_provider = TracerProvider(sampler=sampler, id_generator=ids)
    tracer_provider.add_span_processor(SimpleSpanProcessor(exporter))
    reader = InMemoryMetricReader()
    meter_provider = MeterProvider(metric_readers=[reader])
    provider = OpenTelemetryProvider(
        tracer_provider=tracer_provider, meter_provider=meter_provider, **options
    )
    return InMemoryOpenTelemetry(provider, tracer_provider, meter_provider, exporter, reader)


@pytest.fixture
def made() -> Iterator[list[InMemoryOpenTelemetry]]:
    setups: list[InMemoryOpenTelemetry] = []
    yield setups
    for setup in setups:
        setup.shutdown()


@pytest.fixture
async def kit_for() -> AsyncIterator[Any]:
    kits: list[RoomKit] = []

    async def make(otel: InMemoryOpenTelemetry) -> RoomKit:
        kit = RoomKit(telemetry=otel.provider)
        kits.append(kit)

        async def send(conn: str, event: object) -> None:
            return None

        await two_party_room(kit, send)

        return kit

    yield make
    for kit in kits:
        await kit.close()


async def _send(kit: RoomKit, messages: int, headers: dict[str, str] | None = None) -> None:
    for i in range(messages):
        message = InboundMessage(
            channel_id="ws-user", sender_id="u1", content=TextContent(body=f"m{i}")
        )
        if headers is None:
            result = await kit.process_inbound(message, room_id="r1")
        else:
            with kit.telemetry.continue_trace(headers):
                result = await kit.process_inbound(message, room_id="r1")
        assert result.event is not None
        assert not result.blocked
    await kit.close()  # background hook tasks done


async def test_dropped_messages_are_counted_without_histogram_points(
    made: list[InMemoryOpenTelemetry], kit_for: Any
) -> None:
    otel = _otel(ParentBased(ALWAYS_OFF), latency_histograms="traced")
    made.append(otel)
    await _send(await kit_for(otel), 3)
    assert otel.finished_spans() == []
    assert otel.metric_total(Metric.MESSAGES, status="ok", channel_id="ws-user") == 3
    assert otel.metric_total(Metric.DELIVERIES, status="ok", channel_id="ws-other") == 3
    assert otel.metric_total(Metric.HOOK_CALLS, **{"hook.name": "guard"}) == 3
    assert otel.metric_total(Metric.HOOK_CALLS, **{"hook.name": "audit"}) == 3
    for histogram in (Metric.INBOUND_DURATION, Metric.DELIVERY_DURATION, Metric.HOOK_DURATION):
        assert otel.metric_points(histogram) == []


async def test_sampled_messages_get_histogram_points(
    made: list[InMemoryOpenTelemetry], kit_for: Any
) -> None:
    otel = _otel(None, latency_histograms="traced")  # the SDK's default: every trace kept
    made.append(otel)
    await _send(await kit_for(otel), 2)
    assert otel.metric_total(Metric.MESSAGES) == 2
    assert otel.metric_total(Metric.INBOUND_DURATION, channel_id="ws-user") == 2
    assert otel.metric_total(Metric.DELIVERY_DURATION, channel_id="ws-other") == 2
    assert otel.metric_total(Metric.HOOK_DURATION) == 4


async def test_only_the_sampled_messages_feed_the_histograms(
    made: list[InMemoryOpenTelemetry], kit_for: Any
) -> None:
    sampler = ScriptedSampler([False, True, False, False])  # a custom sampler: the SDK decides
    otel = _otel(ParentBased(sampler), latency_histograms="traced", step_metrics="counts")
    made.append(otel)
    await _send(await kit_for(otel), 4)
    assert sampler.asked == 4
    assert otel.metric_total(Metric.MESSAGES) == 4  # counters: exact
    assert otel.metric_total(Metric.DELIVERIES, status="ok") == 4
    assert otel.metric_total(Metric.HOOK_CALLS) == 8
    assert otel.metric_total(Metric.INBOUND_DURATION) == 1  # the sampled message only
    assert otel.metric_points(Metric.DELIVERY_DURATION) == []  # step_metrics="counts"


async def test_latency_histograms_all_keeps_every_message(
    made: list[InMemoryOpenTelemetry], kit_for: Any
) -> None:
    otel = _otel(ParentBased(ALWAYS_OFF))  # latency_histograms="all" is the default
    made.append(otel)
    await _send(await kit_for(otel), 2)
    assert otel.metric_total(Metric.INBOUND_DURATION) == 2
    assert otel.metric_total(Metric.DELIVERY_DURATION) == 2


async def test_a_dropped_new_trace_starts_no_sdk_span(
    made: list[InMemoryOpenTelemetry], kit_for: Any
) -> None:
    ids = CountingIds()
    otel = _otel(ParentBased(TraceIdRatioBased(0.0)), ids, step_metrics="counts")
    made.append(otel)
    await _send(await kit_for(otel), 3)
    assert ids.span_ids == 0  # the SDK was not asked for any span, not even a root
    assert otel.metric_total(Metric.MESSAGES) == 3
    assert otel.metric_total(Metric.DELIVERIES) == 3


async def test_ratio_sampling_keeps_whole_traces_with_the_samplers_trace_ids(
    made: list[InMemoryOpenTelemetry], kit_for: Any
) -> None:
    sampler = TraceIdRatioBased(0.5)
    otel = _otel(ParentBased(sampler), latency_histograms="traced")
    made.append(otel)
    await _send(await kit_for(otel), 60)
    spans = otel.finished_spans()
    roots = [s for s in spans if s.name == "roomkit.inbound"]
    assert 0 < len(roots) < 60  # about half (fails with probability 2**-59)
    assert otel.metric_total(Metric.MESSAGES) == 60
    assert otel.metric_total(Metric.INBOUND_DURATION) == len(roots)
    limit = TraceIdRatioBased.TRACE_ID_LIMIT
    for root in roots:
        assert root.context.trace_id & limit < sampler.bound  # the id the sampler decided on
        names = {s.name for s in spans if s.context.trace_id == root.context.trace_id}
        assert {"roomkit.route", "roomkit.broadcast", "roomkit.delivery", "roomkit.hook"} <= names
    assert {s.context.trace_id for s in spans} == {r.context.trace_id for r in roots}


async def test_a_sampled_caller_trace_is_followed_through_the_whole_message(
    made: list[InMemoryOpenTelemetry], kit_for: Any
) -> None:
    otel = _otel(ParentBased(TraceIdRatioBased(0.0)), latency_histograms="traced")
    made.append(otel)
    await _send(await kit_for(otel), 2, {"traceparent": f"00-{TRACE_ID}-00f067aa0ba902b7-01"})
    spans = otel.finished_spans()
    names = [s.name for s in spans]
    assert names.count("roomkit.inbound") == 2
    assert {"roomkit.route", "roomkit.broadcast", "roomkit.delivery", "roomkit.hook"} <= set(names)
    assert {format(s.context.trace_id, "032x") for s in spans} == {TRACE_ID}
    assert otel.metric_total(Metric.INBOUND_DURATION) == 2


async def test_an_unsampled_caller_trace_drops_the_message(
    made: list[InMemoryOpenTelemetry], kit_for: Any
) -> None:
    otel = _otel(ParentBased(TraceIdRatioBased(1.0)), latency_histograms="traced")
    made.append(otel)
    await _send(await kit_for(otel), 2, {"traceparent": f"00-{TRACE_ID}-00f067aa0ba902b7-00"})
    assert otel.finished_spans() == []
    assert otel.metric_total(Metric.MESSAGES) == 2
    assert otel.metric_total(Metric.DELIVERIES) == 2
    assert otel.metric_points(Metric.INBOUND_DURATION) == []


async def test_failed_steps_of_dropped_messages_keep_their_error_labels(
    made: list[InMemoryOpenTelemetry], kit_for: Any
) -> None:
    otel = _otel(ParentBased(ALWAYS_OFF), latency_histograms="traced")
    made.append(otel)
    kit: RoomKit = await kit_for(otel)

    @kit.hook(HookTrigger.BEFORE_BROADCAST, name="broken")
    async def broken(event: object, ctx: object) -> HookResult:
        raise LookupError("no such thing")

    await _send(kit, 2)
    labels = {"hook.name": "broken", "error.type": "LookupError", "status": "error"}
    assert otel.metric_total(Metric.HOOK_FAILURES, **labels) == 2
    assert otel.metric_total(Metric.HOOK_CALLS, **{"hook.name": "guard", "status": "ok"}) == 2
    assert otel.metric_points(Metric.HOOK_DURATION) == []


def test_latency_histograms_is_checked() -> None:
    with pytest.raises(ConfigurationError, match="latency_histograms"):
        OpenTelemetryProvider(latency_histograms="some")  # type: ignore[arg-type]
