"""The options that set how much the OpenTelemetry provider records (and so what it costs)."""

from __future__ import annotations

from typing import Literal

from roomkit.telemetry.spans import SpanKind

__all__ = [
    "COMPACT_KINDS",
    "COMPACT_NAMES",
    "DETAILS",
    "LATENCY_HISTOGRAMS",
    "STEP_METRICS",
    "Detail",
    "LatencyHistograms",
    "StepMetrics",
    "compact_step",
]

#: What metrics the steps of a message (everything but its ``roomkit.inbound`` span) yield:
#: ``"all"`` counters and duration histograms, ``"counts"`` counters only, ``"none"`` nothing
#: (then the steps of a message whose trace is not sampled are not even started).
StepMetrics = Literal["all", "counts", "none"]
STEP_METRICS: tuple[StepMetrics, ...] = ("all", "counts", "none")
#: Which messages' latencies the duration histograms receive: ``"all"`` every message's (and
#: its steps'), ``"traced"`` only those of messages whose trace the sampler keeps. Counters
#: count every message either way. With a ratio sampler the traced messages are a uniform
#: random sample, so the histograms' percentiles stay unbiased estimates, from fewer points.
LatencyHistograms = Literal["all", "traced"]
LATENCY_HISTOGRAMS: tuple[LatencyHistograms, ...] = ("all", "traced")
#: ``"full"``: a span per step. ``"compact"``: the cheap steps (route, identity, broadcast,
#: store calls: :data:`COMPACT_KINDS`, :data:`COMPACT_NAMES`) are events of the span they run
#: in, with their attributes and ``roomkit.duration_ms``; deliveries, hooks, AI turns, tool
#: calls and voice turns stay spans.
Detail = Literal["full", "compact"]
DETAILS: tuple[Detail, ...] = ("full", "compact")

#: Steps that ``detail="compact"`` records as events of the enclosing span, by kind or name.
COMPACT_KINDS = frozenset({SpanKind.BROADCAST, SpanKind.STORE_QUERY})
COMPACT_NAMES = frozenset({"roomkit.route", "roomkit.identity"})


def compact_step(kind: SpanKind, name: str) -> bool:
    """Whether ``detail="compact"`` records a step of this kind and name as an event."""
    return kind in COMPACT_KINDS or name in COMPACT_NAMES
