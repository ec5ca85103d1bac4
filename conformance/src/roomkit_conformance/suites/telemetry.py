"""The telemetry-provider conformance suite.

Subclass :class:`TelemetryProviderSuite` and provide a ``component`` fixture yielding a
:class:`~roomkit.telemetry.base.TelemetryProvider`, or a :class:`TelemetryHarness` that also
returns what the provider exported, to enable the export checks. Providers that record spans
(anything but a no-op) claim the ``"records"`` capability: their span ids must be non-empty.

The contract's core rule is tested hardest: telemetry is cheap and **never raises**, whatever
the input (unknown or twice-ended spans, odd attributes, NaN, concurrent use from tasks and
threads).
"""

from __future__ import annotations

import asyncio
import math
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import pytest

from roomkit.telemetry.base import TelemetryProvider
from roomkit_conformance.base import SuiteBase, requires

__all__ = ["TelemetryHarness", "TelemetryProviderSuite"]


@dataclass
class TelemetryHarness:
    """A provider plus ``exported()``: everything it exported so far (spans, metrics, lines)."""

    provider: TelemetryProvider
    exported: Callable[[], Sequence[Any]]


class TelemetryProviderSuite(SuiteBase):
    """Conformance tests every :class:`TelemetryProvider` plugin must pass."""

    @pytest.fixture
    def provider(self, component: Any) -> TelemetryProvider:
        """The provider under test (unwrapped from a :class:`TelemetryHarness`)."""
        return component.provider if isinstance(component, TelemetryHarness) else component

    @pytest.fixture
    def harness(self, component: Any) -> TelemetryHarness:
        """The export view; tests needing it skip when the fixture yields a bare provider."""
        if not isinstance(component, TelemetryHarness):
            pytest.skip("component fixture yields a bare provider: no view of its exports")
        return component

    def test_is_a_telemetry_provider(self, provider: TelemetryProvider) -> None:
        assert isinstance(provider, TelemetryProvider)

    def test_span_lifecycle(self, provider: TelemetryProvider) -> None:
        span = provider.start_span("conformance.span", {"room_id": "r1", "n": 1})
        assert isinstance(span, str)
        provider.end_span(span, status="ok", attributes={"done": True})

    def test_nested_spans(self, provider: TelemetryProvider) -> None:
        parent = provider.start_span("conformance.parent")
        child = provider.start_span("conformance.child", parent_id=parent)
        assert isinstance(child, str)
        provider.end_span(child)
        provider.end_span(parent)

    def test_error_span(self, provider: TelemetryProvider) -> None:
        span = provider.start_span("conformance.failing")
        provider.end_span(span, status="error", error=RuntimeError("boom"))

    @requires("records")
    def test_span_ids_are_unique_and_non_empty(self, provider: TelemetryProvider) -> None:
        ids = [provider.start_span(f"conformance.unique.{n}") for n in range(200)]
        assert all(ids), "a recording provider must return non-empty span ids"
        assert len(set(ids)) == len(ids), "span ids must be unique"
        for span in ids:
            provider.end_span(span)

    def test_never_raises_on_unknown_or_repeated_spans(self, provider: TelemetryProvider) -> None:
        provider.end_span("no-such-span")
        provider.end_span("")
        span = provider.start_span("conformance.twice")
        provider.end_span(span)
        provider.end_span(span)
        provider.start_span("conformance.orphan", parent_id="no-such-parent")

    def test_never_raises_on_odd_attributes(self, provider: TelemetryProvider) -> None:
        attributes: dict[str, str | int | float | bool] = {
            "unicode.clé": "välue ✓",
            "empty": "",
            "long": "x" * 10_000,
            "int": -1,
            "float": 1e308,
            "bool": False,
        }
        span = provider.start_span("conformance.attrs", attributes)
        provider.end_span(span, attributes=attributes)
        provider.start_span("", None)

    def test_metrics(self, provider: TelemetryProvider) -> None:
        provider.record_metric("conformance.latency", 12.5, unit="ms", attributes={"k": "v"})
        provider.record_metric("conformance.zero", 0.0)
        provider.record_metric("conformance.negative", -3.0)
        provider.record_metric("conformance.nan", math.nan)
        provider.record_metric("conformance.inf", math.inf, unit="")

    def test_flush(self, provider: TelemetryProvider) -> None:
        span = provider.start_span("conformance.flush")
        provider.end_span(span)
        provider.flush()
        provider.flush()

    def test_threads(self, provider: TelemetryProvider) -> None:
        errors: list[BaseException] = []
        ids: list[str] = []
        lock = threading.Lock()

        def work(n: int) -> None:
            try:
                for m in range(50):
                    span = provider.start_span(f"conformance.thread.{n}.{m}")
                    provider.record_metric("conformance.thread.metric", float(m))
                    provider.end_span(span)
                    with lock:
                        ids.append(span)
            except BaseException as exc:  # collected and asserted below
                errors.append(exc)

        threads = [threading.Thread(target=work, args=(n,)) for n in range(8)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=30)
        assert not errors, errors
        non_empty = [i for i in ids if i]
        assert len(set(non_empty)) == len(non_empty), "span ids collided across threads"

    @pytest.mark.asyncio
    async def test_tasks_and_cancellation(self, provider: TelemetryProvider) -> None:
        started = asyncio.Event()

        async def traced(n: int) -> None:
            span = provider.start_span(f"conformance.task.{n}")
            try:
                started.set()
                await asyncio.sleep(10)
            finally:
                provider.end_span(span, status="cancelled")

        tasks = [asyncio.create_task(traced(n)) for n in range(20)]
        await started.wait()
        for task in tasks:
            task.cancel()
        results = await asyncio.gather(*tasks, return_exceptions=True)
        assert all(isinstance(r, asyncio.CancelledError) for r in results)

    def test_ended_spans_are_exported(
        self, provider: TelemetryProvider, harness: TelemetryHarness
    ) -> None:
        span = provider.start_span("conformance.exported.MARKER-9f2")
        provider.end_span(span)
        provider.flush()
        assert any("MARKER-9f2" in repr(item) for item in harness.exported())
