"""Telemetry: the contract, the no-op default and the console (logging) provider."""

from roomkit.telemetry.base import (
    Attributes,
    NoopTelemetryProvider,
    TelemetryConfig,
    TelemetryProvider,
)
from roomkit.telemetry.console import ConsoleTelemetryProvider

__all__ = [
    "Attributes",
    "ConsoleTelemetryProvider",
    "NoopTelemetryProvider",
    "TelemetryConfig",
    "TelemetryProvider",
]
