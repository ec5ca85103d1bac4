"""Telemetry: the provider contract, the span vocabulary, and the built-in providers.

``NoopTelemetryProvider`` (the default, costs nothing), ``ConsoleTelemetryProvider`` (logging)
and ``MockTelemetryProvider`` (for tests) ship with the kernel; ``OpenTelemetryProvider`` comes
with the ``roomkit-opentelemetry`` plugin. Names load lazily on first use.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from roomkit.lazy import lazy_exports

__all__ = [
    "Attr",
    "Attributes",
    "ConsoleTelemetryProvider",
    "Metric",
    "MockTelemetryProvider",
    "NoopTelemetryProvider",
    "ProtocolTrace",
    "RecordingTelemetryProvider",
    "Span",
    "SpanKind",
    "StepCount",
    "TelemetryConfig",
    "TelemetryProvider",
    "TraceParent",
]

_WHERE = {
    "Attr": "roomkit.telemetry.spans",
    "Attributes": "roomkit.telemetry.base",
    "ConsoleTelemetryProvider": "roomkit.telemetry.console",
    "Metric": "roomkit.telemetry.metrics",
    "MockTelemetryProvider": "roomkit.telemetry.mock",
    "NoopTelemetryProvider": "roomkit.telemetry.base",
    "ProtocolTrace": "roomkit.telemetry.trace",
    "RecordingTelemetryProvider": "roomkit.telemetry.recording",
    "Span": "roomkit.telemetry.spans",
    "SpanKind": "roomkit.telemetry.spans",
    "StepCount": "roomkit.telemetry.base",
    "TelemetryConfig": "roomkit.telemetry.base",
    "TelemetryProvider": "roomkit.telemetry.base",
    "TraceParent": "roomkit.telemetry.propagation",
}

__getattr__, __dir__ = lazy_exports(__name__, _WHERE, globals())


if TYPE_CHECKING:
    from roomkit.telemetry.base import (
        Attributes,
        NoopTelemetryProvider,
        StepCount,
        TelemetryConfig,
        TelemetryProvider,
    )
    from roomkit.telemetry.console import ConsoleTelemetryProvider
    from roomkit.telemetry.metrics import Metric
    from roomkit.telemetry.mock import MockTelemetryProvider
    from roomkit.telemetry.propagation import TraceParent
    from roomkit.telemetry.recording import RecordingTelemetryProvider
    from roomkit.telemetry.spans import Attr, Span, SpanKind
    from roomkit.telemetry.trace import ProtocolTrace
