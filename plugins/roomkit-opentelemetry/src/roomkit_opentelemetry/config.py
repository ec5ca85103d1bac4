"""Configuration of the ``opentelemetry`` telemetry component (by name, from a config file).

Tracer and meter providers are objects, not configuration: built by name, the provider uses
the global ones (``opentelemetry.trace.set_tracer_provider`` / ``metrics.set_meter_provider``),
as the OpenTelemetry SDK's environment-variable auto-configuration sets them.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

__all__ = ["OpenTelemetryConfig"]


class OpenTelemetryConfig(BaseModel):
    """Options of :class:`~roomkit_opentelemetry.provider.OpenTelemetryProvider`."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    service_name: str = Field(default="roomkit", min_length=1)
    """Instrumentation scope name of the tracer and meter (0.6.7's ``service_name``)."""
    metadata: dict[str, str] = Field(default_factory=dict)
    """Attributes added to every span (as ``roomkit.<key>``)."""
    span_metrics: bool = True
    """Derive counters and latency histograms from finished spans."""
    step_metrics: Literal["all", "counts", "none"] = "all"
    """Metrics of a message's steps: counters and duration histograms, counters only, none."""
    detail: Literal["full", "compact"] = "full"
    """A span per step, or the cheap steps (route, identity, broadcast, store) as events."""
    latency_histograms: Literal["all", "traced"] = "all"
    """Latencies of every message, or of the messages whose trace is sampled only."""
    max_open_spans: int = Field(default=10_000, ge=1)
    """Spans started and never ended that are remembered before the oldest is dropped."""
