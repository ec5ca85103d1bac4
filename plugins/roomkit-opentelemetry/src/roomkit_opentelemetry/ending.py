"""Ending the OpenTelemetry provider's spans: SDK spans, steps that only feed metrics,
the roots of dropped messages, and the attributes and exceptions set on open spans.

:class:`SpanEnding` is the provider's ending half (as :class:`TraceContext` is its
trace-context half); the provider holds the state it reads.
"""

from __future__ import annotations

import logging
import time
from threading import get_ident
from typing import Any

from opentelemetry.trace import Status, StatusCode
from opentelemetry.trace.propagation import _SPAN_KEY

from roomkit.telemetry.base import Attributes, describe_error
from roomkit.telemetry.spans import Attr, SpanKind
from roomkit_opentelemetry.attributes import _CLEAN, _STATUS, _key, _keys, _value, add_event
from roomkit_opentelemetry.attributes import OpenSpan as _Open
from roomkit_opentelemetry.context import (
    TraceContext,
    attach_context,
    current_context,
)
from roomkit_opentelemetry.counting import StepCounter
from roomkit_opentelemetry.dropped import (
    _DROPPED,
    ROOT_END_ATTRIBUTES,
    DroppedRoots,
    _Root,
    _undrop,
)
from roomkit_opentelemetry.instruments import Cell
from roomkit_opentelemetry.options import StepMetrics
from roomkit_opentelemetry.span_metrics import SpanMetricRecorder

__all__ = ["SpanEnding"]

logger = logging.getLogger("roomkit.telemetry")


class SpanEnding(TraceContext):
    """``end_span``, ``set_attribute`` and ``record_exception`` of the provider."""

    span_metrics: bool
    step_metrics: StepMetrics
    _all_latencies: bool
    _metrics: SpanMetricRecorder
    _counter: StepCounter
    _counted_spans: dict[str, tuple[SpanKind, str | None, dict[str, Any]]]
    _count_ends: dict[tuple[Any, ...], tuple[Cell, ...]]
    _dropped_roots: DroppedRoots
    _dropped: dict[str, _Root]

    def end_span(
        self,
        span_id: str,
        *,
        status: str = "ok",
        error_message: str | None = None,
        attributes: Attributes | None = None,
        error: BaseException | None = None,
    ) -> None:
        try:
            if self._dropped:
                dropped = self._dropped.pop(span_id, None)
                if dropped is not None:  # a message whose trace the sampler dropped
                    usual = None
                    if (
                        error is None
                        and attributes is not None
                        and attributes.keys() <= ROOT_END_ATTRIBUTES
                    ):  # the engine's usual end: seen before in this thread, counted in line
                        token, start, channel_id = dropped
                        usual = (
                            get_ident(),
                            channel_id,
                            status,
                            attributes.get(Attr.INBOUND_OUTCOME),
                            *start.items(),
                        )
                        try:
                            cell = self._dropped_roots.usual.get(usual)
                        except TypeError:  # an unhashable attribute value
                            cell, usual = None, None
                        if cell is not None:
                            if token is not None:
                                try:  # noqa: SIM105 (not contextlib.suppress: an object)
                                    _DROPPED.reset(token)  # undo the message's decision
                                except ValueError:  # it ends in another context
                                    pass
                            cell.value += 1
                            return
                    self._dropped_roots.end(dropped, status, attributes, error, usual)
                    return
            counted = self._counted_spans.get(span_id)
            if counted is not None:  # an untraced step that only feeds counters
                if error is None:
                    try:
                        cells = self._count_ends.get(
                            (get_ident(), span_id, status, *attributes.items())
                            if attributes
                            else (get_ident(), span_id, status)
                        )
                    except TypeError:  # an unhashable attribute value
                        cells = None
                    if cells is not None:  # the usual case: seen before in this thread
                        for cell in cells:
                            cell.value += 1
                        return
                    if self._counter.end(span_id, status, attributes):
                        return
                if error is not None:
                    attributes = {**(attributes or {}), Attr.ERROR_TYPE: type(error).__name__}
                kind, channel_id, labels = counted
                self._metrics.record(kind, status, 0.0, labels, channel_id, False, attributes)
                return
            end_ns = time.perf_counter_ns()
            with self._lock:
                entry = self._open.pop(span_id, None)
                if entry is not None and entry.span is not None:
                    self._remember(span_id, entry)
            if entry is None:
                return
            if entry.span is None and entry.event is None and error is None:
                self._end_untraced(entry, status, attributes, end_ns)  # the usual dropped step
                return
            if attributes:
                entry.update(attributes)
            if entry.dropped is not None:
                _undrop(entry.dropped)
            span = entry.span
            if entry.event is not None:
                if error is not None:
                    entry.set(Attr.ERROR_TYPE, type(error).__name__)
                    if error_message is None:
                        error_message = describe_error(error)
                add_event(entry, status, error_message, end_ns - entry.start_ns)
            elif span is not None:
                if attributes:
                    cleaned = {}
                    for key, value in attributes.items():
                        if type(value) not in _CLEAN:
                            value = _value(value)
                            if value is None:
                                continue
                        cleaned[_keys.get(key) or _key(key)] = value
                    if cleaned:
                        span.set_attributes(cleaned)  # one call: the SDK locks once
                if error is not None:
                    self._exception(entry, error)
                    if error_message is None:
                        error_message = describe_error(error)
                if status == "error":
                    span.set_status(Status(StatusCode.ERROR, error_message))
                elif status != "ok":
                    span.set_attribute(_STATUS, status)
                span.end()
                if current_context().get(_SPAN_KEY) is span:  # trace.get_current_span()
                    assert entry.previous is not None
                    attach_context(self._restorable(entry.previous))
            elif error is not None:
                entry.set(Attr.ERROR_TYPE, type(error).__name__)
            if self.span_metrics and (
                self.step_metrics != "none" or entry.kind is SpanKind.INBOUND_PIPELINE
            ):
                duration_ms = (end_ns - entry.start_ns) / 1e6
                self._metrics.record(
                    entry.kind,
                    status,
                    duration_ms,
                    entry.attributes,
                    entry.channel_id,
                    self._all_latencies or entry.sampled,
                )
        except Exception:
            logger.exception("telemetry: could not end span %r", span_id)

    def _end_untraced(
        self, entry: _Open, status: str, attributes: Attributes | None, end_ns: int
    ) -> None:
        """End a span that only feeds metrics (no copy of its attributes is made)."""
        if entry.dropped is not None:
            _undrop(entry.dropped)
        if self.span_metrics and (
            self.step_metrics != "none" or entry.kind is SpanKind.INBOUND_PIPELINE
        ):
            self._metrics.record(
                entry.kind,
                status,
                (end_ns - entry.start_ns) / 1e6,
                entry.attributes,
                entry.channel_id,
                self._all_latencies,  # untraced: sampled never
                attributes,
            )

    @staticmethod
    def _exception(entry: _Open, error: BaseException) -> None:
        entry.set(Attr.ERROR_TYPE, type(error).__name__)
        if entry.span is not None:
            entry.span.record_exception(error)
            entry.span.set_attribute(_key(Attr.ERROR_TYPE), type(error).__name__)

    def set_attribute(self, span_id: str, key: str, value: Any) -> None:
        try:
            with self._lock:
                entry = self._open.get(span_id)
            if entry is None:
                self._dropped_roots.set(span_id, key, value)
                return
            entry.set(key, value)
            value = _value(value)
            if value is not None and entry.span is not None:
                entry.span.set_attribute(_key(key), value)
        except Exception:
            logger.exception("telemetry: could not set attribute %r", key)

    def record_exception(self, span_id: str, error: BaseException) -> None:
        try:
            with self._lock:
                entry = self._open.get(span_id)
            if entry is not None:
                self._exception(entry, error)
            else:
                self._dropped_roots.set(span_id, Attr.ERROR_TYPE, type(error).__name__)
        except Exception:
            logger.exception("telemetry: could not record an exception")
