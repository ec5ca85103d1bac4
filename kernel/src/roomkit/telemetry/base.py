"""The telemetry contract, the no-op default and the configuration.

A provider implements three methods (:meth:`~TelemetryProvider.start_span`,
:meth:`~TelemetryProvider.end_span`, :meth:`~TelemetryProvider.record_metric`); everything else
has a default. The call shapes are RoomKit 0.6.7's::

    span_id = provider.start_span(SpanKind.LLM_GENERATE, "llm.generate", room_id="r1")
    provider.set_attribute(span_id, Attr.LLM_INPUT_TOKENS, 120)
    provider.end_span(span_id)

    with provider.span(SpanKind.CUSTOM, "my.step", attributes={"k": "v"}) as span_id:
        ...

Providers never raise: telemetry must not break a room.
"""

from __future__ import annotations

import logging
import random
from abc import ABC, abstractmethod
from collections.abc import Iterator, Mapping, MutableMapping
from contextlib import AbstractContextManager, contextmanager, nullcontext
from dataclasses import dataclass, field
from typing import Any

from roomkit.errors import ConfigurationError
from roomkit.telemetry.spans import SpanKind

__all__ = [
    "COUNTED_ROOT",
    "Attributes",
    "NoopTelemetryProvider",
    "StepCount",
    "TelemetryConfig",
    "TelemetryProvider",
    "describe_error",
    "resolve_kind",
]

logger = logging.getLogger("roomkit.telemetry")

#: Span and metric attributes: names to values (str, bool, int, float or sequences of those).
Attributes = Mapping[str, Any]

_KINDS_BY_VALUE = {k.value: k for k in SpanKind}


def resolve_kind(kind: SpanKind | str, name: str | None) -> tuple[SpanKind, str]:
    """Normalise the first two ``start_span`` arguments to ``(kind, name)``.

    ``kind`` is a :class:`SpanKind` or its value (``"llm.generate"``); the name defaults to
    the kind's value. Any other string is a ``CUSTOM`` span of that name (when no name is
    given), so ``start_span("my.step")`` works too.
    """
    if type(kind) is SpanKind:
        return kind, name or kind.value
    known = _KINDS_BY_VALUE.get(str(kind))
    if known is not None:
        return known, name or known.value
    return SpanKind.CUSTOM, name or str(kind)


def describe_error(error: BaseException) -> str:
    """``error``'s message, or its type name when it has none (for ``error_message``)."""
    return str(error) or type(error).__name__


#: The span id :meth:`TelemetryProvider.start_root` returns for a message it does not trace
#: but counts: no span was started and there is nothing to end; the engine counts the message
#: through :meth:`TelemetryProvider.step_counter` (kind ``INBOUND_PIPELINE``).
COUNTED_ROOT = "#root"


class StepCount:
    """A running count of steps that the engine adds to (``count.value += 1``) and a provider
    reads whenever it collects (see :meth:`TelemetryProvider.step_counter`)."""

    __slots__ = ("value",)

    def __init__(self) -> None:
        self.value: float = 0


class TelemetryProvider(ABC):
    """Records spans and metrics. Implementations must be cheap and must never raise.

    Span ids are strings chosen by the provider; an unknown id (never started, already ended,
    forgotten) is ignored. A ``parent_id`` is the id of a span of this provider; a span started
    without one while another span of the provider is open in the same task (or after
    :meth:`continue_trace`) becomes its child, for providers that track nesting.
    """

    #: ``True`` when ``end_span(..., error=exc)`` records everything :meth:`record_exception`
    #: would: the engine then ends a failed span with that one call instead of two.
    ends_with_error: bool = False

    #: Span kinds whose spans, in a message whose root span is not traced (its
    #: :meth:`recorded_kinds` is a set), only feed counters. For those steps the engine asks
    #: :meth:`step_counter` once per label set and adds each step to the :class:`StepCount`
    #: it returns, instead of calling :meth:`start_span` and :meth:`end_span`. Empty (the
    #: default): every step recorded is a span.
    counted_kinds: frozenset[SpanKind] = frozenset()

    @property
    def name(self) -> str:
        """Short provider name (``"console"``, ``"mock"``, ``"opentelemetry"`` ...)."""
        cls = type(self).__name__
        return cls.removesuffix("TelemetryProvider").lower() or cls

    @abstractmethod
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
        """Open a span and return its id (``""`` when the provider records nothing).

        Implementations normalise ``kind`` and ``name`` with :func:`resolve_kind`.
        """

    @abstractmethod
    def end_span(
        self,
        span_id: str,
        *,
        status: str = "ok",
        error_message: str | None = None,
        attributes: Attributes | None = None,
        error: BaseException | None = None,
    ) -> None:
        """Close a span opened by :meth:`start_span`; ``attributes`` are added to it.

        ``error`` (a RoomKit addition) is the exception that failed the span: providers record
        it as :meth:`record_exception` does and use it for ``error_message`` when that is unset.
        """

    @abstractmethod
    def record_metric(
        self,
        name: str,
        value: float,
        *,
        unit: str = "",
        attributes: Attributes | None = None,
    ) -> None:
        """Record one measurement of the metric ``name`` (see :mod:`roomkit.telemetry.metrics`
        for the names RoomKit uses and whether each is a counter or a histogram)."""

    def set_attribute(self, span_id: str, key: str, value: Any) -> None:  # noqa: B027
        """Set one attribute on an open span."""

    def record_exception(self, span_id: str, error: BaseException) -> None:  # noqa: B027
        """Attach ``error`` (type, message, traceback) to an open span."""

    def is_recording(self, span_id: str) -> bool:
        """Whether anything below the open span ``span_id`` is recorded.

        The engine asks it once per inbound message, about the message's root span: ``False``
        (e.g. a sampler dropped the trace and no metrics come from the steps) makes the engine
        start no child span for that message at all. Providers that do not override it get
        every span; overriding it is how a provider makes unsampled messages cheap.
        """
        return bool(span_id)

    def recorded_kinds(self, span_id: str) -> frozenset[SpanKind] | None:
        """The span kinds still recorded below the open root span ``span_id``: ``None`` for
        every kind (the default while :meth:`is_recording` is true), an empty set for none.

        The engine asks it once per inbound message instead of :meth:`is_recording`. A
        provider whose unsampled messages still yield metrics from some steps (deliveries,
        hook runs) names those kinds, and the engine starts no span of any other kind for
        the message (no route, broadcast or store span that would record nothing).
        """
        return None if self.is_recording(span_id) else frozenset()

    def start_root(
        self, attributes: Attributes | None, channel_id: str | None
    ) -> tuple[str, frozenset[SpanKind] | None]:
        """Open the ``roomkit.inbound`` root span of an inbound message (no parent span id)
        and tell the kinds recorded below it: ``(span id, recorded_kinds(span id))``, or
        ``("", None)`` when no span was started.

        The default calls :meth:`start_span` and :meth:`recorded_kinds`; a provider that
        decides sampling at the root may do both in one step, so a message whose trace it
        drops costs one call.

        A provider whose counters are all such a dropped message yields may return
        ``(COUNTED_ROOT, kinds)``: no span is started, nothing is ended; the engine counts the
        message itself through :meth:`step_counter` (kind ``INBOUND_PIPELINE``; attributes
        ``attributes`` with ``inbound.outcome``, and ``error.type`` for a message that
        failed with an exception; status ``ok`` or ``error``), as it counts the steps of
        :attr:`counted_kinds`. While such a message runs (and in the tasks it starts),
        :func:`roomkit.telemetry.tracer.message_kinds` returns ``kinds``: the provider knows
        from it that a span it is asked for belongs to a message it does not trace.
        """
        span = self.start_span(
            SpanKind.INBOUND_PIPELINE,
            "roomkit.inbound",
            attributes=attributes,
            channel_id=channel_id,
        )
        return span, (self.recorded_kinds(span) if span else None)

    def step_counter(
        self, kind: SpanKind, attributes: Attributes, channel_id: str | None, status: str
    ) -> StepCount | None:
        """The count that steps of ``kind`` ending with ``status`` are added to, standing for
        the counters a span of theirs would have fed (see :attr:`counted_kinds`).

        ``attributes`` are the step's start and end attributes together (with
        ``error.type`` for a step that failed with an exception). The engine keeps the count
        per thread and per label set: the counters may depend only on ``kind``,
        ``channel_id``, ``status`` and the attributes in
        :data:`~roomkit.telemetry.metrics.METRIC_ATTRIBUTES`. Only the thread that asked adds
        to it (no lock: one writer), so hand each thread its own count and read them all when
        collecting. ``None`` (the default): the engine records the step with
        :meth:`start_span` and :meth:`end_span` instead.
        """
        return None

    @contextmanager
    def span(self, kind: SpanKind | str, name: str, **kwargs: Any) -> Iterator[str]:
        """Open a span for the ``with`` block and yield its id.

        Keyword arguments are those of :meth:`start_span`. An exception leaving the block ends
        the span with ``status="error"`` and is re-raised unchanged.
        """
        span_id = self.start_span(kind, name, **kwargs)
        try:
            yield span_id
        except BaseException as exc:
            try:
                self.record_exception(span_id, exc)
                self.end_span(span_id, status="error", error_message=describe_error(exc))
            except Exception:  # telemetry never replaces the caller's exception
                logger.exception("telemetry provider failed to end span %s", span_id)
            raise
        self.end_span(span_id)

    def get_span_context(self, span_id: str) -> Any:
        """A provider-specific handle on an open span's context (``None`` by default)."""
        return None

    def inject_context(  # noqa: B027
        self, headers: MutableMapping[str, str], span_id: str | None = None
    ) -> None:
        """Write W3C ``traceparent`` / ``tracestate`` for ``span_id`` (default: the current
        span) into outbound request ``headers``. Does nothing for providers without traces."""

    def continue_trace(self, headers: Mapping[str, str]) -> AbstractContextManager[None]:
        """Within the ``with`` block, spans started without a parent continue the trace the
        W3C ``traceparent`` / ``tracestate`` of ``headers`` names (e.g. a webhook request's).
        Malformed or missing headers start new traces as usual."""
        return nullcontext()

    def flush(self) -> None:  # noqa: B027
        """Export buffered data."""

    def close(self) -> None:
        """Flush and release resources; calling it again does nothing."""
        self.flush()

    def reset(self) -> None:  # noqa: B027
        """Forget recorded state (useful between tests)."""


class NoopTelemetryProvider(TelemetryProvider):
    """Records nothing; the default. The engine skips telemetry calls entirely with it."""

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
        return ""

    def end_span(
        self,
        span_id: str,
        *,
        status: str = "ok",
        error_message: str | None = None,
        attributes: Attributes | None = None,
        error: BaseException | None = None,
    ) -> None:
        return None

    def record_metric(
        self,
        name: str,
        value: float,
        *,
        unit: str = "",
        attributes: Attributes | None = None,
    ) -> None:
        return None

    def set_attribute(self, span_id: str, key: str, value: Any) -> None:
        return None


def _default_suppressed() -> set[str]:
    # Audio-level hooks fire for every audio frame: a span each would swamp any backend.
    return {"on_vad_audio_level", "on_input_audio_level", "on_output_audio_level"}


@dataclass
class TelemetryConfig:
    """Which provider receives telemetry, and how much of it.

    ``RoomKit(telemetry=TelemetryConfig(provider=...))`` is the same as passing the provider.
    ``enabled_spans``, ``sample_rate``, ``suppressed_hook_triggers`` and ``metadata`` describe
    what the engine records; :meth:`records`, :meth:`sampled`, :meth:`records_hook` and
    :meth:`span_attributes` answer for it.
    """

    provider: TelemetryProvider | None = None
    #: Fraction of inbound messages whose spans are recorded (0.0 to 1.0).
    sample_rate: float = 1.0
    #: Only these span kinds are recorded; ``None`` records every kind.
    enabled_spans: set[SpanKind] | None = None
    #: Attributes added to every span (deployment, region ...).
    metadata: dict[str, str] = field(default_factory=dict)
    #: Hook triggers whose hook runs get no span.
    suppressed_hook_triggers: set[str] = field(default_factory=_default_suppressed)

    def __post_init__(self) -> None:
        if self.provider is not None and not isinstance(self.provider, TelemetryProvider):
            raise ConfigurationError(
                "TelemetryConfig.provider must be a TelemetryProvider (e.g. "
                f"ConsoleTelemetryProvider()), not {type(self.provider).__name__}"
            )
        rate = self.sample_rate
        if isinstance(rate, bool) or not isinstance(rate, int | float) or not 0.0 <= rate <= 1.0:
            raise ConfigurationError(
                f"TelemetryConfig.sample_rate must be a number from 0.0 to 1.0, not {rate!r}"
            )
        if self.enabled_spans is not None:
            try:
                self.enabled_spans = {SpanKind(k) for k in self.enabled_spans}
            except ValueError as exc:
                raise ConfigurationError(
                    f"TelemetryConfig.enabled_spans takes SpanKind members: {exc}"
                ) from None

    def sampled(self) -> bool:
        """Draw whether one inbound message's spans are recorded (``sample_rate``)."""
        return self.sample_rate >= 1.0 or random.random() < self.sample_rate

    def records(self, kind: SpanKind) -> bool:
        """Whether spans of ``kind`` are recorded."""
        return self.enabled_spans is None or kind in self.enabled_spans

    def records_hook(self, trigger: str) -> bool:
        """Whether hook runs for ``trigger`` get spans."""
        return str(trigger) not in self.suppressed_hook_triggers

    def span_attributes(self, attributes: Attributes | None = None) -> dict[str, Any]:
        """``metadata`` merged under ``attributes`` (the span's own values win)."""
        if not self.metadata:
            return dict(attributes) if attributes else {}
        return {**self.metadata, **(attributes or {})}
