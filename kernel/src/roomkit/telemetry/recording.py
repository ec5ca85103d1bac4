"""A base for providers that keep spans in memory as :class:`~roomkit.telemetry.spans.Span`.

It does the bookkeeping every such provider needs, and subclasses only say what happens to a
finished span (:meth:`RecordingTelemetryProvider.export`) and to a metric:

- ids in the W3C shapes (16-hex span ids, 32-hex trace ids), so traces can be propagated;
- nesting: a span started without ``parent_id`` becomes the child of the provider's span open
  in the same task (a ``ContextVar``: asyncio tasks inherit it, threads do not share it);
- a bound on open spans (a span never ended cannot grow memory forever);
- thread safety, and never raising.
"""

from __future__ import annotations

import logging
import threading
from abc import abstractmethod
from collections import OrderedDict
from collections.abc import Iterator, Mapping, MutableMapping
from contextlib import AbstractContextManager, contextmanager
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any

from roomkit.errors import ConfigurationError
from roomkit.telemetry.base import Attributes, TelemetryProvider, describe_error, resolve_kind
from roomkit.telemetry.propagation import TraceParent
from roomkit.telemetry.spans import Attr, Span, SpanKind, new_trace_id

__all__ = ["RecordingTelemetryProvider"]

logger = logging.getLogger("roomkit.telemetry")

#: The current span of the running task: (provider key, span id, trace id).
_Current = tuple[int, str, str]
_CURRENT: ContextVar[_Current | None] = ContextVar("roomkit_telemetry_span", default=None)

#: Recently ended spans remembered so that a late child (e.g. an async hook) joins their trace.
_ENDED_MEMORY = 1024


class RecordingTelemetryProvider(TelemetryProvider):
    """Keeps open spans as :class:`Span` records; subclasses export the finished ones."""

    def __init__(self, *, max_open_spans: int = 10_000) -> None:
        if not isinstance(max_open_spans, int) or max_open_spans < 1:
            raise ConfigurationError(f"max_open_spans must be a positive int: {max_open_spans!r}")
        self.max_open_spans = max_open_spans
        self._key = id(self)
        self._lock = threading.Lock()
        self._open: dict[str, tuple[Span, _Current | None]] = {}
        #: Recently ended spans: trace id and the span that was current when each started.
        #: oldest first (an OrderedDict: dropping the oldest is O(1))
        self._ended: OrderedDict[str, tuple[str | None, _Current | None]] = OrderedDict()

    @abstractmethod
    def export(self, span: Span) -> None:
        """Receive a finished span (its ``end_time`` and ``status`` are set)."""

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
        try:
            span_kind, span_name = resolve_kind(kind, name)
            attrs = dict(attributes) if attributes else {}
            parent, trace_id = self._parent_of(parent_id)
            span = Span(
                kind=span_kind,
                name=span_name,
                parent_id=parent,
                attributes=attrs,
                room_id=room_id,
                session_id=session_id,
                channel_id=channel_id,
                trace_id=trace_id,
            )
            previous = _CURRENT.get()
            with self._lock:
                if len(self._open) >= self.max_open_spans:  # forget the oldest, never exported
                    oldest = next(iter(self._open))
                    self._remember(oldest, self._open.pop(oldest))
                self._open[span.id] = (span, previous)
            _CURRENT.set((self._key, span.id, trace_id))
            return span.id
        except Exception:
            logger.exception("telemetry: could not start span %r", kind)
            return ""

    def _parent_of(self, parent_id: str | None) -> tuple[str | None, str]:
        if parent_id:
            with self._lock:
                entry = self._open.get(parent_id)
                ended = self._ended.get(parent_id)
            if entry is not None and entry[0].trace_id:
                return parent_id, entry[0].trace_id
            if ended is not None and ended[0]:
                return parent_id, ended[0]
            remote = TraceParent.parse(parent_id)
            if remote is not None:
                return remote.span_id, remote.trace_id
            return parent_id, new_trace_id()
        # An ended current span still parents: a task it started (an async hook) outlives it.
        current = _CURRENT.get()
        if current is not None and current[0] == self._key:
            return current[1], current[2]
        return None, new_trace_id()

    def _remember(self, span_id: str, entry: tuple[Span, _Current | None]) -> None:
        """Keep an ended (or forgotten) span's trace id and predecessor. Lock held."""
        self._ended[span_id] = (entry[0].trace_id, entry[1])
        if len(self._ended) > _ENDED_MEMORY:
            self._ended.popitem(last=False)

    def _live(self, current: _Current | None) -> _Current | None:
        """``current``, or its nearest ancestor still open (spans ended out of order)."""
        with self._lock:
            while current is not None and current[0] == self._key and current[1] in self._ended:
                current = self._ended[current[1]][1]
        return current

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
            with self._lock:
                entry = self._open.pop(span_id, None)
                if entry is not None:
                    self._remember(span_id, entry)
            if entry is None:
                return
            span, previous = entry
            if error is not None:
                span.attributes[Attr.ERROR_TYPE] = type(error).__name__
                if error_message is None:
                    error_message = describe_error(error)
            if attributes:
                span.attributes.update(attributes)
            span.end_time = datetime.now(UTC)
            span.status = status
            span.error_message = error_message
            current = _CURRENT.get()
            if current is not None and current[0] == self._key and current[1] == span_id:
                _CURRENT.set(self._live(previous))
            self.export(span)
        except Exception:
            logger.exception("telemetry: could not end span %r", span_id)

    def set_attribute(self, span_id: str, key: str, value: Any) -> None:
        with self._lock:
            entry = self._open.get(span_id)
            if entry is not None:
                entry[0].attributes[key] = value

    def record_exception(self, span_id: str, error: BaseException) -> None:
        self.set_attribute(span_id, Attr.ERROR_TYPE, type(error).__name__)

    def _open_spans(self) -> list[Span]:
        with self._lock:
            return [span for span, _ in self._open.values()]

    # -- trace context ---------------------------------------------------------------------
    def get_span_context(self, span_id: str) -> TraceParent | None:
        """The open span as a :class:`TraceParent` (what outbound headers would carry)."""
        with self._lock:
            entry = self._open.get(span_id)
        if entry is None or entry[0].trace_id is None:
            return None
        return TraceParent(entry[0].trace_id, span_id)

    def inject_context(self, headers: MutableMapping[str, str], span_id: str | None = None) -> None:
        if span_id is not None:
            context = self.get_span_context(span_id)
        else:
            current = _CURRENT.get()
            mine = current is not None and current[0] == self._key
            context = TraceParent(current[2], current[1]) if current and mine else None
        if context is not None:
            headers.update(context.to_headers())

    @contextmanager
    def _continue(self, remote: TraceParent | None) -> Iterator[None]:
        if remote is None:
            yield
            return
        token = _CURRENT.set((self._key, remote.span_id, remote.trace_id))
        try:
            yield
        finally:
            _CURRENT.reset(token)

    def continue_trace(self, headers: Mapping[str, str]) -> AbstractContextManager[None]:
        return self._continue(TraceParent.from_headers(headers))

    def reset(self) -> None:
        with self._lock:
            self._open.clear()
            self._ended.clear()
