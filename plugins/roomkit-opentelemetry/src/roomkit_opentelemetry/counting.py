"""Counter-only steps of messages whose trace is not recorded, counted in process.

When a message's trace is dropped (or there is no tracing SDK) and its steps feed counters only
(``step_metrics="counts"`` or ``latency_histograms="traced"``), a delivery or hook run needs no
span, no timing and no attribute copy: only "one more" on the counters of its label set.
:class:`StepCounter` makes that a few dictionary look-ups and integer additions:

- every step of one kind, channel and metric attributes shares one id (:meth:`start`);
- the step's end (its status and end attributes, e.g. ``hook.result``, ``delivery.status``)
  picks, once per combination and thread, the :class:`~roomkit_opentelemetry.instruments.Cell`
  of each counter it adds to; later ends add 1 to those cells (:meth:`end`). Cells are owned
  by the thread that made them, so additions need no lock and no count is lost; the meter
  reads them when it collects (an ``ObservableCounter``: cumulative, exact).

End attributes that are not metric labels (``delivery.success``, a provider message id) do not
change which cells an end adds to: an end whose attributes are not yet known is looked up again
by its metric labels only, and its attributes are remembered as an alias while there is room
(so a message id, new at every delivery, only costs that second look-up). Combinations are
bounded (``max_ids`` / ``max_ends``); beyond them :meth:`end` returns ``False`` and the caller
records through :class:`~roomkit_opentelemetry.span_metrics.SpanMetricRecorder` (correct, just
slower).

The kernel's tracer goes one step further for the engine's own steps: it counts them itself
and only asks, once per label set and thread, for the cell to add to
(:meth:`StepCounter.step_count`, the provider's ``step_counter``): then a counted step makes
no provider call at all, only ``cell.value += 1``.
"""

from __future__ import annotations

import itertools
import threading
from typing import Any

from roomkit.telemetry.base import Attributes
from roomkit.telemetry.metrics import METRIC_ATTRIBUTES, SPAN_METRICS, derive_metrics
from roomkit.telemetry.spans import SpanKind
from roomkit_opentelemetry.instruments import Cell, Instruments

__all__ = ["COUNTED_KINDS", "StepCounter"]

#: Untraced steps of these kinds that only feed counters share one span id per label set.
COUNTED_KINDS = frozenset({SpanKind.DELIVERY, SpanKind.HOOK_SYNC, SpanKind.HOOK_ASYNC})

_get_ident = threading.get_ident


class StepCounter:
    """Shared ids and per-thread counter cells of counter-only steps (module docstring)."""

    def __init__(
        self,
        instruments: Instruments,
        ids: itertools.count[int],
        *,
        max_ids: int = 4096,
        max_ends: int = 4096,
    ) -> None:
        self._instruments = instruments
        self._ids = ids
        self.max_ids = max_ids
        self.max_ends = max_ends
        self._lock = threading.Lock()
        #: (kind, channel id, *metric attribute items) -> shared id
        self._by_labels: dict[tuple[Any, ...], str] = {}
        #: (kind, channel id, *all attribute items) -> shared id (no filtering on the hot path)
        self.by_raw: dict[tuple[Any, ...], str] = {}
        #: shared id -> (kind, channel id, metric labels)
        self.steps: dict[str, tuple[SpanKind, str | None, dict[str, Any]]] = {}
        #: (thread, shared id, status, *end attribute items) -> the cells that end adds 1 to
        self.ends: dict[tuple[Any, ...], tuple[Cell, ...]] = {}
        #: (thread, kind, channel id, status, *metric labels) -> the cell :meth:`step_count` gave
        self._counts: dict[tuple[Any, ...], Cell] = {}

    def step_count(
        self, kind: SpanKind, attributes: Attributes, channel_id: str | None, status: str
    ) -> Cell | None:
        """The calling thread's cell that steps of ``kind`` ended with ``status`` add 1 to,
        standing in each of their counters (``None``: not counters only, or too many label
        sets; record spans instead)."""
        key: tuple[Any, ...] = (
            _get_ident(),
            kind,
            channel_id,
            status,
            *[i for i in attributes.items() if i[0] in METRIC_ATTRIBUTES],
        )
        try:
            found = self._counts.get(key)
        except TypeError:  # an unhashable label value
            return None
        if found is not None:
            return found
        if len(self._counts) >= self.max_ends:
            return None
        duration = SPAN_METRICS[kind].duration
        measurements = []
        for metric, value, labels in derive_metrics(kind, status, 0.0, attributes, channel_id):
            if metric == duration:
                continue
            if value != 1:
                return None
            measurements.append((metric, labels))
        if not measurements:
            return None
        cell: Cell | None = None
        for metric, labels in measurements:
            cell = self._instruments.cell(metric, labels, cell)
            if cell is None:  # not a counter, or its series is full
                return None  # (a cell already in another counter only reads 0 there)
        assert cell is not None  # measurements is not empty
        self._counts[key] = cell  # one dict store: atomic; the key is this thread's own
        return cell

    def start(self, kind: SpanKind, attributes: Attributes | None, channel_id: str | None) -> str:
        """The shared id of a counter-only step (``""``: use a span entry instead)."""
        raw: tuple[Any, ...] = (
            (kind, channel_id, *attributes.items())
            if attributes
            else (
                kind,
                channel_id,
            )
        )
        try:
            span_id = self.by_raw.get(raw)
        except TypeError:  # an unhashable attribute value
            return ""
        if span_id is not None:
            return span_id
        key: tuple[Any, ...] = (kind, channel_id)
        if attributes:
            key += tuple(i for i in attributes.items() if i[0] in METRIC_ATTRIBUTES)
        with self._lock:
            span_id = self._by_labels.get(key)
            if span_id is None:
                if len(self._by_labels) >= self.max_ids:
                    return ""
                span_id = f"c{next(self._ids):x}"
                self.steps[span_id] = (kind, channel_id, dict(key[2:]))
                self._by_labels[key] = span_id
            if len(self.by_raw) < self.max_ids:
                self.by_raw[raw] = span_id
        return span_id

    def end(self, span_id: str, status: str, attributes: Attributes | None) -> bool:
        """Count the end of the shared step ``span_id``; ``False`` when the caller must record
        it another way (see the module docstring)."""
        key: tuple[Any, ...] = (
            (_get_ident(), span_id, status, *attributes.items())
            if attributes
            else (_get_ident(), span_id, status)
        )
        try:
            cells = self.ends.get(key)
        except TypeError:
            return False
        if cells is None:
            found = self._by_labels_end(key, span_id, status, attributes)
            if found is None:
                return False
            cells = found
        for cell in cells:
            cell.value += 1
        return True

    def _by_labels_end(
        self,
        key: tuple[Any, ...],
        span_id: str,
        status: str,
        attributes: Attributes | None,
    ) -> tuple[Cell, ...] | None:
        """The cells of an end not seen with these attributes (``key``): by its labels."""
        labelled = key
        if attributes and any(k not in METRIC_ATTRIBUTES for k in attributes):
            labelled = key[:3] + tuple(i for i in attributes.items() if i[0] in METRIC_ATTRIBUTES)
            cells = self.ends.get(labelled)
            if cells is not None:
                if len(self.ends) < self.max_ends:
                    self.ends[key] = cells  # an alias
                return cells
        if len(self.ends) >= self.max_ends:
            return None
        found = self._cells(span_id, status, attributes)
        if found is not None:  # one dict store each: atomic; the keys are this thread's own
            self.ends[labelled] = found
            self.ends[key] = found
        return found

    def _cells(
        self, span_id: str, status: str, attributes: Attributes | None
    ) -> tuple[Cell, ...] | None:
        """New cells (of the calling thread) that an end of ``span_id`` adds 1 to."""
        kind, channel_id, labels = self.steps[span_id]
        merged = {**labels, **attributes} if attributes else labels
        duration = SPAN_METRICS[kind].duration
        cells: list[Cell] = []
        for metric, value, metric_labels in derive_metrics(kind, status, 0.0, merged, channel_id):
            if metric == duration:
                continue
            if value != 1:
                return None
            cell = self._instruments.cell(metric, metric_labels)
            if cell is None:  # not a counter, or its series is full
                return None
            cells.append(cell)
        return tuple(cells)
