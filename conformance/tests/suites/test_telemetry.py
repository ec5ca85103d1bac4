"""The telemetry suite passes correct providers and catches broken ones."""

from __future__ import annotations

import itertools
import threading
from pathlib import Path

import pytest

from roomkit.telemetry.base import (
    Attributes,
    NoopTelemetryProvider,
    TelemetryProvider,
    resolve_span,
)
from roomkit.telemetry.spans import SpanKind
from roomkit_conformance.runner import Target, run_target
from roomkit_conformance.suites import SUITES
from roomkit_conformance.suites.telemetry import TelemetryHarness, TelemetryProviderSuite


class ListTelemetry(TelemetryProvider):
    """A correct recording provider."""

    def __init__(self) -> None:
        self._ids = itertools.count(1)
        self._lock = threading.Lock()
        self.open: dict[str, str] = {}
        self.finished: list[str] = []
        self.metrics: list[tuple[str, float]] = []

    def start_span(
        self,
        kind: SpanKind | str,
        name: str | Attributes | None = None,
        *,
        parent_id: str | None = None,
        attributes: Attributes | None = None,
        room_id: str | None = None,
        session_id: str | None = None,
        channel_id: str | None = None,
    ) -> str:
        _, span_name, _ = resolve_span(kind, name, attributes)
        with self._lock:
            span = f"s{next(self._ids)}"
            self.open[span] = span_name
        return span

    def end_span(
        self,
        span_id: str,
        *,
        status: str = "ok",
        error_message: str | None = None,
        attributes: Attributes | None = None,
        error: BaseException | None = None,
    ) -> None:
        with self._lock:
            name = self.open.pop(span_id, None)
            if name is not None:
                self.finished.append(name)

    def record_metric(
        self, name: str, value: float, *, unit: str = "", attributes: Attributes | None = None
    ) -> None:
        with self._lock:
            self.metrics.append((name, value))


class TestListTelemetry(TelemetryProviderSuite):
    capabilities = frozenset({"records"})

    @pytest.fixture
    def component(self) -> TelemetryHarness:
        provider = ListTelemetry()
        return TelemetryHarness(provider, exported=lambda: provider.finished)


class TestNoop(TelemetryProviderSuite):
    @pytest.fixture
    def component(self) -> TelemetryProvider:
        return NoopTelemetryProvider()


BROKEN = """
from roomkit.telemetry.base import TelemetryProvider

class Strict(TelemetryProvider):
    def __init__(self):
        self.open = {}
    def start_span(self, kind, name=None, *, parent_id=None, attributes=None, **ids):
        if parent_id is not None and parent_id not in self.open:
            raise KeyError(parent_id)
        span = "same-id"
        self.open[span] = name
        return span
    def end_span(self, span_id, *, status="ok", error_message=None, attributes=None, error=None):
        del self.open[span_id]
    def record_metric(self, name, value, *, unit="", attributes=None):
        if value != value:
            raise ValueError("nan")

def make():
    return Strict()
"""


def test_broken_provider_fails_the_suite(tmp_path: Path) -> None:
    (tmp_path / "broken_telemetry.py").write_text(BROKEN)
    target = Target(
        "test",
        "telemetry",
        "broken",
        "broken_telemetry:make",
        SUITES["telemetry"],
        capabilities=frozenset({"records"}),
    )
    result = run_target(target, workdir=tmp_path / "work", extra_pythonpath=[str(tmp_path)])
    assert result.status == "failed"
    failed = " ".join(result.failures)
    for name in (
        "test_span_ids_are_unique_and_non_empty",
        "test_never_raises_on_unknown_or_repeated_spans",
        "test_metrics",
    ):
        assert name in failed, f"{name} should have failed"
