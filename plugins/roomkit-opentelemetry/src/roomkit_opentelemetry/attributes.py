"""Span attributes as OpenTelemetry takes them, and the record of an open span."""

from __future__ import annotations

from collections.abc import Mapping
from contextvars import Token
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

from opentelemetry import trace
from opentelemetry.context import Context
from opentelemetry.trace import SpanContext
from opentelemetry.trace import SpanKind as OtelSpanKind

from roomkit.telemetry.spans import Attr, SpanKind

__all__ = ["ATTRIBUTE_PREFIX", "OTEL_SPAN_KINDS", "OpenSpan", "add_event"]

#: Prefix of every span attribute RoomKit sets (as in RoomKit 0.6.7).
ATTRIBUTE_PREFIX = "roomkit."

#: The OpenTelemetry span kind of each RoomKit span kind (INTERNAL when not listed).
OTEL_SPAN_KINDS: Mapping[SpanKind, OtelSpanKind] = {
    SpanKind.INBOUND_PIPELINE: OtelSpanKind.CONSUMER,  # handles a message it received
    SpanKind.DELIVERY: OtelSpanKind.PRODUCER,  # hands a message to a channel
    SpanKind.LLM_GENERATE: OtelSpanKind.CLIENT,
    SpanKind.STT_TRANSCRIBE: OtelSpanKind.CLIENT,
    SpanKind.STT_STREAM: OtelSpanKind.CLIENT,
    SpanKind.TTS_SYNTHESIZE: OtelSpanKind.CLIENT,
    SpanKind.REALTIME_SESSION: OtelSpanKind.CLIENT,
    SpanKind.STORE_QUERY: OtelSpanKind.CLIENT,
    SpanKind.BACKEND_CONNECT: OtelSpanKind.CLIENT,
}

_KIND = ATTRIBUTE_PREFIX + "span_kind"
_STATUS = ATTRIBUTE_PREFIX + "status"
_ROOM = ATTRIBUTE_PREFIX + Attr.ROOM_ID
_SESSION = ATTRIBUTE_PREFIX + Attr.SESSION_ID
_CHANNEL = ATTRIBUTE_PREFIX + Attr.CHANNEL_ID
_PRIMITIVES = (str, bool, int, float)
_CLEAN = frozenset(_PRIMITIVES)
_ENDED_MEMORY = 1024
_KEY_CACHE_SIZE = 4096
_keys: dict[str, str] = {}


def _key(name: str) -> str:
    """``name`` with the ``roomkit.`` prefix (cached: the same few keys come back constantly)."""
    key = _keys.get(name)
    if key is None:
        key = name if name.startswith(ATTRIBUTE_PREFIX) else ATTRIBUTE_PREFIX + name
        if len(_keys) < _KEY_CACHE_SIZE:
            _keys[name] = key
    return key


def _value(value: Any) -> Any:
    """An attribute value OpenTelemetry accepts; ``None`` when there is nothing to record."""
    if isinstance(value, _PRIMITIVES) or value is None:
        return value
    if isinstance(value, list | tuple):
        kinds = {type(v) for v in value}
        if len(kinds) <= 1 and all(isinstance(v, _PRIMITIVES) for v in value):
            return tuple(value)
    return str(value)


def _labels(attributes: Mapping[str, Any]) -> dict[str, Any]:
    """Metric attributes OpenTelemetry can hash: primitives kept, ``None`` dropped, the rest
    turned into strings. Returns ``attributes`` itself when it is already clean (the usual)."""
    if type(attributes) is dict:
        for value in attributes.values():
            if type(value) not in _CLEAN:
                break
        else:
            return attributes
    labels = {}
    for key, value in attributes.items():
        value = _value(value)
        if value is not None:
            labels[key] = str(value) if isinstance(value, tuple) else value
    return labels


def _hex_id(context: SpanContext) -> str:
    return format(context.span_id, "016x")


_NO_ATTRIBUTES: Mapping[str, Any] = MappingProxyType({})
_DURATION = ATTRIBUTE_PREFIX + Attr.DURATION_MS
_ERROR_MESSAGE = ATTRIBUTE_PREFIX + "error_message"


@dataclass(slots=True)
class OpenSpan:
    """An open span and what ending it needs (``span`` is ``None`` for an untraced one)."""

    span: trace.Span | None
    context: SpanContext | None  # the span's own, kept to avoid asking the SDK again
    kind: SpanKind
    start_ns: int
    previous: Context | None  # current when the span started: restored when it ends
    attributes: Mapping[str, Any]  # unprefixed, for metric labels (the caller's until changed)
    channel_id: str | None
    owned: bool  # ``attributes`` is our own copy (written to)
    dropped: Token[bool] | None = None  # a message's root: undoes its sampling decision
    event: tuple[trace.Span, str, int] | None = None  # a step kept as an event: where, name, when
    sampled: bool = False  # part of a trace the sampler kept (its latency is in the histograms)

    def set(self, key: str, value: Any) -> None:
        """Set one unprefixed attribute (copying the caller's mapping first)."""
        self.update({key: value})

    def update(self, attributes: Mapping[str, Any]) -> None:
        """Add unprefixed attributes (copying the caller's mapping first)."""
        if self.owned:
            self.attributes.update(attributes)  # type: ignore[attr-defined]
        else:
            self.attributes = {**self.attributes, **attributes}
            self.owned = True


def add_event(entry: OpenSpan, status: str, error_message: str | None, duration_ns: int) -> None:
    """Record a step kept as an event (``detail="compact"``) on the span it ran in."""
    assert entry.event is not None
    enclosing, name, timestamp = entry.event
    attrs: dict[str, Any] = {_DURATION: duration_ns / 1e6}
    for key, value in entry.attributes.items():
        if type(value) not in _CLEAN:
            value = _value(value)
            if value is None:
                continue
        attrs[_key(key)] = value
    if status != "ok":
        attrs[_STATUS] = status
        if error_message:
            attrs[_ERROR_MESSAGE] = error_message
    enclosing.add_event(name, attrs, timestamp)
