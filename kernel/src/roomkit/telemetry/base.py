"""The telemetry contract and its configuration."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

__all__ = ["Attributes", "NoopTelemetryProvider", "TelemetryConfig", "TelemetryProvider"]

Attributes = Mapping[str, str | int | float | bool]


class TelemetryProvider(ABC):
    """Records spans and metrics. Implementations must be cheap and must never raise."""

    @abstractmethod
    def start_span(
        self, name: str, attributes: Attributes | None = None, parent_id: str | None = None
    ) -> str:
        """Open a span and return its id."""

    @abstractmethod
    def end_span(
        self,
        span_id: str,
        *,
        status: str = "ok",
        error: BaseException | None = None,
        attributes: Attributes | None = None,
    ) -> None:
        """Close a span opened by :meth:`start_span`."""

    @abstractmethod
    def record_metric(
        self, name: str, value: float, *, unit: str = "", attributes: Attributes | None = None
    ) -> None:
        """Record one measurement."""

    def flush(self) -> None:  # noqa: B027 - optional hook
        """Export buffered data."""


class NoopTelemetryProvider(TelemetryProvider):
    """Records nothing; the default."""

    def start_span(
        self, name: str, attributes: Attributes | None = None, parent_id: str | None = None
    ) -> str:
        return ""

    def end_span(
        self,
        span_id: str,
        *,
        status: str = "ok",
        error: BaseException | None = None,
        attributes: Attributes | None = None,
    ) -> None:
        return None

    def record_metric(
        self, name: str, value: float, *, unit: str = "", attributes: Attributes | None = None
    ) -> None:
        return None


class TelemetryConfig(BaseModel):
    """Which provider receives telemetry, and how much of it."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    provider: Any = Field(default_factory=NoopTelemetryProvider)
    sample_rate: float = Field(default=1.0, ge=0.0, le=1.0)
    attributes: dict[str, str] = Field(default_factory=dict)
