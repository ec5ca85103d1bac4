"""The metrics RoomKit records: one table of names, instruments and units.

Two sources feed them:

- spans: a provider that exports metrics (the OpenTelemetry one) derives, from each finished
  span of a kind listed in :data:`SPAN_METRICS`, a count (labelled with the span's status) and
  a duration histogram, plus failures and token counts where they apply
  (:func:`derive_metrics`). The engine gets the RED metrics of every step by emitting spans.
- direct calls: ``provider.record_metric(Metric.ERRORS, 1, attributes=...)`` for what is not a
  span.

Metric attributes are low-cardinality only (:data:`METRIC_ATTRIBUTES`): never room, session,
event or user ids, which would create one time series per conversation.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from roomkit.telemetry.spans import Attr, SpanKind

__all__ = [
    "METRICS",
    "METRIC_ATTRIBUTES",
    "SPAN_METRICS",
    "Instrument",
    "Metric",
    "MetricSpec",
    "SpanMetrics",
    "derive_metrics",
    "spec_for",
]


class Instrument(StrEnum):
    """How a metric aggregates."""

    COUNTER = "counter"  # monotonic sum
    HISTOGRAM = "histogram"  # distribution (latencies)


class Metric:
    """Metric names (plain strings)."""

    MESSAGES = "roomkit.messages"
    INBOUND_DURATION = "roomkit.inbound.duration"
    DELIVERIES = "roomkit.deliveries"
    DELIVERY_DURATION = "roomkit.delivery.duration"
    HOOK_CALLS = "roomkit.hook.calls"
    HOOK_FAILURES = "roomkit.hook.failures"
    HOOK_DURATION = "roomkit.hook.duration"
    AI_TURNS = "roomkit.ai.turns"
    AI_DURATION = "roomkit.ai.duration"
    AI_TOKENS = "roomkit.ai.tokens"
    TOOL_CALLS = "roomkit.tool.calls"
    TOOL_DURATION = "roomkit.tool.duration"
    VOICE_TURNS = "roomkit.voice.turns"
    VOICE_TURN_DURATION = "roomkit.voice.turn.duration"
    STT_DURATION = "roomkit.stt.duration"
    TTS_DURATION = "roomkit.tts.duration"
    STORE_DURATION = "roomkit.store.duration"
    ERRORS = "roomkit.errors"


@dataclass(frozen=True, slots=True)
class MetricSpec:
    """One metric: its instrument, unit (UCUM) and description."""

    name: str
    instrument: Instrument
    unit: str
    description: str


def _counter(name: str, unit: str, description: str) -> MetricSpec:
    return MetricSpec(name, Instrument.COUNTER, unit, description)


def _histogram(name: str, description: str) -> MetricSpec:
    return MetricSpec(name, Instrument.HISTOGRAM, "ms", description)


#: Every metric RoomKit records, by name.
METRICS: Mapping[str, MetricSpec] = {
    spec.name: spec
    for spec in (
        _counter(Metric.MESSAGES, "{message}", "Inbound messages processed, by status"),
        _histogram(Metric.INBOUND_DURATION, "Time to process one inbound message"),
        _counter(Metric.DELIVERIES, "{delivery}", "Deliveries to channels, by status"),
        _histogram(Metric.DELIVERY_DURATION, "Time to deliver one event to one channel"),
        _counter(Metric.HOOK_CALLS, "{call}", "Hook runs, by hook, trigger and status"),
        _counter(Metric.HOOK_FAILURES, "{failure}", "Hook runs that raised or timed out"),
        _histogram(Metric.HOOK_DURATION, "Time one hook run took"),
        _counter(Metric.AI_TURNS, "{turn}", "AI generations, by provider, model and status"),
        _histogram(Metric.AI_DURATION, "Time one AI generation took"),
        _counter(Metric.AI_TOKENS, "{token}", "AI tokens, by token.type (input/output)"),
        _counter(Metric.TOOL_CALLS, "{call}", "Tool calls made by AI, by tool and status"),
        _histogram(Metric.TOOL_DURATION, "Time one tool call took"),
        _counter(Metric.VOICE_TURNS, "{turn}", "Voice turns (speech in, reply out)"),
        _histogram(Metric.VOICE_TURN_DURATION, "Time one voice turn took"),
        _histogram(Metric.STT_DURATION, "Time one transcription took"),
        _histogram(Metric.TTS_DURATION, "Time one synthesis took"),
        _histogram(Metric.STORE_DURATION, "Time one store operation took"),
        _counter(Metric.ERRORS, "{error}", "Errors reported to ON_ERROR, by stage and type"),
    )
}

_TIME_UNITS = frozenset({"ms", "s", "us", "ns", "min"})


def spec_for(name: str, unit: str = "") -> MetricSpec:
    """The spec of ``name``; a metric not in :data:`METRICS` is a histogram when ``unit`` is a
    time unit and a counter otherwise."""
    spec = METRICS.get(name)
    if spec is not None:
        return spec
    if unit in _TIME_UNITS:
        return MetricSpec(name, Instrument.HISTOGRAM, unit, f"RoomKit metric {name}")
    return MetricSpec(name, Instrument.COUNTER, unit, f"RoomKit metric {name}")


@dataclass(frozen=True, slots=True)
class SpanMetrics:
    """The metrics derived from the finished spans of one kind."""

    count: str | None
    duration: str
    failures: str | None = None


_HOOKS = SpanMetrics(Metric.HOOK_CALLS, Metric.HOOK_DURATION, Metric.HOOK_FAILURES)
_TOOLS = SpanMetrics(Metric.TOOL_CALLS, Metric.TOOL_DURATION)
_VOICE_TURNS = SpanMetrics(Metric.VOICE_TURNS, Metric.VOICE_TURN_DURATION)

#: Span kinds whose finished spans feed metrics.
SPAN_METRICS: Mapping[SpanKind, SpanMetrics] = {
    SpanKind.INBOUND_PIPELINE: SpanMetrics(Metric.MESSAGES, Metric.INBOUND_DURATION),
    SpanKind.DELIVERY: SpanMetrics(Metric.DELIVERIES, Metric.DELIVERY_DURATION),
    SpanKind.HOOK_SYNC: _HOOKS,
    SpanKind.HOOK_ASYNC: _HOOKS,
    SpanKind.LLM_GENERATE: SpanMetrics(Metric.AI_TURNS, Metric.AI_DURATION),
    SpanKind.LLM_TOOL_CALL: _TOOLS,
    SpanKind.REALTIME_TOOL_CALL: _TOOLS,
    SpanKind.REALTIME_TURN: _VOICE_TURNS,
    SpanKind.PIPELINE_SPEECH_SEGMENT: _VOICE_TURNS,
    SpanKind.STT_TRANSCRIBE: SpanMetrics(None, Metric.STT_DURATION),
    SpanKind.TTS_SYNTHESIZE: SpanMetrics(None, Metric.TTS_DURATION),
    SpanKind.STORE_QUERY: SpanMetrics(None, Metric.STORE_DURATION),
}

#: Span attributes copied onto derived metrics (bounded sets of values only).
METRIC_ATTRIBUTES = frozenset(
    {
        Attr.CHANNEL_ID,
        Attr.CHANNEL_TYPE,
        Attr.DELIVERY_CHANNEL_TYPE,
        Attr.DELIVERY_STATUS,
        Attr.HOOK_NAME,
        Attr.HOOK_TRIGGER,
        Attr.HOOK_RESULT,
        Attr.PROVIDER,
        Attr.MODEL,
        Attr.REALTIME_PROVIDER,
        Attr.REALTIME_TOOL_NAME,
        Attr.TOOL_NAME,
        Attr.STORE_OPERATION,
        Attr.STORE_TABLE,
        Attr.BACKEND_TYPE,
        Attr.ERROR_TYPE,
        Attr.INBOUND_OUTCOME,
    }
)

_TOKENS = ((Attr.LLM_INPUT_TOKENS, "input"), (Attr.LLM_OUTPUT_TOKENS, "output"))
_LABEL_TYPES = frozenset({str, bool, int, float})


def derive_metrics(
    kind: SpanKind,
    status: str,
    duration_ms: float,
    attributes: Mapping[str, Any],
    channel_id: str | None = None,
) -> list[tuple[str, float, dict[str, Any]]]:
    """The ``(metric, value, attributes)`` measurements one finished span yields.

    Label values are str, bool, int or float (anything else is turned into its ``str``).
    """
    spec = SPAN_METRICS.get(kind)
    if spec is None:
        return []
    labels: dict[str, Any] = {
        k: v if type(v) in _LABEL_TYPES else str(v)
        for k, v in attributes.items()
        if k in METRIC_ATTRIBUTES and v is not None
    }
    if channel_id and Attr.CHANNEL_ID not in labels:
        labels[Attr.CHANNEL_ID] = channel_id
    labels["status"] = status
    out: list[tuple[str, float, dict[str, Any]]] = [(spec.duration, duration_ms, labels)]
    if spec.count is not None:
        out.append((spec.count, 1, labels))
    if spec.failures is not None and status == "error":
        out.append((spec.failures, 1, labels))
    if kind is SpanKind.LLM_GENERATE:
        for key, token_type in _TOKENS:
            tokens = attributes.get(key)
            if isinstance(tokens, int | float) and not isinstance(tokens, bool) and tokens > 0:
                out.append((Metric.AI_TOKENS, tokens, {**labels, "token.type": token_type}))
    return out
