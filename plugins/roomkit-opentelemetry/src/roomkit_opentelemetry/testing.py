"""In-memory OpenTelemetry for tests and for ``roomkit conformance opentelemetry``.

:class:`InMemoryOpenTelemetry` wires an :class:`OpenTelemetryProvider` to an SDK tracer
provider with an in-memory span exporter and a meter provider with an in-memory metric
reader, and reads back what was exported::

    otel = InMemoryOpenTelemetry.create()
    kit = RoomKit(telemetry=otel.provider)
    await kit.process_inbound(message)
    assert otel.span_names()[-1] == "roomkit.inbound"  # the root ends last
    assert otel.metric_total("roomkit.messages") == 1
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from opentelemetry.sdk.metrics import MeterProvider
from opentelemetry.sdk.metrics.export import (
    HistogramDataPoint,
    InMemoryMetricReader,
    NumberDataPoint,
)
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.sdk.trace.sampling import Decision, Sampler, SamplingResult
from opentelemetry.trace import StatusCode

from roomkit.channels.websocket import WebSocketChannel
from roomkit.core.framework import RoomKit
from roomkit.models.enums import HookExecution, HookTrigger
from roomkit.models.hooks import HookResult
from roomkit.telemetry.spans import Span, SpanKind
from roomkit_conformance.suites.telemetry import TelemetryHarness
from roomkit_opentelemetry.provider import ATTRIBUTE_PREFIX, OpenTelemetryProvider

__all__ = [
    "InMemoryOpenTelemetry",
    "ScriptedSampler",
    "as_span",
    "otel_telemetry",
    "two_party_room",
]

DataPoint = NumberDataPoint | HistogramDataPoint


class ScriptedSampler(Sampler):
    """Samples the traces it is asked about as ``script`` says (``True`` keeps one), in turn,
    cycling; ``asked`` counts the decisions. A sampler the provider does not know, so the SDK
    decides: for tests of per-message sampling."""

    def __init__(self, script: Sequence[bool]) -> None:
        self.script = list(script)
        self.asked = 0

    def should_sample(self, *args: Any, **kwargs: Any) -> SamplingResult:
        keep = self.script[self.asked % len(self.script)]
        self.asked += 1
        return SamplingResult(Decision.RECORD_AND_SAMPLE if keep else Decision.DROP)

    def get_description(self) -> str:
        return "ScriptedSampler"


async def _drop(connection_id: str, event: object) -> None:
    return None


async def two_party_room(
    kit: RoomKit,
    send: Callable[[str, Any], Awaitable[None]] = _drop,
    *,
    hooks: bool = True,
) -> None:
    """Room ``r1`` on ``kit`` with WebSocket channels ``ws-user`` and ``ws-other`` (each with
    one connection whose frames go to ``send``) and, with ``hooks``, a sync ``guard`` hook
    before broadcast and an async ``audit`` hook after: the shape the telemetry tests drive."""
    for channel_id in ("ws-user", "ws-other"):
        kit.register_channel(WebSocketChannel(channel_id))
        await kit.connect_websocket(channel_id, f"{channel_id}-conn", send)
    await kit.create_room(room_id="r1")
    await kit.attach_channel("r1", "ws-user")
    await kit.attach_channel("r1", "ws-other")
    if not hooks:
        return

    @kit.hook(HookTrigger.BEFORE_BROADCAST, name="guard")
    async def guard(event: object, ctx: object) -> HookResult:
        return HookResult.allow()

    @kit.hook(HookTrigger.AFTER_BROADCAST, execution=HookExecution.ASYNC, name="audit")
    async def audit(event: object, ctx: object) -> None:
        return None


def _time(ns: int | None) -> datetime | None:
    return None if ns is None else datetime.fromtimestamp(ns / 1e9, UTC)


def _text(value: Any) -> str | None:
    return None if value is None else str(value)


def as_span(exported: ReadableSpan) -> Span:
    """An exported OpenTelemetry span as RoomKit's :class:`Span` record (attribute names
    without the ``roomkit.`` prefix)."""
    attributes: dict[str, Any] = {
        k.removeprefix(ATTRIBUTE_PREFIX): v for k, v in (exported.attributes or {}).items()
    }
    kind = SpanKind(str(attributes.pop("span_kind", SpanKind.CUSTOM.value)))
    failed = exported.status.status_code is StatusCode.ERROR
    context = exported.get_span_context()
    parent = exported.parent
    return Span(
        id=format(context.span_id, "016x") if context else "",
        kind=kind,
        name=exported.name,
        parent_id=format(parent.span_id, "016x") if parent else None,
        attributes=attributes,
        start_time=_time(exported.start_time) or datetime.now(UTC),
        end_time=_time(exported.end_time),
        status="error" if failed else str(attributes.pop("status", "ok")),
        error_message=exported.status.description if failed else None,
        room_id=_text(attributes.get("room_id")),
        session_id=_text(attributes.get("session_id")),
        channel_id=_text(attributes.get("channel_id")),
        trace_id=format(context.trace_id, "032x") if context else None,
    )


@dataclass
class InMemoryOpenTelemetry:
    """A provider on in-memory SDK exporters, and views of what it exported."""

    provider: OpenTelemetryProvider
    tracer_provider: TracerProvider
    meter_provider: MeterProvider
    exporter: InMemorySpanExporter
    reader: InMemoryMetricReader

    @classmethod
    def create(cls, *, sampler: Sampler | None = None, **options: Any) -> InMemoryOpenTelemetry:
        """Build it; ``sampler`` goes to the ``TracerProvider`` (default: the SDK's, which
        samples everything), ``options`` to :class:`OpenTelemetryProvider`."""
        exporter = InMemorySpanExporter()
        tracer_provider = TracerProvider(sampler=sampler)
        tracer_provider.add_span_processor(SimpleSpanProcessor(exporter))
        reader = InMemoryMetricReader()
        meter_provider = MeterProvider(metric_readers=[reader])
        provider = OpenTelemetryProvider(
            tracer_provider=tracer_provider, meter_provider=meter_provider, **options
        )
        return cls(provider, tracer_provider, meter_provider, exporter, reader)

    def finished_spans(self) -> list[ReadableSpan]:
        """The exported OpenTelemetry spans, in the order they ended."""
        return list(self.exporter.get_finished_spans())

    def spans(self) -> list[Span]:
        """The exported spans as RoomKit :class:`Span` records."""
        return [as_span(s) for s in self.finished_spans()]

    def span_names(self) -> list[str]:
        return [s.name for s in self.finished_spans()]

    def metric_points(self, name: str) -> list[DataPoint]:
        """The data points of metric ``name`` (cumulative since the start)."""
        data = self.reader.get_metrics_data()
        points: list[DataPoint] = []
        for resource in data.resource_metrics if data else ():
            for scope in resource.scope_metrics:
                for metric in scope.metrics:
                    if metric.name == name:
                        points.extend(metric.data.data_points)  # type: ignore[arg-type]
        return points

    def metric_total(self, name: str, **labels: Any) -> float:
        """Sum of a counter, or count of a histogram, over points whose attributes include
        ``labels``."""
        total = 0.0
        for point in self.metric_points(name):
            if not _matches(point.attributes or {}, labels):
                continue
            total += point.count if isinstance(point, HistogramDataPoint) else point.value
        return total

    def shutdown(self) -> None:
        self.tracer_provider.shutdown()
        self.meter_provider.shutdown()


def _matches(attributes: Mapping[str, Any], labels: Mapping[str, Any]) -> bool:
    return all(attributes.get(k.replace("__", ".")) == v for k, v in labels.items())


async def otel_telemetry() -> AsyncIterator[TelemetryHarness]:
    """Conformance factory: the provider on in-memory exporters, with its span view."""
    otel = InMemoryOpenTelemetry.create()
    try:
        yield TelemetryHarness(otel.provider, exported=otel.spans, spans=otel.spans)
    finally:
        otel.shutdown()
