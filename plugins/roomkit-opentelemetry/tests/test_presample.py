"""Which samplers a new trace is decided for without an SDK span, and the preset trace id."""

from __future__ import annotations

import pytest
from opentelemetry import trace
from opentelemetry.context import Context
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.sampling import (
    ALWAYS_OFF,
    ALWAYS_ON,
    ParentBased,
    ParentBasedTraceIdRatio,
    Sampler,
    TraceIdRatioBased,
)
from roomkit_opentelemetry.presample import PresetTraceIds, root_sampler


class Subclassed(TraceIdRatioBased):
    """A ratio sampler subclass: it may decide otherwise, so the SDK is asked."""


@pytest.mark.parametrize(
    "sampler",
    [
        TraceIdRatioBased(0.25),
        ParentBased(TraceIdRatioBased(0.25)),
        ParentBasedTraceIdRatio(0.25),
        ALWAYS_OFF,
        ParentBased(ALWAYS_OFF),
    ],
)
def test_ratio_and_off_samplers_are_decided_here(sampler: Sampler) -> None:
    tracer = TracerProvider(sampler=sampler).get_tracer("t-decided")
    roots = root_sampler(tracer)
    assert roots is not None
    assert isinstance(tracer.id_generator, PresetTraceIds)  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    "sampler",
    [ALWAYS_ON, ParentBased(ALWAYS_ON), ParentBased(Subclassed(0.5))],
    ids=["always_on", "parent_always_on", "subclassed_ratio"],
)
def test_other_samplers_are_left_to_the_sdk(sampler: Sampler) -> None:
    tracer = TracerProvider(sampler=sampler).get_tracer("t-left")
    assert root_sampler(tracer) is None


def test_no_sdk_tracer_is_left_alone() -> None:
    assert root_sampler(trace.NoOpTracer()) is None


def test_decisions_follow_the_ratio_rule_and_kept_ids_are_used_once() -> None:
    sampler = TraceIdRatioBased(0.5)
    tracer_provider = TracerProvider(sampler=sampler)
    tracer = tracer_provider.get_tracer("t-rule")
    roots = root_sampler(tracer)
    assert roots is not None
    assert root_sampler(tracer) is not None  # a second provider on it: not wrapped twice
    ids = tracer.id_generator  # type: ignore[attr-defined]
    assert isinstance(ids, PresetTraceIds)
    assert not isinstance(ids.wrapped, PresetTraceIds)
    kept = dropped = 0
    for _ in range(200):
        decision = roots.new_trace(Context())
        if decision:
            kept += 1
            trace_id = ids.generate_trace_id()  # the preset one, once
            assert trace_id & TraceIdRatioBased.TRACE_ID_LIMIT < sampler.bound
            ids.preset(None)
        else:
            dropped += 1
    assert kept > 0
    assert dropped > 0
    span = tracer.start_span(
        "parented",
        context=trace.set_span_in_context(
            trace.NonRecordingSpan(trace.SpanContext(1, 2, is_remote=True))
        ),
    )
    assert roots.new_trace(trace.set_span_in_context(span)) is None  # a parent: the SDK decides
    span.end()
    tracer_provider.shutdown()
