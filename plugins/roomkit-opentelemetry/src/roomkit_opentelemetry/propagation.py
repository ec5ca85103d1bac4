"""W3C trace context between HTTP headers and OpenTelemetry contexts.

Uses the globally configured propagator (``OTEL_PROPAGATORS``; W3C ``tracecontext`` and
``baggage`` by default), so a deployment that propagates B3 keeps doing so.
"""

from __future__ import annotations

from collections.abc import Mapping, MutableMapping

from opentelemetry import propagate
from opentelemetry.context import Context
from opentelemetry.propagators.textmap import Getter

from roomkit.telemetry.propagation import header_value

__all__ = ["extract_context", "inject_headers"]


class _HeaderGetter(Getter[Mapping[str, str]]):
    """Reads header values whatever the case of their names (a plain dict is case-sensitive,
    HTTP header names are not)."""

    def get(self, carrier: Mapping[str, str], key: str) -> list[str] | None:
        value = header_value(carrier, key.lower())
        return [value] if isinstance(value, str) else None

    def keys(self, carrier: Mapping[str, str]) -> list[str]:
        return [k for k in carrier if isinstance(k, str)]


_GETTER = _HeaderGetter()


def extract_context(headers: Mapping[str, str], context: Context | None = None) -> Context:
    """The OpenTelemetry context that incoming request ``headers`` carry (``traceparent``,
    ``tracestate``, ``baggage``), on top of ``context`` (default: the current one)."""
    return propagate.extract(headers, context=context, getter=_GETTER)


def inject_headers(headers: MutableMapping[str, str], context: Context | None = None) -> None:
    """Write the trace context of ``context`` (default: the current one) into outbound
    request ``headers``."""
    propagate.inject(headers, context=context)
