"""The kit's telemetry as the engine uses it: one :class:`Tracer` per kit.

The engine never calls a :class:`~roomkit.telemetry.base.TelemetryProvider` directly. A kit
without telemetry (the no-op provider) has no tracer at all (``Runtime.tracer is None``), so
every instrumented step costs one ``is None`` test. With telemetry, the tracer applies the
kit's :class:`~roomkit.telemetry.base.TelemetryConfig` once, at construction, so each span
costs a set lookup more than the provider's own work:

* ``sample_rate``: drawn once per inbound message (:meth:`Tracer.sample`); a message not
  sampled records no span at all, in its own task and in the tasks it starts (async hooks);
* the provider's own sampling: when the message's root span (``roomkit.inbound``) is not
  recorded (:meth:`~roomkit.telemetry.base.TelemetryProvider.recorded_kinds`, e.g. an
  OpenTelemetry sampler dropped the trace), the message records no child span either, or only
  the kinds the provider still wants (those its metrics come from), so an unsampled message
  costs one root span and nothing for the steps nobody records;
* counted steps (:mod:`roomkit.telemetry.counting`): below such a root, the steps of the
  kinds the provider only counts
  (:attr:`~roomkit.telemetry.base.TelemetryProvider.counted_kinds`, e.g. deliveries and hook
  runs) are not spans at all: the tracer hands out one shared id per step (kind, name,
  channel, attributes) and, when a step ends, adds one to the
  :class:`~roomkit.telemetry.base.StepCount` that
  :meth:`~roomkit.telemetry.base.TelemetryProvider.step_counter` gave for its label set
  (asked once per label set and thread): two dictionary look-ups and an addition per step;
* ``enabled_spans``: spans of other kinds are not started (``start`` returns ``""``);
* ``suppressed_hook_triggers``: hook runs of these triggers get no span;
* ``metadata``: added to the attributes of every span.

Nothing here raises: a failing provider is logged and the room carries on. Spans are ended in
``finally`` blocks by the callers, so a cancelled message never leaves one open.

While the engine runs an intelligence channel it makes its tracer *active*
(:func:`activate`): code that does not know the kit, such as an AI provider inside the
channel, records into it through :func:`active_tracer` (``None``: record nothing).
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable
from contextvars import ContextVar, Token
from threading import get_ident
from typing import Any, Protocol, TypeVar

from roomkit.errors import RateLimitedError
from roomkit.telemetry.base import (
    COUNTED_ROOT,
    Attributes,
    TelemetryConfig,
    TelemetryProvider,
    describe_error,
)
from roomkit.telemetry.counting import _INBOUND, _MAX_STEPS, StepCounting
from roomkit.telemetry.spans import Attr, SpanKind

__all__ = [
    "MessageResult",
    "Tracer",
    "activate",
    "active_tracer",
    "deactivate",
    "message_kinds",
]

T = TypeVar("T")

logger = logging.getLogger("roomkit.telemetry")

#: The span kinds the current inbound message still records (inherited by the tasks it starts):
#: ``None`` every kind; empty when it was not sampled; some kinds when the provider's sampler
#: dropped its trace but its metrics come from those steps.
_UNSAMPLED: ContextVar[frozenset[SpanKind] | None] = ContextVar("roomkit_unsampled", default=None)
_NOTHING: frozenset[SpanKind] = frozenset()
#: The span kinds the inbound message running in this task records (``None``: every kind, or
#: no message); a provider whose ``start_root`` returned ``COUNTED_ROOT`` reads it to know
#: that a span it is asked for belongs to a message it does not trace (``is not None``).
message_kinds = _UNSAMPLED.get
#: The tracer of the kit whose intelligence channel runs in this task (see the module docstring).
_ACTIVE: ContextVar[Tracer | None] = ContextVar("roomkit_active_tracer", default=None)


class MessageResult(Protocol):
    """What :meth:`Tracer.end_message` reads of an inbound message's result
    (:class:`~roomkit.models.event.InboundResult`)."""

    @property
    def duplicate(self) -> bool: ...

    @property
    def blocked(self) -> bool: ...

    @property
    def room_id(self) -> str | None: ...

    @property
    def event(self) -> Any: ...


def active_tracer() -> Tracer | None:
    """The tracer of the kit running the current channel turn, if it records telemetry."""
    return _ACTIVE.get()


def activate(tracer: Tracer) -> Token[Tracer | None]:
    """Make ``tracer`` the active one in this task; undo with :func:`deactivate`."""
    return _ACTIVE.set(tracer)


def deactivate(token: Token[Tracer | None]) -> None:
    """Undo :func:`activate`."""
    _ACTIVE.reset(token)


class Tracer(StepCounting):
    """A provider with the kit's telemetry configuration applied (see the module docstring)."""

    __slots__ = (
        "_counted",
        "_ends_with_error",
        "_kinds",
        "_metadata",
        "_plain_root",
        "_rate",
        "_roots",
        "_start_root",
        "_suppressed",
        "below",
        "config",
        "counted",
        "provider",
    )

    def __init__(self, provider: TelemetryProvider, config: TelemetryConfig | None = None) -> None:
        config = config or TelemetryConfig(provider=provider)
        self.provider = provider
        self.config = config
        self._kinds = None if config.enabled_spans is None else frozenset(config.enabled_spans)
        self._suppressed = frozenset(str(t) for t in config.suppressed_hook_triggers)
        self._metadata = dict(config.metadata)
        self._rate = config.sample_rate
        self._ends_with_error = bool(getattr(provider, "ends_with_error", False))
        #: The provider may decide at the root that a message records nothing below it.
        base = TelemetryProvider
        self._roots = (
            type(provider).is_recording is not base.is_recording
            or type(provider).recorded_kinds is not base.recorded_kinds
        )
        #: the provider's own one-call root (:meth:`TelemetryProvider.start_root`), if any
        self._start_root = (
            provider.start_root
            if self._roots and type(provider).start_root is not base.start_root
            else None
        )
        #: the provider's one-call root, every message sampled, no metadata: the short path
        self._plain_root = (
            self._start_root
            if self._rate >= 1.0
            and not self._metadata
            and (self._kinds is None or SpanKind.INBOUND_PIPELINE in self._kinds)
            else None
        )
        #: kinds counted by the tracer itself below a root that is not traced (module docstring)
        self._counted: frozenset[SpanKind] = (
            frozenset(getattr(provider, "counted_kinds", ())) if self._roots else frozenset()
        )
        super().__init__()  # the counted-step tables
        #: The kinds the current message records (``None``: every kind; see :meth:`records`):
        #: the context variable's own ``get``, so a call site tests a kind without a Python call
        #: (``only = tracer.below()``; ``only is None or kind in only``).
        self.below = _UNSAMPLED.get
        #: The kinds that a message recording them (``kind in tracer.below()``) only counts:
        #: the call site skips the span and ends the step with :meth:`count_hook` or
        #: :meth:`count_delivery` (one call, no attribute dictionary).
        self.counted: frozenset[SpanKind] = (
            self._counted if self._kinds is None else self._counted & self._kinds
        )

    # -- sampling --------------------------------------------------------------------------
    def sample(self) -> Token[frozenset[SpanKind] | None] | None:
        """Draw whether the inbound message starting now is recorded; hand the returned token
        to :meth:`unsample` when the message is done (``None``: nothing to undo)."""
        if self._rate >= 1.0:
            # a fresh "sampled" for the message: its root span may still turn it off
            return _UNSAMPLED.set(None) if self._roots else None
        return _UNSAMPLED.set(None if self.config.sampled() else _NOTHING)

    def start_message(
        self, channel_id: object
    ) -> tuple[Token[frozenset[SpanKind] | None] | None, str]:
        """:meth:`sample` and the ``roomkit.inbound`` root span of an inbound message from
        ``channel_id`` in one call: the token for :meth:`unsample` and the span (``""`` when
        the message is not sampled or the root is not recorded)."""
        plain = self._plain_root
        if plain is not None and isinstance(channel_id, str):  # the usual, in short
            try:
                span, below = plain({Attr.CHANNEL_ID: channel_id}, channel_id)
            except Exception:
                logger.exception("telemetry: starting span roomkit.inbound failed")
                return _UNSAMPLED.set(None), ""
            return _UNSAMPLED.set(below if span else None), span
        if self._rate < 1.0 and not self.config.sampled():
            return _UNSAMPLED.set(_NOTHING), ""
        start_root = self._start_root
        if (
            start_root is not None
            and isinstance(channel_id, str)
            and (self._kinds is None or SpanKind.INBOUND_PIPELINE in self._kinds)
        ):  # the provider's root and what it records below, in one call
            root: dict[str, Any] = {Attr.CHANNEL_ID: channel_id}
            if self._metadata:
                root = {**self._metadata, **root}
            try:
                span, below = start_root(root, channel_id)
            except Exception:
                logger.exception("telemetry: starting span roomkit.inbound failed")
                return _UNSAMPLED.set(None), ""
            return _UNSAMPLED.set(below if span else None), span
        if self._rate >= 1.0:
            token = _UNSAMPLED.set(None) if self._roots else None
        else:
            token = _UNSAMPLED.set(None)
        if self._kinds is not None and SpanKind.INBOUND_PIPELINE not in self._kinds:
            return token, ""
        if not isinstance(channel_id, str):
            return token, self.start(SpanKind.INBOUND_PIPELINE, "roomkit.inbound")
        attributes: dict[str, Any] = {Attr.CHANNEL_ID: channel_id}
        if self._metadata:
            attributes = {**self._metadata, **attributes}
        try:  # :meth:`start` for the root, in line
            span = self.provider.start_span(
                SpanKind.INBOUND_PIPELINE,
                "roomkit.inbound",
                attributes=attributes,
                channel_id=channel_id,
            )
            if self._roots and span:
                below = self.provider.recorded_kinds(span)
                if below is not None:  # the root decided: only these kinds are recorded below
                    _UNSAMPLED.set(below)
        except Exception:
            logger.exception("telemetry: starting span roomkit.inbound failed")
            return token, ""
        return token, span

    @staticmethod
    def unsample(token: Token[frozenset[SpanKind] | None] | None) -> None:
        """Undo :meth:`sample`."""
        if token is not None:
            _UNSAMPLED.reset(token)

    def end_message(
        self,
        token: Token[frozenset[SpanKind] | None] | None,
        span: str,
        channel_id: object,
        result: MessageResult,
    ) -> None:
        """End a message from ``channel_id`` that went well (``result``: what the pipeline
        returned): its root ``span`` (from :meth:`start_message`) with its outcome
        (``processed``, ``blocked``, ``duplicate``), room and event, or its count (a counted
        root), then :meth:`unsample` with ``token``; one call for the engine."""
        try:
            outcome = (
                "duplicate" if result.duplicate else "blocked" if result.blocked else "processed"
            )
            if span is COUNTED_ROOT:  # counted by the tracer, like a counted step
                try:
                    self.counts[(get_ident(), _INBOUND, channel_id, outcome)].value += 1
                except KeyError:  # not seen yet in this thread
                    self._count_root(channel_id, "ok", {Attr.INBOUND_OUTCOME: outcome})
            elif span:
                attributes: dict[str, Any] = {Attr.INBOUND_OUTCOME: outcome}
                if result.room_id:
                    attributes[Attr.ROOM_ID] = result.room_id
                if result.event is not None:
                    attributes[Attr.EVENT_ID] = result.event.id
                try:  # :meth:`end` for a root (never a counted step), in line
                    self.provider.end_span(span, attributes=attributes)
                except Exception:
                    logger.exception("telemetry: ending span %s failed", span)
        finally:
            if token is not None:
                _UNSAMPLED.reset(token)

    def fail_message(
        self,
        token: Token[frozenset[SpanKind] | None] | None,
        span: str,
        channel_id: object,
        error: BaseException,
    ) -> None:
        """End a message from ``channel_id`` that raised ``error`` (outcome ``rate_limited``
        or ``failed``): :meth:`fail` for its root ``span``, or its count (a counted root),
        then :meth:`unsample` with ``token``."""
        try:
            outcome = "rate_limited" if isinstance(error, RateLimitedError) else "failed"
            if span is COUNTED_ROOT:
                attributes = {Attr.INBOUND_OUTCOME: outcome, Attr.ERROR_TYPE: type(error).__name__}
                self._count_root(channel_id, "error", attributes)
            elif span:
                self.fail(span, error, {Attr.INBOUND_OUTCOME: outcome})
        finally:
            if token is not None:
                _UNSAMPLED.reset(token)

    # -- what is recorded --------------------------------------------------------------------
    def records(self, kind: SpanKind) -> bool:
        """Whether a span of ``kind`` would be recorded now."""
        if self._kinds is not None and kind not in self._kinds:
            return False
        only = _UNSAMPLED.get()
        return only is None or kind in only

    def records_hook(self, trigger: str, kind: SpanKind) -> bool:
        """Whether a hook run of ``trigger`` (a ``kind`` span) would be recorded now."""
        return trigger not in self._suppressed and self.records(kind)

    # -- spans -------------------------------------------------------------------------------
    def start_hook(self, kind: SpanKind, trigger: str, name: str, room_id: str) -> str:
        """Open the ``roomkit.hook`` span of a hook run, or ``""`` when it is not recorded
        (:meth:`records_hook` and :meth:`start` in one call: the per-hook hot path)."""
        if trigger in self._suppressed:
            return ""
        if self._kinds is not None and kind not in self._kinds:
            return ""
        only = _UNSAMPLED.get()
        if only is not None:
            if kind not in only:
                return ""
            if kind in self._counted:
                step = self._hook_steps.get((kind, trigger, name))
                if step is not None:
                    return step
                attrs = {Attr.HOOK_NAME: name, Attr.HOOK_TRIGGER: str(trigger)}
                step = self._count_start(kind, "roomkit.hook", attrs, None)
                if step is not None:
                    if len(self._hook_steps) < _MAX_STEPS:
                        self._hook_steps[(kind, trigger, name)] = step
                    return step
        attributes: dict[str, Any] = {Attr.HOOK_NAME: name, Attr.HOOK_TRIGGER: str(trigger)}
        if self._metadata:
            attributes = {**self._metadata, **attributes}
        try:
            return self.provider.start_span(
                kind, "roomkit.hook", attributes=attributes, room_id=room_id
            )
        except Exception:
            logger.exception("telemetry: starting span roomkit.hook failed")
            return ""

    def start(
        self,
        kind: SpanKind,
        name: str,
        attributes: dict[str, Any] | None = None,
        *,
        room_id: str | None = None,
        channel_id: str | None = None,
    ) -> str:
        """Open a span (``""`` when it is not recorded); end it with :meth:`end` or
        :meth:`fail`."""
        if self._kinds is not None and kind not in self._kinds:
            return ""
        only = _UNSAMPLED.get()
        if only is not None:
            if kind not in only:
                return ""
            if kind in self._counted:  # the shared id of a step seen before, in line
                try:
                    step = self._step_ids.get(
                        (kind, name, channel_id, *attributes.items())
                        if attributes
                        else (kind, name, channel_id)
                    )
                except TypeError:  # an unhashable attribute value
                    step = None
                if step is None:
                    step = self._count_start(kind, name, attributes, channel_id)
                if step is not None:
                    return step
        if self._metadata:
            attributes = {**self._metadata, **attributes} if attributes else dict(self._metadata)
        try:
            span = self.provider.start_span(
                kind, name, attributes=attributes, room_id=room_id, channel_id=channel_id
            )
            if kind is SpanKind.INBOUND_PIPELINE and self._roots and span:
                below = self.provider.recorded_kinds(span)
                if below is not None:  # the root decided: only these kinds are recorded below
                    _UNSAMPLED.set(below)
            return span
        except Exception:
            logger.exception("telemetry: starting span %s failed", name)
            return ""

    def end(self, span_id: str, attributes: Attributes | None = None) -> None:
        """Close a span that went well; ``attributes`` are added to it."""
        if not span_id:
            return
        if self._counted:
            step = self._steps.get(span_id)
            if step is not None:  # a counted step: add one (the usual end in line)
                try:
                    self._adders[
                        (get_ident(), span_id, "ok", *attributes.items())
                        if attributes
                        else (get_ident(), span_id, "ok")
                    ].value += 1
                except (KeyError, TypeError):  # not seen yet, or unhashable attributes
                    self._count(span_id, step, "ok", attributes)
                return
        try:
            self.provider.end_span(span_id, attributes=attributes)
        except Exception:
            logger.exception("telemetry: ending span %s failed", span_id)

    def fail(
        self, span_id: str, error: BaseException | str, attributes: Attributes | None = None
    ) -> None:
        """Close a span that failed: the exception is recorded on it, then it ends with
        ``status="error"`` and the error's message. ``error`` may also be a message only."""
        if not span_id:
            return
        if self._counted:
            step = self._steps.get(span_id)
            if step is not None:
                if isinstance(error, BaseException):
                    attributes = {**(attributes or {}), Attr.ERROR_TYPE: type(error).__name__}
                self._count(span_id, step, "error", attributes)
                return
        provider = self.provider
        try:
            if isinstance(error, BaseException) and self._ends_with_error:
                provider.end_span(
                    span_id,
                    status="error",
                    error_message=describe_error(error),
                    attributes=attributes,
                    error=error,
                )
                return
            if isinstance(error, BaseException):
                provider.record_exception(span_id, error)
                message = describe_error(error)
            else:
                message = error
            provider.end_span(span_id, status="error", error_message=message, attributes=attributes)
        except Exception:
            logger.exception("telemetry: ending span %s failed", span_id)

    async def run(
        self,
        kind: SpanKind,
        name: str,
        work: Awaitable[T],
        attributes: dict[str, Any] | None = None,
        *,
        room_id: str | None = None,
    ) -> T:
        """Await ``work`` in a span of its own (ended as an error when it raises)."""
        span = self.start(kind, name, attributes, room_id=room_id)
        try:
            result = await work
        except BaseException as exc:
            self.fail(span, exc)
            raise
        self.end(span)
        return result

    def metric(self, name: str, value: float, attributes: Attributes | None = None) -> None:
        """Record one measurement (never raises)."""
        try:
            self.provider.record_metric(name, value, attributes=attributes)
        except Exception:
            logger.exception("telemetry: recording metric %s failed", name)
