"""W3C Trace Context (``traceparent`` / ``tracestate`` headers) without any tracing SDK.

A webhook caller that traces its requests sends ``traceparent: 00-<trace-id>-<parent-id>-<flags>``.
:meth:`TraceParent.from_headers` reads it (and ``tracestate``) from any header mapping;
``provider.continue_trace(headers)`` makes the spans started inside join that trace, and
``provider.inject_context(headers)`` writes the headers for an outbound HTTP call.
See https://www.w3.org/TR/trace-context/.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

__all__ = ["TRACEPARENT", "TRACESTATE", "TraceParent", "header_value"]

TRACEPARENT = "traceparent"
TRACESTATE = "tracestate"

#: Longest ``tracestate`` kept; longer values lose list members from the end (W3C §3.3.1.5).
MAX_TRACESTATE = 512

_TRACEPARENT = re.compile(r"^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})(-.*)?$")
_ZERO_TRACE = "0" * 32
_ZERO_SPAN = "0" * 16


def header_value(headers: Mapping[str, str], name: str) -> str | None:
    """``headers[name]`` looked up without regard to case (HTTP header names are
    case-insensitive; plain dicts are not)."""
    value = headers.get(name)
    if value is not None:
        return value
    for key, candidate in headers.items():
        if isinstance(key, str) and key.lower() == name:
            return candidate
    return None


def _trim_tracestate(value: str) -> str:
    members = [m.strip() for m in value.split(",") if m.strip()]
    kept: list[str] = []
    size = 0
    for member in members[:32]:
        extra = len(member) + (1 if kept else 0)
        if size + extra > MAX_TRACESTATE:
            break
        kept.append(member)
        size += extra
    return ",".join(kept)


@dataclass(frozen=True, slots=True)
class TraceParent:
    """A span of another process that a span of ours continues (a remote parent)."""

    trace_id: str
    span_id: str
    flags: int = 1
    tracestate: str = ""

    @property
    def sampled(self) -> bool:
        """Whether the caller recorded its span (flag bit 0)."""
        return bool(self.flags & 1)

    @property
    def traceparent(self) -> str:
        """The ``traceparent`` header value (version 00)."""
        return f"00-{self.trace_id}-{self.span_id}-{self.flags:02x}"

    def to_headers(self) -> dict[str, str]:
        """``traceparent`` (and ``tracestate`` when set) for an outbound request."""
        headers = {TRACEPARENT: self.traceparent}
        if self.tracestate:
            headers[TRACESTATE] = self.tracestate
        return headers

    @classmethod
    def parse(cls, traceparent: str, tracestate: str = "") -> TraceParent | None:
        """Parse a ``traceparent`` value; ``None`` when it is malformed.

        Follows the W3C rules: lowercase hex, version ``ff`` invalid, all-zero ids invalid,
        version 00 exactly 55 characters, later versions may append fields.
        """
        match = _TRACEPARENT.match(traceparent.strip())
        if match is None:
            return None
        version, trace_id, span_id, flags, rest = match.groups()
        if version == "ff" or (version == "00" and rest is not None):
            return None
        if trace_id == _ZERO_TRACE or span_id == _ZERO_SPAN:
            return None
        return cls(trace_id, span_id, int(flags, 16), _trim_tracestate(tracestate))

    @classmethod
    def from_headers(cls, headers: Mapping[str, str]) -> TraceParent | None:
        """The remote parent carried by ``headers`` (any case), or ``None``."""
        traceparent = header_value(headers, TRACEPARENT)
        if not traceparent or not isinstance(traceparent, str):
            return None
        tracestate = header_value(headers, TRACESTATE)
        return cls.parse(traceparent, tracestate if isinstance(tracestate, str) else "")
