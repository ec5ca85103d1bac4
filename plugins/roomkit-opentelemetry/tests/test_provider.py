"""What OpenTelemetryProvider exports: span kinds, attributes, errors, parents, metrics."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import pytest
from opentelemetry import context as otel_context
from opentelemetry import trace
from opentelemetry.sdk.metrics.export import HistogramDataPoint
from opentelemetry.trace import SpanKind as OtelSpanKind
from opentelemetry.trace import StatusCode
from roomkit_opentelemetry import OpenTelemetryProvider
from roomkit_opentelemetry.testing import InMemoryOpenTelemetry

from roomkit.telemetry import Attr, Metric, SpanKind


def test_attributes_are_prefixed_and_coerced(otel: InMemoryOpenTelemetry) -> None:
    otel.provider.reset()
    provider = OpenTelemetryProvider(tracer_provider=otel.tracer_provider, metadata={"env": "test"})
    span_id = provider.start_span(
        SpanKind.LLM_GENERATE,
        "roomkit.ai.generate",
        attributes={
            Attr.PROVIDER: "openai",
            "roomkit.custom": 1,
            "tags": ["a", "b"],
            "mixed": [1, "a"],
            "nothing": None,
            "obj": {"k": 1},
        },
        room_id="r1",
        session_id="s1",
        channel_id="ai",
    )
    provider.set_attribute(span_id, Attr.LLM_INPUT_TOKENS, 12)
    provider.end_span(span_id, attributes={"done": True})
    (span,) = otel.finished_spans()
    assert span.name == "roomkit.ai.generate"
    assert span.kind is OtelSpanKind.CLIENT
    assert format(span.context.span_id, "016x") == span_id
    assert dict(span.attributes or {}) == {
        "roomkit.env": "test",
        "roomkit.span_kind": "llm.generate",
        "roomkit.room_id": "r1",
        "roomkit.session_id": "s1",
        "roomkit.channel_id": "ai",
        "roomkit.provider": "openai",
        "roomkit.custom": 1,
        "roomkit.tags": ("a", "b"),
        "roomkit.mixed": "[1, 'a']",
        "roomkit.obj": "{'k': 1}",
        "roomkit.llm.input_tokens": 12,
        "roomkit.done": True,
    }
    assert span.status.status_code is StatusCode.UNSET  # instrumentation leaves OK to apps
    assert span.instrumentation_scope is not None
    assert span.instrumentation_scope.name == "roomkit"


@pytest.mark.parametrize(
    ("kind", "otel_kind"),
    [
        (SpanKind.INBOUND_PIPELINE, OtelSpanKind.CONSUMER),
        (SpanKind.DELIVERY, OtelSpanKind.PRODUCER),
        (SpanKind.STT_TRANSCRIBE, OtelSpanKind.CLIENT),
        (SpanKind.HOOK_SYNC, OtelSpanKind.INTERNAL),
        (SpanKind.CUSTOM, OtelSpanKind.INTERNAL),
    ],
)
def test_span_kinds(otel: InMemoryOpenTelemetry, kind: SpanKind, otel_kind: OtelSpanKind) -> None:
    otel.provider.end_span(otel.provider.start_span(kind, "x"))
    (span,) = otel.finished_spans()
    assert span.kind is otel_kind


def test_errors_carry_status_and_exception_events(otel: InMemoryOpenTelemetry) -> None:
    provider = otel.provider

    def fail() -> None:
        raise TimeoutError("provider did not answer")

    span_id = provider.start_span(SpanKind.DELIVERY, "send")
    try:
        fail()
    except TimeoutError as exc:
        provider.end_span(span_id, status="error", error=exc)
    with pytest.raises(KeyError), provider.span(SpanKind.HOOK_SYNC, "hook"):
        raise KeyError("missing")
    provider.end_span(
        provider.start_span(SpanKind.DELIVERY, "plain"), status="error", error_message="refused"
    )
    provider.end_span(provider.start_span(SpanKind.DELIVERY, "skipped"), status="cancelled")
    by_name = {s.name: s for s in otel.finished_spans()}
    send = by_name["send"]
    assert send.status.status_code is StatusCode.ERROR
    assert send.status.description == "provider did not answer"
    (event,) = send.events
    assert event.name == "exception"
    assert event.attributes is not None
    assert event.attributes["exception.type"] == "TimeoutError"
    assert "in fail" in str(event.attributes["exception.stacktrace"])
    assert dict(send.attributes or {})["roomkit.error.type"] == "TimeoutError"
    hook = by_name["hook"]
    assert hook.status.status_code is StatusCode.ERROR
    assert [e.attributes["exception.type"] for e in hook.events if e.attributes] == ["KeyError"]
    plain = by_name["plain"]
    assert (plain.status.status_code, plain.status.description) == (StatusCode.ERROR, "refused")
    assert plain.events == ()
    skipped = by_name["skipped"]
    assert skipped.status.status_code is StatusCode.UNSET
    assert dict(skipped.attributes or {})["roomkit.status"] == "cancelled"


def test_roomkit_spans_nest_with_application_spans(otel: InMemoryOpenTelemetry) -> None:
    provider = otel.provider
    tracer = otel.tracer_provider.get_tracer("app")
    with tracer.start_as_current_span("http.request") as request:
        inbound = provider.start_span(SpanKind.INBOUND_PIPELINE, "roomkit.process_inbound")
        with tracer.start_as_current_span("app.inside"):  # e.g. an instrumented HTTP client
            pass
        provider.end_span(inbound)
    by_name = {s.name: s for s in otel.finished_spans()}
    ours = by_name["roomkit.process_inbound"]
    assert ours.parent is not None
    assert ours.parent.span_id == request.get_span_context().span_id
    inside = by_name["app.inside"]
    assert inside.parent is not None
    assert format(inside.parent.span_id, "016x") == inbound
    assert trace.get_current_span() is trace.INVALID_SPAN  # nothing left current


def test_explicit_parents(otel: InMemoryOpenTelemetry) -> None:
    provider = otel.provider
    root = provider.start_span(SpanKind.INBOUND_PIPELINE, "root")
    provider.end_span(root)
    late = provider.start_span(SpanKind.HOOK_ASYNC, "late", parent_id=root)  # ended parent
    provider.end_span(late)
    remote = provider.start_span(
        SpanKind.INBOUND_PIPELINE,
        "remote",
        parent_id="00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
    )
    provider.end_span(remote)
    orphan = provider.start_span(SpanKind.CUSTOM, "orphan", parent_id="nope")
    provider.end_span(orphan)
    spans = {s.name: s for s in otel.spans()}
    assert spans["late"].parent_id == root
    assert spans["late"].trace_id == spans["root"].trace_id
    assert spans["remote"].parent_id == "00f067aa0ba902b7"
    assert spans["remote"].trace_id == "4bf92f3577b34da6a3ce929d0e0e4736"
    assert spans["orphan"].parent_id is None
    assert spans["orphan"].trace_id not in {spans["root"].trace_id, spans["remote"].trace_id}


async def test_async_children_outlive_their_parent(otel: InMemoryOpenTelemetry) -> None:
    provider = otel.provider
    release = asyncio.Event()

    async def background() -> None:
        await release.wait()
        provider.end_span(provider.start_span(SpanKind.HOOK_ASYNC, "after"))

    root = provider.start_span(SpanKind.INBOUND_PIPELINE, "root")
    task = asyncio.create_task(background())
    provider.end_span(root)
    release.set()
    await task
    spans = {s.name: s for s in otel.spans()}
    assert spans["after"].parent_id == root


def test_out_of_order_ends_restore_a_live_context(otel: InMemoryOpenTelemetry) -> None:
    provider = otel.provider
    first = provider.start_span(SpanKind.CUSTOM, "first")
    second = provider.start_span(SpanKind.CUSTOM, "second")
    provider.end_span(first)
    provider.end_span(second)
    assert trace.get_current_span() is trace.INVALID_SPAN
    provider.end_span(provider.start_span(SpanKind.CUSTOM, "after"))
    assert {s.name: s for s in otel.spans()}["after"].parent_id is None


def test_span_context_and_headers(otel: InMemoryOpenTelemetry) -> None:
    provider = otel.provider
    span_id = provider.start_span(SpanKind.DELIVERY, "send")
    context = provider.get_span_context(span_id)
    assert context is not None
    assert format(trace.get_current_span(context).get_span_context().span_id, "016x") == span_id
    headers: dict[str, str] = {}
    provider.inject_context(headers, span_id)
    assert headers["traceparent"].split("-")[2] == span_id
    provider.end_span(span_id)
    assert provider.get_span_context(span_id) is None
    unknown: dict[str, str] = {}
    provider.inject_context(unknown, span_id)
    assert unknown == {}


def test_open_spans_are_bounded(otel: InMemoryOpenTelemetry) -> None:
    provider = OpenTelemetryProvider(tracer_provider=otel.tracer_provider, max_open_spans=2)
    ids = [provider.start_span(SpanKind.CUSTOM, f"s{i}") for i in range(4)]
    for span_id in ids:
        provider.end_span(span_id)
    assert sorted(otel.span_names()) == ["s2", "s3"]  # the two oldest were forgotten


def test_without_a_tracing_sdk_no_span_is_recorded(caplog: Any) -> None:
    provider = OpenTelemetryProvider(tracer_provider=trace.NoOpTracerProvider(), span_metrics=False)
    with caplog.at_level(logging.WARNING, logger="roomkit.telemetry"):
        root = provider.start_span(SpanKind.INBOUND_PIPELINE, "root")
        child = provider.start_span(SpanKind.HOOK_SYNC, "child", parent_id=root)
        provider.end_span(child)
        provider.end_span(root)
        provider.record_metric(Metric.ERRORS, 1)
        provider.flush()
    assert (root, child) == ("", "")
    assert not caplog.records


def test_metrics_without_tracing(otel: InMemoryOpenTelemetry) -> None:
    provider = OpenTelemetryProvider(
        tracer_provider=trace.NoOpTracerProvider(), meter_provider=otel.meter_provider
    )
    root = provider.start_span(SpanKind.INBOUND_PIPELINE, "root")
    child = provider.start_span(SpanKind.DELIVERY, "child", parent_id=root)
    assert root
    assert child
    assert root != child
    provider.end_span(child, status="error")
    provider.end_span(root)
    assert otel.finished_spans() == []
    assert otel.metric_total(Metric.MESSAGES, status="ok") == 1
    assert otel.metric_total(Metric.DELIVERIES, status="error") == 1


def test_metrics_pick_their_instrument(otel: InMemoryOpenTelemetry) -> None:
    provider = otel.provider
    provider.record_metric(Metric.ERRORS, 1, attributes={"stage": "delivery", "type": "E"})
    provider.record_metric(Metric.ERRORS, 2, attributes={"stage": "delivery", "type": "E"})
    provider.record_metric("app.latency", 12.5, unit="ms")
    provider.record_metric("app.latency", 7.5, unit="ms")
    provider.record_metric("app.count", 3)
    for bad in (-1.0, float("nan"), float("inf")):
        provider.record_metric("app.count", bad)
        provider.record_metric("app.latency", bad, unit="ms")
    assert otel.metric_total(Metric.ERRORS, stage="delivery") == 3
    (latency,) = otel.metric_points("app.latency")
    assert isinstance(latency, HistogramDataPoint)
    assert (latency.count, latency.sum) == (2, 20.0)
    assert otel.metric_total("app.count") == 3


def test_finished_spans_feed_red_metrics(otel: InMemoryOpenTelemetry) -> None:
    provider = otel.provider
    for status in ("ok", "ok", "error"):
        span_id = provider.start_span(SpanKind.DELIVERY, "d", attributes={Attr.ROOM_ID: "r"})
        provider.end_span(span_id, status=status)
    hook = provider.start_span(
        SpanKind.HOOK_SYNC, "h", attributes={Attr.HOOK_NAME: "guard", Attr.HOOK_TRIGGER: "t"}
    )
    provider.end_span(hook, status="error", error=RuntimeError("x"))
    ai = provider.start_span(SpanKind.LLM_GENERATE, "ai", attributes={Attr.PROVIDER: "p"})
    provider.set_attribute(ai, Attr.LLM_OUTPUT_TOKENS, 40)
    provider.end_span(ai)
    assert otel.metric_total(Metric.DELIVERIES, status="ok") == 2
    assert otel.metric_total(Metric.DELIVERIES, status="error") == 1
    assert otel.metric_total(Metric.DELIVERY_DURATION) == 3
    assert all("room_id" not in (p.attributes or {}) for p in otel.metric_points(Metric.DELIVERIES))
    (failure,) = otel.metric_points(Metric.HOOK_FAILURES)
    assert dict(failure.attributes or {}) == {
        "hook.name": "guard",
        "hook.trigger": "t",
        "error.type": "RuntimeError",
        "status": "error",
    }
    assert otel.metric_total(Metric.AI_TOKENS, token__type="output", provider="p") == 40
    assert otel.metric_total(Metric.AI_TURNS) == 1


def test_span_metrics_can_be_turned_off(otel: InMemoryOpenTelemetry) -> None:
    provider = OpenTelemetryProvider(
        tracer_provider=otel.tracer_provider, meter_provider=otel.meter_provider, span_metrics=False
    )
    provider.end_span(provider.start_span(SpanKind.DELIVERY, "d"))
    assert otel.metric_points(Metric.DELIVERIES) == []


def test_close_flushes_and_leaves_the_providers_open(otel: InMemoryOpenTelemetry) -> None:
    otel.provider.close()
    otel.provider.close()
    otel.provider.end_span(otel.provider.start_span(SpanKind.CUSTOM, "after-close"))
    assert otel.span_names() == ["after-close"]


def test_continue_trace_keeps_tracestate_and_restores(otel: InMemoryOpenTelemetry) -> None:
    provider = otel.provider
    headers = {
        "TRACEPARENT": "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
        "Tracestate": "vendor=abc,other=1",
    }
    before = otel_context.get_current()
    with provider.continue_trace(headers):
        span_id = provider.start_span(SpanKind.INBOUND_PIPELINE, "inbound")
        outbound: dict[str, str] = {}
        provider.inject_context(outbound)
        provider.end_span(span_id)
    assert otel_context.get_current() == before
    (span,) = otel.finished_spans()
    assert span.parent is not None
    assert span.parent.is_remote
    assert format(span.context.trace_id, "032x") == "4bf92f3577b34da6a3ce929d0e0e4736"
    assert span.context.trace_state.to_header() == "vendor=abc,other=1"
    assert outbound["traceparent"].startswith("00-4bf92f3577b34da6a3ce929d0e0e4736-")
    assert outbound["tracestate"] == "vendor=abc,other=1"
