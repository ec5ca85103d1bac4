"""OpenTelemetryProvider: RoomKit's telemetry contract on OpenTelemetry tracers and meters.

- Spans are OpenTelemetry spans named as RoomKit names them, with attributes prefixed
  ``roomkit.`` (``roomkit.span_kind``, ``roomkit.room_id``, ``roomkit.hook.name`` ...), as
  RoomKit 0.6.7 exported them. Span ids are the OpenTelemetry span ids in hex.
- A span started without ``parent_id`` is the child of the current OpenTelemetry span: the
  previous RoomKit span of the task, a span of the application or of another instrumentation
  (an HTTP server's request span), or the caller's span named by ``continue_trace(headers)``.
  While a RoomKit span is open it is the current span, so instrumented HTTP clients used inside
  (an AI provider's) nest under it and propagate its trace.
- Failed spans get the ERROR status and, when the exception is known, an ``exception`` event.
- Metrics: counters and latency histograms derived from finished spans (see
  :mod:`roomkit.telemetry.metrics`) plus ``record_metric`` calls, on the meter provider.
"""

from __future__ import annotations

import itertools
import logging
import math
import threading
import time
from collections import OrderedDict
from collections.abc import Mapping
from typing import Any, cast

from opentelemetry import metrics as otel_metrics
from opentelemetry import trace
from opentelemetry.context import Context
from opentelemetry.metrics import MeterProvider
from opentelemetry.trace import (
    INVALID_SPAN,
    SpanContext,
    TracerProvider,
)
from opentelemetry.trace import SpanKind as OtelSpanKind
from opentelemetry.trace.propagation import _SPAN_KEY

from roomkit.errors import ConfigurationError
from roomkit.telemetry.base import (
    COUNTED_ROOT,
    Attributes,
    StepCount,
    TelemetryProvider,
    resolve_kind,
)
from roomkit.telemetry.metrics import SPAN_METRICS
from roomkit.telemetry.spans import SpanKind
from roomkit.telemetry.tracer import message_kinds as _message_kinds
from roomkit_opentelemetry.attributes import (
    _CHANNEL,
    _CLEAN,
    _KIND,
    _NO_ATTRIBUTES,
    _ROOM,
    _SESSION,
    ATTRIBUTE_PREFIX,
    OTEL_SPAN_KINDS,
    _hex_id,
    _key,
    _keys,
    _labels,
    _value,
)
from roomkit_opentelemetry.attributes import OpenSpan as _Open
from roomkit_opentelemetry.context import attach_context, in_context
from roomkit_opentelemetry.context import current_context as _current_context
from roomkit_opentelemetry.counting import COUNTED_KINDS, StepCounter
from roomkit_opentelemetry.dropped import _DROPPED, DroppedRoots
from roomkit_opentelemetry.ending import SpanEnding
from roomkit_opentelemetry.instruments import Instruments
from roomkit_opentelemetry.options import (
    COMPACT_KINDS,
    COMPACT_NAMES,
    DETAILS,
    LATENCY_HISTOGRAMS,
    STEP_METRICS,
    Detail,
    LatencyHistograms,
    StepMetrics,
)
from roomkit_opentelemetry.presample import _getrandbits, root_sampler
from roomkit_opentelemetry.span_metrics import SpanMetricRecorder
from roomkit_opentelemetry.version import __version__

__all__ = [
    "ATTRIBUTE_PREFIX",
    "COMPACT_KINDS",
    "COMPACT_NAMES",
    "DETAILS",
    "LATENCY_HISTOGRAMS",
    "OTEL_SPAN_KINDS",
    "STEP_METRICS",
    "Detail",
    "LatencyHistograms",
    "OpenTelemetryProvider",
    "StepMetrics",
]

logger = logging.getLogger("roomkit.telemetry")

_NONE: frozenset[SpanKind] = frozenset()
_KIND_VALUES = {kind: kind.value for kind in SpanKind}  # not the enum's ``value`` property


class OpenTelemetryProvider(SpanEnding, TelemetryProvider):
    """RoomKit telemetry exported through OpenTelemetry.

    ``tracer_provider`` / ``meter_provider`` default to the global ones (set by the
    application or by OpenTelemetry's auto-configuration); this provider never shuts them down.
    ``service_name`` names the instrumentation scope of the tracer and meter; the service's own
    name belongs to the providers' ``Resource``. ``metadata`` is added to every span.
    ``span_metrics=False`` turns off the metrics derived from spans; ``step_metrics`` says
    what the steps of a message yield (:data:`StepMetrics`; the message's own counter and
    duration histogram are always kept while ``span_metrics`` is on). ``latency_histograms``
    says which messages feed the duration histograms (:data:`LatencyHistograms`): ``"all"``
    (the default) or ``"traced"``, only the messages whose trace is sampled; counters count
    every message either way.

    Sampling is decided once per message, at its root span: when the tracer provider's
    sampler drops the trace (``ParentBased(TraceIdRatioBased(0.1))`` drops 90%), no step of
    the message creates an OpenTelemetry span or builds span attributes; the steps are only
    timed for their metrics (or, with ``step_metrics="none"``, not started at all). When the
    sampler is the SDK's ratio one (``TraceIdRatioBased``, ``ParentBased(TraceIdRatioBased)``)
    and the message starts a new trace, the decision is taken without an SDK span (see
    :mod:`roomkit_opentelemetry.presample`); a message continuing a caller's trace is decided
    by the SDK, from the parent's ``sampled`` flag.
    """

    ends_with_error = True  # end_span(error=exc) records the exception

    def __init__(
        self,
        *,
        tracer_provider: TracerProvider | None = None,
        meter_provider: MeterProvider | None = None,
        service_name: str = "roomkit",
        metadata: Mapping[str, str] | None = None,
        span_metrics: bool = True,
        step_metrics: StepMetrics = "all",
        detail: Detail = "full",
        latency_histograms: LatencyHistograms = "all",
        max_open_spans: int = 10_000,
    ) -> None:
        if not isinstance(service_name, str) or not service_name:
            raise ConfigurationError("OpenTelemetryProvider: service_name must be a non-empty str")
        if not isinstance(max_open_spans, int) or max_open_spans < 1:
            raise ConfigurationError(
                f"OpenTelemetryProvider: max_open_spans must be a positive int: {max_open_spans!r}"
            )
        self._tracer_provider = tracer_provider or trace.get_tracer_provider()
        self._meter_provider = meter_provider or otel_metrics.get_meter_provider()
        self._tracer = self._tracer_provider.get_tracer(service_name, __version__)
        self._no_tracer = isinstance(self._tracer, trace.NoOpTracer)  # metrics only
        self._meter = self._meter_provider.get_meter(service_name, __version__)
        self._metadata = {_key(k): _value(v) for k, v in (metadata or {}).items()}
        self.span_metrics = span_metrics
        if step_metrics not in STEP_METRICS:
            raise ConfigurationError(
                "OpenTelemetryProvider: step_metrics must be one of "
                f"{', '.join(map(repr, STEP_METRICS))}, not {step_metrics!r}"
            )
        self.step_metrics: StepMetrics = step_metrics
        if detail not in DETAILS:
            raise ConfigurationError(
                "OpenTelemetryProvider: detail must be one of "
                f"{', '.join(map(repr, DETAILS))}, not {detail!r}"
            )
        self.detail: Detail = detail
        if latency_histograms not in LATENCY_HISTOGRAMS:
            raise ConfigurationError(
                "OpenTelemetryProvider: latency_histograms must be one of "
                f"{', '.join(map(repr, LATENCY_HISTOGRAMS))}, not {latency_histograms!r}"
            )
        self.latency_histograms: LatencyHistograms = latency_histograms
        self._all_latencies = latency_histograms == "all"
        self._roots = None if self._no_tracer else root_sampler(self._tracer)
        #: untraced steps need no duration: counter-only steps share ids (see ``counting``)
        self._counts_only = not (self._all_latencies and step_metrics == "all")
        histograms = step_metrics == "all" and latency_histograms == "all"
        #: the step kinds an unsampled message still records (for their metrics)
        self._unsampled_kinds = frozenset(
            kind
            for kind, spec in SPAN_METRICS.items()
            if kind is not SpanKind.INBOUND_PIPELINE and (spec.count is not None or histograms)
        )
        self._ids = itertools.count(1)
        self.max_open_spans = max_open_spans
        self._lock = threading.Lock()
        self._open: dict[str, _Open] = {}
        #: oldest first; an OrderedDict: dropping the oldest is O(1) (``del d[next(iter(d))]``
        #: on a dict scans the slots its earlier deletions left)
        self._ended: OrderedDict[str, tuple[SpanContext, Context]] = OrderedDict()
        self._instruments = Instruments(self._meter)
        self._counter = StepCounter(self._instruments, self._ids)
        self._counted_spans = self._counter.steps
        self._count_ids = self._counter.by_raw
        self._count_ends = self._counter.ends
        #: counter-only steps of an untraced message take :meth:`StepCounter.start` at once
        self._fast_counts = self._counts_only and span_metrics and step_metrics != "none"
        #: below a root that is not traced, the engine counts these steps itself (with
        #: :meth:`step_counter`): no span call at all
        self.counted_kinds = COUNTED_KINDS & self._unsampled_kinds if self._fast_counts else _NONE
        self._metrics = SpanMetricRecorder(self._instruments, step_durations=step_metrics == "all")
        #: dropped messages need no timing when only traced ones feed the histograms
        self._light_roots = not self._all_latencies
        #: the root sampler when dropped messages have light roots (``start_root`` in short)
        self._light_root_sampler = self._roots if self._light_roots else None
        #: a dropped message is counted by the engine (``start_root`` returns COUNTED_ROOT)
        self._counted_roots = self._light_roots and span_metrics
        self._dropped_roots = DroppedRoots(self._counter, self._metrics, span_metrics)
        self._dropped = self._dropped_roots.roots
        #: :meth:`recorded_kinds` of a dropped root
        self._below_dropped: frozenset[SpanKind] = (
            self._unsampled_kinds if span_metrics and step_metrics != "none" else frozenset()
        )
        #: ``start_root``'s answer for a dropped message the engine counts, and the bound of
        #: the sampler's random draw under which a new trace is kept (``None``: no such draw)
        self._counted_root = (COUNTED_ROOT, self._below_dropped)
        self._counted_bound: int | None = (
            self._roots.bound
            if self._roots is not None and self._roots.random and self._counted_roots
            else None
        )
        self._closed = False

    @property
    def name(self) -> str:
        return "opentelemetry"

    @property
    def tracer_provider(self) -> TracerProvider:
        """The tracer provider spans are created with."""
        return self._tracer_provider

    @property
    def meter_provider(self) -> MeterProvider:
        """The meter provider metrics are recorded with."""
        return self._meter_provider

    # -- spans -----------------------------------------------------------------------------
    def start_span(
        self,
        kind: SpanKind | str,
        name: str | None = None,
        *,
        parent_id: str | None = None,
        attributes: Attributes | None = None,
        room_id: str | None = None,
        session_id: str | None = None,
        channel_id: str | None = None,
    ) -> str:
        if (
            self._fast_counts
            and parent_id is None
            and kind in COUNTED_KINDS
            and type(kind) is SpanKind
            and (self._no_tracer or _DROPPED.get() or _message_kinds() is not None)
        ):  # an untraced delivery or hook run: counted, nothing else
            try:
                raw = (kind, channel_id, *attributes.items()) if attributes else (kind, channel_id)
                try:
                    span_id = self._count_ids.get(raw)
                except TypeError:  # an unhashable attribute value: the counter decides
                    span_id = None
                if span_id is None:
                    span_id = self._counter.start(kind, attributes, channel_id)
            except Exception:
                logger.exception("telemetry: could not start span %r", kind)
                return ""
            if span_id:
                return span_id
        try:
            if type(kind) is SpanKind:
                span_kind, span_name = kind, name or kind.value
            else:
                span_kind, span_name = resolve_kind(kind, name)
            root = span_kind is SpanKind.INBOUND_PIPELINE
            preset = None
            if root and parent_id is None and self._roots is not None:  # a message: decide
                previous = _current_context()
                preset = self._roots.new_trace(previous)  # None: the SDK decides (a parent)
                if preset is False:
                    return self._dropped_root(attributes, channel_id)
            else:
                if self._no_tracer or (
                    parent_id is None
                    and not root
                    and (_DROPPED.get() or _message_kinds() is not None)
                ):
                    # no tracing SDK, or the message's trace was dropped at its root: metrics only
                    return self._untraced(span_kind, attributes, channel_id)
                if (
                    self.detail == "compact"
                    and parent_id is None
                    and (span_kind in COMPACT_KINDS or span_name in COMPACT_NAMES)  # compact_step
                ):
                    enclosing = cast(trace.Span, _current_context().get(_SPAN_KEY, INVALID_SPAN))
                    if enclosing.is_recording():  # an event of the enclosing span, not a span
                        return self._step_event(span_kind, span_name, enclosing, attributes)
                previous = _current_context()
            return self._start_sdk(
                span_kind,
                span_name,
                previous,
                preset,
                parent_id,
                attributes,
                room_id,
                session_id,
                channel_id,
            )
        except Exception:
            logger.exception("telemetry: could not start span %r", kind)
            return ""

    def start_root(
        self, attributes: Attributes | None, channel_id: str | None
    ) -> tuple[str, frozenset[SpanKind] | None]:
        """The ``roomkit.inbound`` span of a new message (no parent span id) and the kinds
        recorded below it (:meth:`recorded_kinds`) in one call: the engine's fast path for
        the root. A message whose new trace the sampler drops costs a random number and a
        light root (no SDK span)."""
        roots = self._light_root_sampler
        if roots is None:  # the contract's default: two calls
            return super().start_root(attributes, channel_id)
        try:
            previous = _current_context()
            preset: bool | None
            bound = self._counted_bound
            if bound is not None and _SPAN_KEY not in previous:  # the usual, in short
                low = _getrandbits(64)
                if low >= bound:  # dropped: the engine counts it, no state here
                    return self._counted_root
                preset = roots.keep(low)
            elif roots.random and _SPAN_KEY not in previous:  # new_trace, in line
                low = _getrandbits(64)
                if low >= roots.bound:  # dropped (the usual)
                    if self._counted_roots:  # the engine counts it: no state here
                        return COUNTED_ROOT, self._below_dropped
                    preset = False
                else:
                    preset = roots.keep(low)
            else:
                preset = roots.new_trace(previous)  # None: the SDK decides (a parent)
            if preset is False:  # dropped
                if self._counted_roots:  # the engine counts it (step_counter): no state here
                    return COUNTED_ROOT, self._below_dropped
                # _dropped_root with light roots, in line
                span_id = f"m{next(self._ids):x}"
                token = None if _DROPPED.get() else _DROPPED.set(True)
                if len(self._dropped) < self.max_open_spans:  # DroppedRoots.open, in line
                    self._dropped[span_id] = (token, attributes or _NO_ATTRIBUTES, channel_id)
                else:
                    self._dropped_roots.open(
                        span_id, token, attributes, channel_id, self.max_open_spans
                    )
                return span_id, self._below_dropped
            span = self._start_sdk(
                SpanKind.INBOUND_PIPELINE,
                "roomkit.inbound",
                previous,
                preset,
                None,
                attributes,
                None,
                None,
                channel_id,
            )
        except Exception:
            logger.exception("telemetry: could not start span roomkit.inbound")
            return "", None
        return span, (self.recorded_kinds(span) if span else None)

    def _start_sdk(
        self,
        span_kind: SpanKind,
        span_name: str,
        previous: Context,
        preset: bool | None,
        parent_id: str | None,
        attributes: Attributes | None,
        room_id: str | None,
        session_id: str | None,
        channel_id: str | None,
    ) -> str:
        """An SDK span (the sampling of a new root already decided: ``preset``)."""
        root = span_kind is SpanKind.INBOUND_PIPELINE
        parent = previous if parent_id is None else self._parent_context(parent_id, previous)
        otel_attrs: dict[str, Any] = {_KIND: _KIND_VALUES[span_kind]}
        if self._metadata:
            otel_attrs.update(self._metadata)
        if room_id:
            otel_attrs[_ROOM] = room_id
        if session_id:
            otel_attrs[_SESSION] = session_id
        if channel_id:
            otel_attrs[_CHANNEL] = channel_id
        if attributes:
            for key, value in attributes.items():
                if type(value) not in _CLEAN:
                    value = _value(value)
                    if value is None:
                        continue
                otel_attrs[_keys.get(key) or _key(key)] = value
        try:
            span = self._tracer.start_span(
                span_name,
                context=parent,
                kind=OTEL_SPAN_KINDS.get(span_kind, OtelSpanKind.INTERNAL),
                attributes=otel_attrs,
            )
        finally:
            if preset and self._roots is not None:
                self._roots.ids.preset(None)  # used by now; never left for another span
        span_context = span.get_span_context()
        if not span_context.is_valid:  # no tracing SDK: metrics only
            return self._untraced(span_kind, attributes, channel_id)
        span_id = _hex_id(span_context)
        entry = _Open(
            span,
            span_context,
            span_kind,
            time.perf_counter_ns(),
            previous,
            attributes if attributes is not None else _NO_ATTRIBUTES,
            channel_id,
            False,
            sampled=span_context.trace_flags.sampled,
        )
        with self._lock:
            if span_id in self._open:  # a tracer handed back its parent's context
                return self._untraced(span_kind, attributes, channel_id)
            if len(self._open) >= self.max_open_spans:  # forget the oldest, never exported
                oldest = next(iter(self._open))
                self._remember(oldest, self._open.pop(oldest))
            self._open[span_id] = entry
        if root:  # the message's sampling decision holds for all its steps
            dropped = not span_context.trace_flags.sampled
            if dropped is not _DROPPED.get():
                entry.dropped = _DROPPED.set(dropped)
        attach_context(in_context(span, previous))
        return span_id

    def _untraced(
        self, kind: SpanKind, attributes: Attributes | None, channel_id: str | None
    ) -> str:
        """A span that is not traced (its trace was not sampled, or there is no tracing SDK):
        only timed, for its metrics; ``""`` when it yields none."""
        if not self.span_metrics or not self._metrics.derives(kind):
            return ""
        if self.step_metrics == "none" and kind is not SpanKind.INBOUND_PIPELINE:
            return ""
        if self._counts_only and kind in COUNTED_KINDS:
            span_id = self._counter.start(kind, attributes, channel_id)
            if span_id:
                return span_id
        span_id = f"m{next(self._ids):x}"  # never a 16-hex-digit OpenTelemetry id
        entry = _Open(
            None,
            None,
            kind,
            time.perf_counter_ns(),
            None,
            attributes if attributes is not None else _NO_ATTRIBUTES,
            channel_id,
            False,
        )
        return self._keep(span_id, entry)

    def _keep(self, span_id: str, entry: _Open) -> str:
        """Register a span that has no SDK span (untraced, dropped root, event)."""
        if len(self._open) >= self.max_open_spans:
            with self._lock:  # forget the oldest, never exported
                if len(self._open) >= self.max_open_spans:
                    oldest = next(iter(self._open))
                    self._remember(oldest, self._open.pop(oldest))
        self._open[span_id] = entry  # one dict store: atomic without the lock
        return span_id

    def _dropped_root(self, attributes: Attributes | None, channel_id: str | None) -> str:
        """A message whose new trace the sampler drops: no SDK span, no context attached;
        its steps see the decision (and create no span either) until it ends."""
        span_id = f"m{next(self._ids):x}"
        if self._light_roots:
            token = None if _DROPPED.get() else _DROPPED.set(True)
            self._dropped_roots.open(span_id, token, attributes, channel_id, self.max_open_spans)
            return span_id
        entry = _Open(
            None,
            None,
            SpanKind.INBOUND_PIPELINE,
            time.perf_counter_ns(),
            None,
            attributes if attributes is not None else _NO_ATTRIBUTES,
            channel_id,
            False,
        )
        if not _DROPPED.get():
            entry.dropped = _DROPPED.set(True)
        return self._keep(span_id, entry)

    def _step_event(
        self, kind: SpanKind, name: str, enclosing: trace.Span, attributes: Attributes | None
    ) -> str:
        """A cheap step recorded, when it ends, as an event of the ``enclosing`` span."""
        span_id = f"e{next(self._ids):x}"
        entry = _Open(
            None,
            None,
            kind,
            time.perf_counter_ns(),
            None,
            attributes if attributes is not None else _NO_ATTRIBUTES,
            None,
            False,
            event=(enclosing, name, time.time_ns()),
            sampled=True,  # the enclosing span records
        )
        return self._keep(span_id, entry)

    def is_recording(self, span_id: str) -> bool:
        """Whether spans below the open span ``span_id`` record anything: ``False`` when its
        trace is not sampled and metrics come from messages only (``step_metrics="none"``),
        so the engine skips every step of an unsampled message."""
        entry = self._open.get(span_id)
        if entry is None:
            if span_id not in self._dropped:
                return False
        elif entry.span is not None and entry.span.is_recording():
            return True
        return self.span_metrics and self.step_metrics != "none"

    def recorded_kinds(self, span_id: str) -> frozenset[SpanKind] | None:
        """Every kind below a traced root; below a root whose trace is not sampled, only the
        kinds whose metrics are still recorded (deliveries, hooks, AI and tool calls, voice
        turns: their counters; their histograms too with ``latency_histograms="all"`` and
        ``step_metrics="all"``), and none without step metrics."""
        entry = self._open.get(span_id)
        if entry is None:
            if span_id not in self._dropped:
                return _NONE
        elif entry.span is not None and entry.span.is_recording():
            return None
        if not self.span_metrics or self.step_metrics == "none":
            return frozenset()
        return self._unsampled_kinds

    def step_counter(
        self, kind: SpanKind, attributes: Attributes, channel_id: str | None, status: str
    ) -> StepCount | None:
        """The cell (this thread's) of the counters of untraced steps of ``kind`` with these
        labels (see :mod:`roomkit_opentelemetry.counting`)."""
        if kind not in self.counted_kinds and not (
            kind is SpanKind.INBOUND_PIPELINE and self._counted_roots
        ):
            return None
        try:
            return self._counter.step_count(kind, attributes, channel_id, status)
        except Exception:
            logger.exception("telemetry: could not count a %s step", kind)
            return None

    # -- metrics ---------------------------------------------------------------------------
    def record_metric(
        self,
        name: str,
        value: float,
        *,
        unit: str = "",
        attributes: Attributes | None = None,
    ) -> None:
        try:
            self._record(name, value, _labels(attributes) if attributes else None, unit)
        except Exception:
            logger.exception("telemetry: could not record metric %r", name)

    def _record(self, name: str, value: float, labels: dict[str, Any] | None, unit: str) -> None:
        if not isinstance(value, int | float) or not math.isfinite(value) or value < 0:
            logger.debug("telemetry: metric %r: value %r not recorded", name, value)
            return
        self._instruments.record(name, value, labels, unit)

    # -- lifecycle -------------------------------------------------------------------------
    def flush(self) -> None:
        for owner in (self._tracer_provider, self._meter_provider):
            force_flush = getattr(owner, "force_flush", None)
            if not callable(force_flush):
                continue
            try:
                force_flush(timeout_millis=5_000)
            except Exception:
                logger.exception("telemetry: flushing %s failed", type(owner).__name__)

    def close(self) -> None:
        """Flush; the tracer and meter providers stay open (they belong to the application)."""
        if self._closed:
            return
        self._closed = True
        self.flush()

    def reset(self) -> None:
        with self._lock:
            self._open.clear()
            self._dropped.clear()
            self._ended.clear()
