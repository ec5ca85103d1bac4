"""Telemetry to the ``logging`` module: spans and metrics as log lines."""

from __future__ import annotations

import logging
import time

from roomkit.models._ids import new_id
from roomkit.telemetry.base import Attributes, TelemetryProvider

__all__ = ["ConsoleTelemetryProvider"]

_SECRET_WORDS = ("key", "token", "secret", "password", "authorization", "credential")


def _safe(attributes: Attributes | None) -> dict[str, object]:
    if not attributes:
        return {}
    return {
        k: "***" if any(w in k.lower() for w in _SECRET_WORDS) else v for k, v in attributes.items()
    }


class ConsoleTelemetryProvider(TelemetryProvider):
    """Logs each finished span (name, duration, status, attributes) and each metric.

    Attributes whose names suggest secrets (key, token, password ...) are masked. Spans left
    open are bounded: beyond ``max_open_spans`` the oldest is forgotten.
    """

    def __init__(
        self,
        *,
        logger: logging.Logger | None = None,
        level: int = logging.INFO,
        max_open_spans: int = 10_000,
    ) -> None:
        self.logger = logger or logging.getLogger("roomkit.telemetry")
        self.level = level
        self.max_open_spans = max_open_spans
        self._open: dict[str, tuple[str, float, dict[str, object], str | None]] = {}

    def start_span(
        self, name: str, attributes: Attributes | None = None, parent_id: str | None = None
    ) -> str:
        span_id = new_id()[:16]
        if len(self._open) >= self.max_open_spans:
            del self._open[next(iter(self._open))]
        self._open[span_id] = (name, time.perf_counter(), _safe(attributes), parent_id)
        return span_id

    def end_span(
        self,
        span_id: str,
        *,
        status: str = "ok",
        error: BaseException | None = None,
        attributes: Attributes | None = None,
    ) -> None:
        opened = self._open.pop(span_id, None)
        if opened is None:
            return
        name, start, attrs, parent = opened
        attrs.update(_safe(attributes))
        if error is not None:
            attrs["error"] = type(error).__name__
        elapsed_ms = (time.perf_counter() - start) * 1000
        self.logger.log(
            self.level,
            "span %s %.3fms status=%s span=%s parent=%s %s",
            name,
            elapsed_ms,
            status,
            span_id,
            parent or "-",
            attrs,
        )

    def record_metric(
        self, name: str, value: float, *, unit: str = "", attributes: Attributes | None = None
    ) -> None:
        self.logger.log(self.level, "metric %s=%s%s %s", name, value, unit, _safe(attributes))
