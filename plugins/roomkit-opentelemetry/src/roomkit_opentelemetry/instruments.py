"""Metric instruments on an OpenTelemetry meter, cheap on the message path.

Histograms are the meter's synchronous histograms. Counters are kept in process and reported
through an asynchronous ``ObservableCounter`` when the meter collects: a cumulative sum is what
a counter reports anyway, and adding to a Python number is many times cheaper than the SDK's
synchronous counter on every span. Two ways to add:

- :meth:`CounterSeries.add_key`: one float per label set, added under the series' lock;
- :meth:`CounterSeries.cell`: a :class:`Cell` of one label set *owned by one thread* (the
  caller keeps one per thread, e.g. keyed by ``threading.get_ident()``): the owner adds to
  ``cell.value`` with no lock, since no other thread writes it. The collection thread only
  reads cells (reading an attribute that holds an int or a float is atomic under the GIL) and
  reports, per label set, the locked sum plus every cell: cumulative and monotonic, exact.
  Totals belong to one :class:`Instruments` (one provider): two providers never share them.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterable
from typing import Any

from opentelemetry.context import Context
from opentelemetry.metrics import CallbackOptions, Histogram, Meter, Observation

from roomkit.telemetry.base import StepCount
from roomkit.telemetry.metrics import Instrument, spec_for

__all__ = ["Cell", "CounterSeries", "Instruments"]

logger = logging.getLogger("roomkit.telemetry")

Labels = dict[str, Any]
Record = Callable[[float, Labels | None], None]
_NO_LABELS: frozenset[tuple[str, Any]] = frozenset()
_NO_CONTEXT = Context()


class Cell(StepCount):
    """A running total of one label set written by one thread only (see the module docstring).

    One cell may stand in several counters (a failed hook run adds to ``roomkit.hook.calls``
    and ``roomkit.hook.failures``): each reports it for its own label set."""

    __slots__ = ()


class CounterSeries:
    """One counter: a running sum per label set, observed at collection time.

    At most ``max_series`` label sets are kept; measurements for further ones are dropped
    (logged once), so unbounded labels cannot grow memory.
    """

    def __init__(self, meter: Meter, name: str, unit: str, description: str, max_series: int):
        self.name = name
        self.max_series = max_series
        self._lock = threading.Lock()
        self._sums: dict[frozenset[tuple[str, Any]], float] = {}
        self._cells: dict[frozenset[tuple[str, Any]], list[Cell]] = {}
        self._warned = False
        meter.create_observable_counter(
            name, callbacks=[self._observe], unit=unit, description=description
        )

    def add(self, value: float, labels: Labels | None) -> None:
        self.add_key(value, frozenset(labels.items()) if labels else _NO_LABELS)

    def bind(self, labels: Labels | None) -> Callable[[float], None]:
        """A recording function for one label set (its key computed once, here)."""
        key = frozenset(labels.items()) if labels else _NO_LABELS
        add_key = self.add_key
        return lambda value: add_key(value, key)

    def add_key(self, value: float, key: frozenset[tuple[str, Any]]) -> None:
        """Add ``value`` to the series of the label set ``key``."""
        with self._lock:
            total = self._sums.get(key)
            if total is not None:
                self._sums[key] = total + value
                return
            if len(self._sums) < self.max_series:
                self._sums[key] = value
                return
        if not self._warned:
            self._warned = True
            logger.warning(
                "telemetry: counter %s has %d label sets; new ones are dropped",
                self.name,
                self.max_series,
            )

    def cell(self, labels: Labels | None, cell: Cell | None = None) -> Cell | None:
        """A new :class:`Cell` (or ``cell``) of the label set ``labels`` for the calling thread
        to add to (``None`` when the series already has ``max_series`` label sets: use
        :meth:`add`)."""
        key = frozenset(labels.items()) if labels else _NO_LABELS
        with self._lock:
            if key not in self._sums:
                if len(self._sums) >= self.max_series:
                    return None
                self._sums[key] = 0
            cell = cell or Cell()
            self._cells.setdefault(key, []).append(cell)
        return cell

    def _observe(self, options: CallbackOptions) -> Iterable[Observation]:
        with self._lock:
            sums = list(self._sums.items())
            cells = {key: tuple(found) for key, found in self._cells.items()}
        return [
            Observation(total + sum(cell.value for cell in cells.get(key, ())), dict(key))
            for key, total in sums
        ]


class Instruments:
    """The recording function of each metric name, created on first use from RoomKit's
    metric table (:func:`roomkit.telemetry.metrics.spec_for`)."""

    def __init__(self, meter: Meter, *, max_series: int = 2000) -> None:
        self._meter = meter
        self.max_series = max_series
        self._lock = threading.Lock()
        self._records: dict[str, Record] = {}
        self._series: dict[str, CounterSeries] = {}
        self._histograms: dict[str, Histogram] = {}

    def record(self, name: str, value: float, labels: Labels | None, unit: str = "") -> None:
        """Record ``value`` for the metric ``name`` (``value`` already checked: finite, >= 0)."""
        record = self._records.get(name)
        if record is None:
            record = self._create(name, unit)
        record(value, labels)

    def _create(self, name: str, unit: str) -> Record:
        with self._lock:
            record = self._records.get(name)
            if record is not None:
                return record
            spec = spec_for(name, unit)
            if spec.instrument is Instrument.HISTOGRAM:
                histogram = self._meter.create_histogram(name, spec.unit, spec.description)
                self._histograms[name] = histogram
                record = histogram.record
            else:
                series = CounterSeries(
                    self._meter, name, spec.unit, spec.description, self.max_series
                )
                record = series.add
                self._series[name] = series
            self._records[name] = record
            return record

    def cell(self, name: str, labels: Labels | None, cell: Cell | None = None) -> Cell | None:
        """A thread-owned :class:`Cell` (new, or ``cell``) of the counter ``name`` for one
        label set (``None`` when ``name`` is not a counter or its series is full)."""
        if name not in self._records:
            self._create(name, "")
        series = self._series.get(name)
        return None if series is None else series.cell(labels, cell)

    def bind(self, name: str, labels: Labels | None) -> Callable[[float], None]:
        """A recording function for ``name`` with one label set, for callers that record the
        same label set again and again (the label set is hashed once, here)."""
        record = self._records.get(name) or self._create(name, "")
        series = self._series.get(name)
        if series is not None:
            return series.bind(labels)
        histogram = self._histograms.get(name)
        if histogram is not None:  # no exemplar: the SDK need not look up the current span
            return lambda value: histogram.record(value, labels, _NO_CONTEXT)
        return lambda value: record(value, labels)
