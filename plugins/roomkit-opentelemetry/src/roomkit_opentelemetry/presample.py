"""A message's sampling decision taken before, and for a dropped trace instead of, an SDK span.

The OpenTelemetry SDK decides sampling when a span starts: it draws a trace id, asks the
sampler, and hands back a non-recording span when the sampler drops the trace. For RoomKit's
root span (``roomkit.inbound``) that costs an SDK span's set-up for every dropped message.

When the tracer is the SDK's and its sampler decides a new trace from the trace id alone (a
:class:`TraceIdRatioBased`, ``ALWAYS_OFF``, or a :class:`ParentBased` whose root sampler is one
of those), :class:`RootSampler` takes the same decision on a trace id it draws with the
tracer's own id generator. A dropped trace then costs a random number and a comparison. A kept
one is started through the SDK as usual with that very trace id (:class:`PresetTraceIds`), so
the SDK's sampler decides again on the same id and keeps it: the sample is the sampler's.

Only traces without a parent are decided here: a message continuing a caller's trace (W3C
context from a webhook) or running inside an application span goes to the SDK, which follows
the parent's ``sampled`` flag as the ``ParentBased`` sampler says.
"""

from __future__ import annotations

import random
import threading
from typing import Any

from opentelemetry.context import Context
from opentelemetry.trace import get_current_span
from opentelemetry.trace.propagation import _SPAN_KEY

_getrandbits = random.getrandbits  # what the SDK's RandomIdGenerator draws from


def _is_sdk_random(ids: Any) -> bool:
    """Whether ``ids`` is the SDK's :class:`RandomIdGenerator` itself (not a subclass)."""
    try:
        from opentelemetry.sdk.trace.id_generator import RandomIdGenerator
    except ImportError:  # pragma: no cover - only called for SDK tracers
        return False
    return type(ids) is RandomIdGenerator


__all__ = ["PresetTraceIds", "RootSampler", "root_sampler"]


class PresetTraceIds:
    """An SDK id generator that hands out a preset trace id once (per thread), then the
    wrapped generator's ids."""

    def __init__(self, wrapped: Any) -> None:
        self.wrapped = wrapped
        self._preset = threading.local()

    def preset(self, trace_id: int | None) -> None:
        """The next trace id this thread draws (``None``: none preset)."""
        self._preset.trace_id = trace_id

    def generate_trace_id(self) -> int:
        trace_id: int | None = getattr(self._preset, "trace_id", None)
        if trace_id is None:
            return int(self.wrapped.generate_trace_id())
        self._preset.trace_id = None
        return trace_id

    def generate_span_id(self) -> int:
        return int(self.wrapped.generate_span_id())

    def is_trace_id_random(self) -> bool:
        return bool(self.wrapped.is_trace_id_random())


class RootSampler:
    """Decides whether a new trace (no parent) is sampled, as the tracer's sampler would."""

    __slots__ = ("_bound", "_limit", "_random", "bound", "ids", "random")

    def __init__(self, ids: PresetTraceIds, bound: int, limit: int) -> None:
        self.ids = ids
        self._bound = bound  # trace ids whose low 64 bits are under it are kept
        self._limit = limit
        #: the SDK's random id generator: a dropped trace needs only the 64 bits decided on
        self._random = _is_sdk_random(ids.wrapped) and limit == (1 << 64) - 1
        #: With ``random`` true a caller may decide a new trace (no parent) itself, in line:
        #: ``getrandbits(64) >= bound`` drops it, else :meth:`keep` those 64 bits.
        self.random = self._random
        self.bound = bound

    def new_trace(self, context: Context) -> bool | None:
        """For a span started in ``context``: ``None`` when it has a parent (the SDK decides,
        from the parent), else whether the sampler keeps the new trace. A kept trace's id is
        preset for the next SDK span of this thread: start it right away, then
        ``ids.preset(None)``."""
        if _SPAN_KEY in context and get_current_span(context).get_span_context().is_valid:
            return None
        if self._random:  # the SDK's generator: the same random bits, drawn in two halves
            low = _getrandbits(64)  # the bits the ratio sampler decides on
            if low >= self._bound:
                return False
            return self.keep(low)
        trace_id = self.ids.wrapped.generate_trace_id()
        if trace_id & self._limit >= self._bound:
            return False
        self.ids.preset(trace_id)
        return True

    def keep(self, low: int) -> bool:
        """Preset a kept new trace whose low 64 bits, drawn from the SDK's generator's
        source, are ``low`` (under :attr:`bound`); ``True``."""
        trace_id = _getrandbits(64) << 64 | low
        while not trace_id:
            trace_id = _getrandbits(128)
        self.ids.preset(trace_id)
        return True


def _root_bound(sampler: Any, sampling: Any) -> int | None:
    """The trace-id bound under which ``sampler`` keeps a new trace, or ``None`` when its
    decision is not a function of the trace id alone (or not one we know)."""
    if type(sampler) is sampling.ParentBased or type(sampler) is sampling.ParentBasedTraceIdRatio:
        sampler = getattr(sampler, "_root", None)  # a new trace: ParentBased asks its root
    if type(sampler) is sampling.TraceIdRatioBased:
        return int(sampler.bound)
    if sampler is sampling.ALWAYS_OFF:
        return 0
    return None  # ALWAYS_ON (nothing to save), custom samplers (maybe not deterministic)


def root_sampler(tracer: Any) -> RootSampler | None:
    """A :class:`RootSampler` for ``tracer`` (installing :class:`PresetTraceIds` on it), or
    ``None`` when the tracer is not the SDK's or its sampler is not one decided here."""
    if not type(tracer).__module__.startswith("opentelemetry.sdk"):
        return None
    try:
        from opentelemetry.sdk.trace import Tracer as SdkTracer
        from opentelemetry.sdk.trace import sampling
    except ImportError:  # pragma: no cover - the tracer came from the SDK
        return None
    if type(tracer) is not SdkTracer:
        return None
    bound = _root_bound(getattr(tracer, "sampler", None), sampling)
    ids = getattr(tracer, "id_generator", None)
    if bound is None or ids is None:
        return None
    if not isinstance(ids, PresetTraceIds):
        ids = PresetTraceIds(ids)
        tracer.id_generator = ids  # type: ignore[assignment]  # this provider's own tracer (the SDK makes one per call)
    return RootSampler(ids, bound, sampling.TraceIdRatioBased.TRACE_ID_LIMIT)
