"""Counters of the recommended production configuration are exact: every message, delivery
(by status) and hook run is counted in process and read by the ``ObservableCounter`` when the
metric reader collects, cumulatively, per provider. A real RoomKit with the in-memory store and
the OpenTelemetry SDK's in-memory reader."""

from __future__ import annotations

import itertools
import threading
from collections.abc import AsyncIterator, Iterator
from typing import Any

import pytest
from opentelemetry.sdk.metrics import MeterProvider
from opentelemetry.sdk.metrics.export import InMemoryMetricReader, NumberDataPoint
from opentelemetry.sdk.trace.sampling import ALWAYS_OFF, ParentBased, TraceIdRatioBased
from roomkit_opentelemetry.counting import StepCounter
from roomkit_opentelemetry.instruments import Instruments
from roomkit_opentelemetry.testing import InMemoryOpenTelemetry, two_party_room

from roomkit import (
    InboundMessage,
    RoomKit,
    TextContent,
)
from roomkit.telemetry import Attr, Metric, SpanKind

RECOMMENDED: dict[str, Any] = {
    "sampler": ParentBased(TraceIdRatioBased(0.01)),
    "detail": "compact",
    "step_metrics": "counts",
    "latency_histograms": "traced",
}


@pytest.fixture
def made() -> Iterator[list[InMemoryOpenTelemetry]]:
    setups: list[InMemoryOpenTelemetry] = []
    yield setups
    for setup in setups:
        setup.shutdown()


class Room:
    """A kit whose ``ws-other`` channel fails every ``fail_every``-th send."""

    def __init__(self, kit: RoomKit, fail_every: int) -> None:
        self.kit = kit
        self.fail_every = fail_every
        self.sends = 0
        self.failed = 0

    async def send(self, conn: str, event: object) -> None:
        if conn.startswith("ws-other"):
            self.sends += 1
            if self.sends % self.fail_every == 0:
                self.failed += 1
                raise ConnectionError("socket closed")

    async def messages(self, n: int) -> None:
        for i in range(n):
            message = InboundMessage(
                channel_id="ws-user", sender_id="u1", content=TextContent(body=f"m{i}")
            )
            result = await self.kit.process_inbound(message, room_id="r1")
            assert result.event is not None


@pytest.fixture
async def room_for() -> AsyncIterator[Any]:
    kits: list[RoomKit] = []

    async def make(otel: InMemoryOpenTelemetry, fail_every: int = 1_000_000) -> Room:
        kit = RoomKit(telemetry=otel.provider)
        kits.append(kit)
        room = Room(kit, fail_every)
        await two_party_room(kit, room.send)

        return room

    yield make
    for kit in kits:
        await kit.close()


async def test_counts_are_exact_at_a_ratio_of_one_percent(
    made: list[InMemoryOpenTelemetry], room_for: Any
) -> None:
    otel = InMemoryOpenTelemetry.create(**RECOMMENDED)
    made.append(otel)
    room = await room_for(otel, fail_every=7)
    n = 300
    await room.messages(n)
    await room.kit.close()  # the async hooks are done
    assert room.failed == n // 7
    assert len(otel.finished_spans()) < n // 4  # most messages were dropped by the sampler
    assert otel.metric_total(Metric.MESSAGES, channel_id="ws-user") == n
    assert otel.metric_total(Metric.DELIVERIES, channel_id="ws-other") == n
    failed = otel.metric_total(Metric.DELIVERIES, channel_id="ws-other", status="error")
    assert failed == room.failed
    assert otel.metric_total(Metric.DELIVERIES, channel_id="ws-other", status="ok") == n - failed
    assert otel.metric_total(Metric.HOOK_CALLS, **{Attr.HOOK_NAME: "guard"}) == n
    assert otel.metric_total(Metric.HOOK_CALLS, **{Attr.HOOK_NAME: "audit"}) == n
    assert otel.metric_total(Metric.HOOK_CALLS, **{Attr.HOOK_RESULT: "allow"}) == n
    assert otel.metric_points(Metric.HOOK_FAILURES) == []


async def test_each_collection_reads_the_cumulative_totals(
    made: list[InMemoryOpenTelemetry], room_for: Any
) -> None:
    otel = InMemoryOpenTelemetry.create(**RECOMMENDED)
    made.append(otel)
    room = await room_for(otel)
    await room.messages(40)
    assert otel.metric_total(Metric.MESSAGES) == 40
    assert otel.metric_total(Metric.DELIVERIES, channel_id="ws-other") == 40
    assert otel.metric_total(Metric.MESSAGES) == 40  # reading again adds nothing
    await room.messages(25)
    assert otel.metric_total(Metric.MESSAGES) == 65
    assert otel.metric_total(Metric.DELIVERIES, channel_id="ws-other") == 65
    assert otel.metric_total(Metric.HOOK_CALLS, **{Attr.HOOK_NAME: "guard"}) == 65


async def test_two_providers_keep_their_own_totals(
    made: list[InMemoryOpenTelemetry], room_for: Any
) -> None:
    first = InMemoryOpenTelemetry.create(**RECOMMENDED)
    second = InMemoryOpenTelemetry.create(**RECOMMENDED)
    made += [first, second]
    one = await room_for(first)
    two = await room_for(second)
    await one.messages(12)
    await two.messages(5)
    await one.kit.close()
    await two.kit.close()
    assert first.metric_total(Metric.MESSAGES) == 12
    assert second.metric_total(Metric.MESSAGES) == 5
    assert first.metric_total(Metric.DELIVERIES, channel_id="ws-other") == 12
    assert second.metric_total(Metric.DELIVERIES, channel_id="ws-other") == 5
    assert first.metric_total(Metric.HOOK_CALLS) == 24
    assert second.metric_total(Metric.HOOK_CALLS) == 10


def _points(reader: InMemoryMetricReader, name: str) -> list[tuple[dict[str, Any], float]]:
    """The (labels, value) of each point of the counter ``name`` in one collection."""
    data = reader.get_metrics_data()
    assert data is not None
    return [
        (dict(point.attributes or {}), point.value)
        for resource in data.resource_metrics
        for scope in resource.scope_metrics
        for metric in scope.metrics
        if metric.name == name
        for point in metric.data.data_points
        if isinstance(point, NumberDataPoint)
    ]


def test_threads_counting_the_same_step_lose_nothing() -> None:
    reader = InMemoryMetricReader()
    meter = MeterProvider(metric_readers=[reader]).get_meter("test")
    counter = StepCounter(Instruments(meter), itertools.count(1))
    attributes = {Attr.HOOK_NAME: "guard", Attr.HOOK_TRIGGER: "before_broadcast"}
    span_id = counter.start(SpanKind.HOOK_SYNC, attributes, None)
    assert span_id == counter.start(SpanKind.HOOK_SYNC, dict(attributes), None)  # shared

    def work() -> None:
        for _ in range(5_000):
            assert counter.end(span_id, "ok", {Attr.HOOK_RESULT: "allow"})

    threads = [threading.Thread(target=work) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    points = _points(reader, Metric.HOOK_CALLS)
    assert [(labels.get("hook.result"), value) for labels, value in points] == [("allow", 20_000)]


def test_end_attributes_that_are_not_labels_share_the_cells_of_their_labels() -> None:
    reader = InMemoryMetricReader()
    meter = MeterProvider(metric_readers=[reader]).get_meter("test")
    counter = StepCounter(Instruments(meter), itertools.count(1), max_ends=8)
    span_id = counter.start(SpanKind.DELIVERY, {Attr.CHANNEL_ID: "sms"}, "sms")
    for i in range(20):  # a message id per delivery: more combinations than max_ends
        sent = {Attr.DELIVERY_STATUS: "sent", Attr.DELIVERY_MESSAGE_ID: f"m-{i}"}
        assert counter.end(span_id, "ok", sent)
    assert counter.end(span_id, "ok", {Attr.DELIVERY_STATUS: "sent"})
    points = _points(reader, Metric.DELIVERIES)
    labels = {"channel_id": "sms", "delivery.status": "sent", "status": "ok"}
    assert points == [(labels, 21)]


def test_a_dropped_step_with_unhashable_attributes_is_still_counted(
    made: list[InMemoryOpenTelemetry],
) -> None:
    otel = InMemoryOpenTelemetry.create(**{**RECOMMENDED, "sampler": ParentBased(ALWAYS_OFF)})
    made.append(otel)
    provider = otel.provider
    root = provider.start_span(SpanKind.INBOUND_PIPELINE, channel_id="ws-user")
    for _ in range(3):
        step = provider.start_span(
            SpanKind.HOOK_SYNC, attributes={Attr.HOOK_NAME: "guard", "tags": ["a", "b"]}
        )
        assert step
        provider.end_span(step, attributes={Attr.HOOK_RESULT: "allow", "seen": ["x"]})
    provider.end_span(root)
    assert otel.finished_spans() == []
    assert otel.metric_total(Metric.HOOK_CALLS, **{Attr.HOOK_RESULT: "allow"}) == 3
    assert otel.metric_total(Metric.MESSAGES) == 1
