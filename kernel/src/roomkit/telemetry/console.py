"""Telemetry to the ``logging`` module: each finished span and each metric as one log line."""

from __future__ import annotations

import logging

from roomkit.telemetry.base import Attributes
from roomkit.telemetry.recording import RecordingTelemetryProvider
from roomkit.telemetry.spans import Span

__all__ = ["ConsoleTelemetryProvider"]

_SECRET_WORDS = ("key", "token", "secret", "password", "authorization", "credential")


def _safe(attributes: Attributes | None) -> dict[str, object]:
    if not attributes:
        return {}
    return {
        k: "***" if any(w in k.lower() for w in _SECRET_WORDS) else v for k, v in attributes.items()
    }


class ConsoleTelemetryProvider(RecordingTelemetryProvider):
    """Logs each finished span (name, duration, kind, status, ids, attributes) and each metric
    to the ``roomkit.telemetry`` logger.

    Attributes whose names suggest secrets (key, token, password ...) are masked. Spans left
    open are bounded: beyond ``max_open_spans`` the oldest is forgotten.
    """

    def __init__(
        self,
        *,
        level: int = logging.INFO,
        logger: logging.Logger | None = None,
        max_open_spans: int = 10_000,
    ) -> None:
        super().__init__(max_open_spans=max_open_spans)
        self.logger = logger or logging.getLogger("roomkit.telemetry")
        self.level = level

    def export(self, span: Span) -> None:
        if not self.logger.isEnabledFor(self.level):
            return
        context = {
            "room_id": span.room_id,
            "session_id": span.session_id,
            "channel_id": span.channel_id,
        }
        attrs = _safe({**{k: v for k, v in context.items() if v}, **span.attributes})
        error = f" error={span.error_message!r}" if span.error_message else ""
        self.logger.log(
            self.level,
            "span %s %.3fms kind=%s status=%s span=%s parent=%s trace=%s %s%s",
            span.name,
            span.duration_ms or 0.0,
            span.kind.value,
            span.status,
            span.id,
            span.parent_id or "-",
            span.trace_id or "-",
            attrs,
            error,
        )

    def record_metric(
        self,
        name: str,
        value: float,
        *,
        unit: str = "",
        attributes: Attributes | None = None,
    ) -> None:
        self.logger.log(self.level, "metric %s=%s%s %s", name, value, unit, _safe(attributes))
