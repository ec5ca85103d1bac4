"""Metrics derived from finished spans, with each label set's recording functions cached.

:func:`roomkit.telemetry.metrics.derive_metrics` says which measurements a finished span
yields. Spans of one kind, status and low-cardinality attributes come back constantly (every
message's ``roomkit.inbound`` span on one channel, every delivery to it), so the recording
functions of each such combination are built once (label dicts made, counter keys hashed) and
reused: a finished span then costs one tuple, one dict lookup and one call per metric.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from roomkit.telemetry.metrics import METRIC_ATTRIBUTES, SPAN_METRICS, derive_metrics
from roomkit.telemetry.spans import SpanKind
from roomkit_opentelemetry.instruments import Instruments

__all__ = ["SpanMetricRecorder"]

_Plan = tuple[tuple[Callable[[float], None], bool], ...]  # (record, records the duration)
_UNCACHED = frozenset({SpanKind.LLM_GENERATE})  # token counts vary per span: derive each time


class SpanMetricRecorder:
    """Records the metrics of finished spans on ``instruments``.

    ``step_durations=False`` leaves out the duration histograms of every kind but
    ``roomkit.inbound`` (counters stay): a histogram measurement costs several times a counter's.
    At most ``max_plans`` combinations are cached; further ones are derived each time (still
    correct, just slower), so unbounded attribute values cannot grow memory.
    """

    def __init__(
        self, instruments: Instruments, *, step_durations: bool = True, max_plans: int = 4096
    ) -> None:
        self._instruments = instruments
        self.step_durations = step_durations
        self.max_plans = max_plans
        self._plans: dict[tuple[Any, ...], _Plan] = {}

    @staticmethod
    def derives(kind: SpanKind) -> bool:
        """Whether finished spans of ``kind`` yield metrics."""
        return kind in SPAN_METRICS

    def record(
        self,
        kind: SpanKind,
        status: str,
        duration_ms: float,
        attributes: Mapping[str, Any],
        channel_id: str | None,
        histograms: bool = True,
        more: Mapping[str, Any] | None = None,
    ) -> None:
        """Record what one finished span yields (nothing for kinds without metrics);
        ``histograms=False`` leaves out its duration (counters only). ``more`` are attributes
        set when the span ended, over ``attributes`` (so the caller need not merge them)."""
        if kind not in SPAN_METRICS:
            return
        if kind in _UNCACHED:
            merged = {**attributes, **more} if more else attributes
            self._derive(kind, status, duration_ms, merged, channel_id, histograms)
            return
        key = (
            kind,
            status,
            channel_id,
            *[i for i in attributes.items() if i[0] in METRIC_ATTRIBUTES],
        )
        if more:  # the end attributes after a marker: the same spans give the same key
            key += (None, *[i for i in more.items() if i[0] in METRIC_ATTRIBUTES])
        try:
            plan = self._plans.get(key)
        except TypeError:  # an unhashable attribute value
            merged = {**attributes, **more} if more else attributes
            self._derive(kind, status, duration_ms, merged, channel_id, histograms)
            return
        if plan is None:
            merged = {**attributes, **more} if more else attributes
            plan = self._plan(kind, status, duration_ms, merged, channel_id)
            if len(self._plans) < self.max_plans:
                self._plans[key] = plan
        for record, is_duration in plan:
            if not is_duration:
                record(1)
            elif histograms:
                record(duration_ms)

    def _plan(
        self,
        kind: SpanKind,
        status: str,
        duration_ms: float,
        attributes: Mapping[str, Any],
        channel_id: str | None,
    ) -> _Plan:
        bind = self._instruments.bind
        duration = SPAN_METRICS[kind].duration
        skip = None if self._keeps_duration(kind) else duration
        return tuple(
            (bind(metric, labels), metric == duration)
            for metric, _, labels in derive_metrics(
                kind, status, duration_ms, attributes, channel_id
            )
            if metric != skip
        )

    def _keeps_duration(self, kind: SpanKind) -> bool:
        return self.step_durations or kind is SpanKind.INBOUND_PIPELINE

    def _derive(
        self,
        kind: SpanKind,
        status: str,
        duration_ms: float,
        attributes: Mapping[str, Any],
        channel_id: str | None,
        histograms: bool,
    ) -> None:
        record = self._instruments.record  # derived values are finite, >= 0, clean
        keep = histograms and self._keeps_duration(kind)
        skip = None if keep else SPAN_METRICS[kind].duration
        for metric, value, labels in derive_metrics(
            kind, status, duration_ms, attributes, channel_id
        ):
            if metric != skip:
                record(metric, value, labels)
