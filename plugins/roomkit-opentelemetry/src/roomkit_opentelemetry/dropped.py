"""Messages whose trace the sampler dropped at their root, kept as cheaply as possible.

The provider decides a message's sampling at its root span (``roomkit.inbound``). A dropped
message's steps create no span (:data:`_DROPPED` says so to every ``start_span`` in the
message's context, and to the tasks it starts). When only the traced messages feed the latency
histograms (``latency_histograms="traced"``), the dropped root itself needs no timing either:
:class:`DroppedRoots` keeps its id, the token that undoes the decision and what its message
counter needs, and counts it when it ends through the calling thread's cells
(:meth:`~roomkit_opentelemetry.counting.StepCounter.step_count`): one tuple and one look-up for the
usual message.
"""

from __future__ import annotations

import threading
from contextvars import ContextVar, Token
from threading import get_ident
from typing import Any

from roomkit.telemetry.base import Attributes
from roomkit.telemetry.metrics import METRIC_ATTRIBUTES
from roomkit.telemetry.spans import Attr, SpanKind
from roomkit_opentelemetry.attributes import _NO_ATTRIBUTES
from roomkit_opentelemetry.counting import StepCounter
from roomkit_opentelemetry.instruments import Cell
from roomkit_opentelemetry.span_metrics import SpanMetricRecorder

__all__ = ["ROOT_END_ATTRIBUTES", "DroppedRoots"]

#: True while the current message's trace was not sampled: its steps create no span.
_DROPPED: ContextVar[bool] = ContextVar("roomkit_otel_dropped", default=False)

_Root = tuple[Token[bool] | None, Attributes, str | None]  # undo token, start attributes, channel
_MAX_CELLS = 4096
#: The attributes the engine ends a message's root with; only the outcome is a metric label.
ROOT_END_ATTRIBUTES = frozenset({Attr.INBOUND_OUTCOME, Attr.ROOM_ID, Attr.EVENT_ID})
_INBOUND = SpanKind.INBOUND_PIPELINE


def _undrop(token: Token[bool]) -> None:
    """Undo a message's sampling decision (nothing when it ends in another context)."""
    try:
        _DROPPED.reset(token)
    except ValueError:  # not contextlib.suppress: an object per message
        return


class DroppedRoots:
    """The open roots of dropped messages (see the module docstring)."""

    def __init__(
        self, counter: StepCounter, metrics: SpanMetricRecorder, span_metrics: bool
    ) -> None:
        self._counter = counter
        self._metrics = metrics
        self._span_metrics = span_metrics
        self._lock = threading.Lock()
        #: span id -> (undo token, start attributes, channel id)
        self.roots: dict[str, _Root] = {}
        #: (thread, channel id, status, *start attributes, None, *end labels) -> its cell
        self._cells: dict[tuple[Any, ...], Cell] = {}
        #: the engine's usual end (no error; end attributes in :data:`ROOT_END_ATTRIBUTES`):
        #: (thread, channel id, status, outcome, *start attributes) -> its cell
        self.usual: dict[tuple[Any, ...], Cell] = {}

    def open(
        self,
        span_id: str,
        token: Token[bool] | None,
        attributes: Attributes | None,
        channel_id: str | None,
        max_open: int,
    ) -> None:
        """Keep a dropped root until it ends (at most ``max_open``: the oldest is forgotten)."""
        roots = self.roots
        if len(roots) >= max_open:
            with self._lock:  # a message that never ended
                if len(roots) >= max_open:
                    roots.pop(next(iter(roots)), None)
        roots[span_id] = (token, attributes or _NO_ATTRIBUTES, channel_id)  # atomic

    def set(self, span_id: str, key: str, value: Any) -> None:
        """Set an attribute (a metric label, maybe) on an open dropped root."""
        with self._lock:
            root = self.roots.get(span_id)
            if root is not None:
                token, start, channel_id = root
                self.roots[span_id] = (token, {**start, key: value}, channel_id)

    def end(
        self,
        root: _Root,
        status: str,
        attributes: Attributes | None,
        error: BaseException | None,
        usual: tuple[Any, ...] | None = None,
    ) -> None:
        """End a dropped root (already taken out of :attr:`roots`): undo its sampling
        decision and count its message. ``usual``: the key of the end in :attr:`usual`,
        where the cell it added to is kept (the next such end adds to it in line)."""
        token, start, channel_id = root
        if token is not None:
            try:  # noqa: SIM105 (not contextlib.suppress: an object per message)
                _DROPPED.reset(token)  # undo the message's sampling decision
            except ValueError:  # it ends in another context: nothing to undo
                pass
        if not self._span_metrics:
            return
        if error is not None:
            attributes = {**(attributes or {}), Attr.ERROR_TYPE: type(error).__name__}
        key: tuple[Any, ...] = (get_ident(), channel_id, status, *start.items())
        if attributes:
            key = (*key, None, *[i for i in attributes.items() if i[0] in METRIC_ATTRIBUTES])
        cached = True
        try:
            cell = self._cells.get(key)
        except TypeError:  # an unhashable attribute value
            cell, cached = None, False
        if cell is None:
            merged = {**start, **attributes} if attributes else start
            cell = self._counter.step_count(_INBOUND, merged, channel_id, status)
            if cell is None:  # too many label sets: the general recorder
                self._metrics.record(_INBOUND, status, 0.0, start, channel_id, False, attributes)
                return
            if cached and len(self._cells) < _MAX_CELLS:
                self._cells[key] = cell
        cell.value += 1
        if usual is not None and len(self.usual) < _MAX_CELLS:
            self.usual[usual] = cell
