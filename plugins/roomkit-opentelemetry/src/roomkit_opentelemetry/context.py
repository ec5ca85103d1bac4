"""Trace context of the OpenTelemetry provider: parents named by id, ended spans remembered
(for late children and for restoring the current span when spans end out of order), and W3C
headers in and out."""

from __future__ import annotations

import logging
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterator, Mapping, MutableMapping
from contextlib import AbstractContextManager, contextmanager
from contextvars import ContextVar
from typing import cast

from opentelemetry import context as otel_context
from opentelemetry import trace
from opentelemetry.context import Context
from opentelemetry.trace import NonRecordingSpan, SpanContext, TraceFlags, TraceState
from opentelemetry.trace.propagation import _SPAN_KEY

from roomkit.telemetry.propagation import TraceParent
from roomkit_opentelemetry.attributes import _ENDED_MEMORY, _hex_id
from roomkit_opentelemetry.attributes import OpenSpan as _Open
from roomkit_opentelemetry.propagation import extract_context, inject_headers

__all__ = ["TraceContext", "attach_context", "current_context", "in_context"]

logger = logging.getLogger("roomkit.telemetry")


def _runtime_context_var() -> ContextVar[Context] | None:
    """The context variable OpenTelemetry keeps the current context in, when its runtime
    context is the default one (``None`` otherwise: use the ``opentelemetry.context`` API)."""
    runtime = getattr(otel_context, "_RUNTIME_CONTEXT", None)
    current = getattr(runtime, "_current_context", None)
    if type(runtime).__name__ == "ContextVarsRuntimeContext" and isinstance(current, ContextVar):
        return current
    return None


_VAR = _runtime_context_var()
#: ``opentelemetry.context.get_current`` / ``attach``, or the context variable's own ``get`` /
#: ``set`` with the default runtime context (the same effect, two Python calls less each)
current_context: Callable[[], Context] = otel_context.get_current if _VAR is None else _VAR.get
attach_context: Callable[[Context], object] = otel_context.attach if _VAR is None else _VAR.set


def in_context(span: trace.Span, context: Context) -> Context:
    """``trace.set_span_in_context(span, context)``: ``context`` with ``span`` current."""
    return Context({**context, _SPAN_KEY: span})


class TraceContext:
    """The provider's trace-context half; the provider holds the state it reads."""

    _lock: threading.Lock
    _open: dict[str, _Open]
    _ended: OrderedDict[str, tuple[SpanContext, Context]]

    def _parent_context(self, parent_id: str, current: Context) -> Context:
        """The context whose span ``parent_id`` names: one of ours (open or recently ended), or
        a remote span given as a W3C ``traceparent`` value; unknown ids start a new trace."""
        with self._lock:
            entry = self._open.get(parent_id)
            ended = self._ended.get(parent_id)
        if entry is not None and entry.span is not None:
            return trace.set_span_in_context(entry.span, current)
        if ended is not None:
            return trace.set_span_in_context(NonRecordingSpan(ended[0]), current)
        remote = TraceParent.parse(parent_id)
        if remote is not None:
            state = TraceState.from_header([remote.tracestate]) if remote.tracestate else None
            span_context = SpanContext(
                trace_id=int(remote.trace_id, 16),
                span_id=int(remote.span_id, 16),
                is_remote=True,
                trace_flags=TraceFlags(remote.flags),
                trace_state=state,
            )
            return trace.set_span_in_context(NonRecordingSpan(span_context), current)
        logger.debug("telemetry: parent span %r unknown; starting a new trace", parent_id)
        return Context()

    def _remember(self, span_id: str, entry: _Open) -> None:
        """Keep an ended (or forgotten) span's context for late children and for restoring
        the context when spans end out of order. Called with the lock held."""
        if entry.context is None or entry.previous is None:
            return  # untraced: nothing to restore or to parent
        self._ended[span_id] = (entry.context, entry.previous)
        if len(self._ended) > _ENDED_MEMORY:
            self._ended.popitem(last=False)

    def _restorable(self, previous: Context) -> Context:
        """``previous``, minus spans of ours that ended meanwhile (spans ended out of order)."""
        for _ in range(_ENDED_MEMORY):
            span = cast("trace.Span | None", previous.get(_SPAN_KEY))  # get_current_span
            if span is None:
                break
            span_context = span.get_span_context()
            if not span_context.is_valid:
                break
            with self._lock:
                ended = self._ended.get(_hex_id(span_context))
            if ended is None or ended[0] != span_context:
                break
            previous = ended[1]
        return previous

    def get_span_context(self, span_id: str) -> Context | None:
        """An OpenTelemetry ``Context`` whose current span is the open span ``span_id``."""
        with self._lock:
            entry = self._open.get(span_id)
        if entry is None or entry.span is None:
            return None
        return trace.set_span_in_context(entry.span)

    def inject_context(self, headers: MutableMapping[str, str], span_id: str | None = None) -> None:
        try:
            context = None
            if span_id is not None:
                context = self.get_span_context(span_id)
                if context is None:
                    return
            inject_headers(headers, context)
        except Exception:
            logger.exception("telemetry: could not inject trace headers")

    @contextmanager
    def _continue(self, headers: Mapping[str, str]) -> Iterator[None]:
        token = None
        try:
            token = otel_context.attach(extract_context(headers))
        except Exception:
            logger.exception("telemetry: could not read trace headers")
        try:
            yield
        finally:
            if token is not None:
                otel_context.detach(token)

    def continue_trace(self, headers: Mapping[str, str]) -> AbstractContextManager[None]:
        """Within the block, spans without a parent (the engine's ``process_inbound`` span)
        continue the trace of ``headers`` (``traceparent``, ``tracestate``, ``baggage``)."""
        return self._continue(headers)
