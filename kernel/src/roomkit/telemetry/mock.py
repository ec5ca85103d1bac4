"""A telemetry provider for tests: keeps every span and metric in lists to assert on."""

from __future__ import annotations

from typing import Any

from roomkit.telemetry.base import Attributes
from roomkit.telemetry.recording import RecordingTelemetryProvider
from roomkit.telemetry.spans import Span, SpanKind

__all__ = ["MockTelemetryProvider"]


class MockTelemetryProvider(RecordingTelemetryProvider):
    """Records all spans and metrics for test assertions::

        telemetry = MockTelemetryProvider()
        kit = RoomKit(telemetry=telemetry)
        await kit.process_inbound(message)
        (inbound,) = telemetry.get_spans(SpanKind.INBOUND_PIPELINE)
        assert all(s.trace_id == inbound.trace_id for s in telemetry.spans)

    ``completed_spans`` and ``metrics`` (dicts with ``name``, ``value``, ``unit`` and
    ``attributes``) grow without bound: it is a test double, not a production recorder.
    """

    def __init__(self) -> None:
        super().__init__()
        self.completed_spans: list[Span] = []
        self.metrics: list[dict[str, Any]] = []

    @property
    def spans(self) -> list[Span]:
        """Finished spans, in the order they ended."""
        with self._lock:
            return list(self.completed_spans)

    def export(self, span: Span) -> None:
        with self._lock:
            self.completed_spans.append(span)

    def record_metric(
        self,
        name: str,
        value: float,
        *,
        unit: str = "",
        attributes: Attributes | None = None,
    ) -> None:
        entry = {"name": name, "value": value, "unit": unit, "attributes": dict(attributes or {})}
        with self._lock:
            self.metrics.append(entry)

    def get_spans(self, kind: SpanKind | None = None, *, name: str | None = None) -> list[Span]:
        """Finished spans of ``kind`` (every kind when ``None``), optionally of one ``name``."""
        return [
            s
            for s in self.spans
            if (kind is None or s.kind == kind) and (name is None or s.name == name)
        ]

    def get_active_spans(self) -> list[Span]:
        """Spans started and not ended yet."""
        return self._open_spans()

    def get_children(self, span: Span | str) -> list[Span]:
        """Finished spans whose parent is ``span`` (a span or its id)."""
        parent = span if isinstance(span, str) else span.id
        return [s for s in self.spans if s.parent_id == parent]

    def get_metrics(self, name: str | None = None) -> list[dict[str, Any]]:
        """Recorded metrics, optionally only those called ``name``."""
        with self._lock:
            return [m for m in self.metrics if name is None or m["name"] == name]

    def reset(self) -> None:
        """Forget every span and metric."""
        super().reset()
        with self._lock:
            self.completed_spans.clear()
            self.metrics.clear()
