"""The telemetry-provider conformance suite.

Subclass :class:`TelemetryProviderSuite` and provide a ``component`` fixture yielding a
:class:`~roomkit.telemetry.base.TelemetryProvider`, or a :class:`TelemetryHarness` that also
shows what the provider exported. With ``spans`` (finished spans as
:class:`~roomkit.telemetry.spans.Span` records) the suite checks what was recorded: kinds,
names, attributes, parent links, nesting across tasks, errors.

Capabilities:

- ``records``: the provider records spans (anything but a no-op); its span ids are non-empty.
- ``traces``: W3C trace context: ``inject_context`` writes a ``traceparent`` naming the span,
  ``continue_trace`` makes root spans join the caller's trace.

The contract's core rule is tested hardest: telemetry is cheap and **never raises**, whatever
the input (unknown or twice-ended spans, odd attributes, NaN, concurrent use from tasks and
threads, malformed trace headers).
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
from roomkit.telemetry.metrics import Metric
from roomkit.telemetry.propagation import TraceParent
from roomkit.telemetry.spans import Attr, Span, SpanKind
from roomkit_conformance.base import SuiteBase, requires

__all__ = ["TelemetryHarness", "TelemetryProviderSuite"]

REMOTE = TraceParent("4bf92f3577b34da6a3ce929d0e0e4736", "00f067aa0ba902b7", 1, "vendor=abc")


@dataclass
class TelemetryHarness:
    """A provider plus views of what it exported.

    ``exported()``: everything exported so far, in any form (spans, metrics, log lines).
    ``spans()``: the finished spans as :class:`Span` records (``None``: not available).
    """

    provider: TelemetryProvider
    exported: Callable[[], Sequence[Any]]
    spans: Callable[[], Sequence[Span]] | None = None


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

    @pytest.fixture
    def finished(self, harness: TelemetryHarness) -> Callable[[], list[Span]]:
        """Finished spans (after a flush); skips when the harness has no span view."""
        view = harness.spans
        if view is None:
            pytest.skip("harness has no span view")

        def read() -> list[Span]:
            harness.provider.flush()
            return list(view())

        return read

    # -- the contract's shape --------------------------------------------------------------
    def test_is_a_telemetry_provider(self, provider: TelemetryProvider) -> None:
        assert isinstance(provider, TelemetryProvider)
        assert isinstance(provider.name, str)
        assert provider.name

    def test_span_lifecycle(self, provider: TelemetryProvider) -> None:
        span = provider.start_span(
            SpanKind.LLM_GENERATE,
            "conformance.span",
            attributes={Attr.PROVIDER: "p", "n": 1},
            room_id="r1",
            session_id="s1",
            channel_id="c1",
        )
        assert isinstance(span, str)
        provider.set_attribute(span, Attr.LLM_INPUT_TOKENS, 12)
        provider.end_span(span, status="ok", attributes={"done": True})

    def test_nested_spans(self, provider: TelemetryProvider) -> None:
        parent = provider.start_span(SpanKind.INBOUND_PIPELINE, "conformance.parent")
        child = provider.start_span(SpanKind.HOOK_SYNC, "conformance.child", parent_id=parent)
        assert isinstance(child, str)
        provider.end_span(child)
        provider.end_span(parent)

    def test_error_span(self, provider: TelemetryProvider) -> None:
        span = provider.start_span(SpanKind.DELIVERY, "conformance.failing")
        provider.end_span(span, status="error", error_message="boom")
        span = provider.start_span(SpanKind.DELIVERY, "conformance.failing.exc")
        provider.record_exception(span, RuntimeError("boom"))
        provider.end_span(span, status="error", error=RuntimeError("boom"))

    def test_engine_call_shape(self, provider: TelemetryProvider) -> None:
        """The engine's ``start_span(name, attributes)`` calls (until it passes kinds)."""
        span = provider.start_span("roomkit.process_inbound", {"channel_id": "c"})
        provider.end_span(span, attributes={"room_id": "r"})
        span = provider.start_span("llm.generate")
        provider.end_span(span)

    def test_span_context_manager(self, provider: TelemetryProvider) -> None:
        with provider.span(SpanKind.CUSTOM, "conformance.with", room_id="r") as span:
            assert isinstance(span, str)
        error = ValueError("inner")
        with (
            pytest.raises(ValueError, match="inner") as raised,
            provider.span(SpanKind.CUSTOM, "conformance.with.error"),
        ):
            raise error
        assert raised.value is error

    @requires("records")
    def test_span_ids_are_unique_and_non_empty(self, provider: TelemetryProvider) -> None:
        ids = [provider.start_span(SpanKind.CUSTOM, f"conformance.unique.{n}") for n in range(200)]
        assert all(ids), "a recording provider must return non-empty span ids"
        assert len(set(ids)) == len(ids), "span ids must be unique"
        for span in ids:
            provider.end_span(span)

    def test_never_raises_on_unknown_or_repeated_spans(self, provider: TelemetryProvider) -> None:
        provider.end_span("no-such-span")
        provider.end_span("")
        provider.set_attribute("no-such-span", "k", "v")
        provider.record_exception("no-such-span", RuntimeError("x"))
        provider.get_span_context("no-such-span")
        span = provider.start_span(SpanKind.CUSTOM, "conformance.twice")
        provider.end_span(span)
        provider.end_span(span)
        provider.set_attribute(span, "late", 1)
        orphan = provider.start_span(SpanKind.CUSTOM, "conformance.orphan", parent_id="no-parent")
        provider.end_span(orphan)
        provider.end_span(provider.start_span("not-a-kind", None))

    def test_never_raises_on_odd_attributes(self, provider: TelemetryProvider) -> None:
        attributes: dict[str, Any] = {
            "unicode.clé": "välue ✓",
            "empty": "",
            "long": "x" * 10_000,
            "int": -1,
            "float": 1e308,
            "bool": False,
            "none": None,
            "list": [1, 2, 3],
            "dict": {"nested": True},
            "object": object(),
        }
        span = provider.start_span(SpanKind.CUSTOM, "conformance.attrs", attributes=attributes)
        for key, value in attributes.items():
            provider.set_attribute(span, key, value)
        provider.end_span(span, attributes=attributes)

    def test_metrics(self, provider: TelemetryProvider) -> None:
        provider.record_metric("conformance.latency", 12.5, unit="ms", attributes={"k": "v"})
        provider.record_metric("conformance.zero", 0.0)
        provider.record_metric("conformance.negative", -3.0)
        provider.record_metric("conformance.nan", math.nan)
        provider.record_metric("conformance.inf", math.inf, unit="")
        provider.record_metric(Metric.ERRORS, 1, attributes={"stage": "x", "type": "E"})
        provider.record_metric(Metric.INBOUND_DURATION, 3.5, unit="ms")
        provider.record_metric(Metric.ERRORS, 1, unit="ms")  # unit disagreeing with the table

    def test_trace_headers_never_raise(self, provider: TelemetryProvider) -> None:
        for headers in (
            {},
            {"traceparent": "garbage"},
            {"traceparent": "00-" + "0" * 32 + "-" + "0" * 16 + "-01"},
            {"TraceParent": REMOTE.traceparent, "TRACESTATE": "x" * 5000},
        ):
            with provider.continue_trace(headers):
                span = provider.start_span(SpanKind.CUSTOM, "conformance.headers")
                out: dict[str, str] = {}
                provider.inject_context(out, span)
                provider.inject_context(out)
                provider.end_span(span)
        provider.inject_context({}, "no-such-span")

    def test_flush_close_reset(self, provider: TelemetryProvider) -> None:
        span = provider.start_span(SpanKind.CUSTOM, "conformance.flush")
        provider.end_span(span)
        provider.flush()
        provider.flush()
        provider.reset()

    def test_threads(self, provider: TelemetryProvider) -> None:
        errors: list[BaseException] = []
        ids: list[str] = []
        lock = threading.Lock()

        def work(n: int) -> None:
            try:
                for m in range(50):
                    span = provider.start_span(SpanKind.CUSTOM, f"conformance.thread.{n}.{m}")
                    provider.set_attribute(span, "m", m)
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
            span = provider.start_span(SpanKind.CUSTOM, f"conformance.task.{n}")
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

    def test_close_twice(self, provider: TelemetryProvider) -> None:
        provider.close()
        provider.close()

    # -- what was exported -----------------------------------------------------------------
    def test_ended_spans_are_exported(
        self, provider: TelemetryProvider, harness: TelemetryHarness
    ) -> None:
        span = provider.start_span(SpanKind.CUSTOM, "conformance.exported.MARKER-9f2")
        provider.end_span(span)
        provider.flush()
        assert any("MARKER-9f2" in repr(item) for item in harness.exported())

    def test_recorded_span(
        self, provider: TelemetryProvider, finished: Callable[[], list[Span]]
    ) -> None:
        span_id = provider.start_span(
            SpanKind.LLM_GENERATE,
            "conformance.recorded",
            attributes={Attr.PROVIDER: "p", "n": 1},
            room_id="r1",
            channel_id="c1",
        )
        provider.set_attribute(span_id, Attr.LLM_INPUT_TOKENS, 12)
        provider.end_span(span_id, attributes={"done": True})
        (span,) = [s for s in finished() if s.name == "conformance.recorded"]
        assert span.id == span_id
        assert span.kind is SpanKind.LLM_GENERATE
        assert span.status == "ok"
        assert span.room_id == "r1"
        assert span.channel_id == "c1"
        assert span.attributes[Attr.PROVIDER] == "p"
        assert span.attributes["n"] == 1
        assert span.attributes[Attr.LLM_INPUT_TOKENS] == 12
        assert span.attributes["done"] is True
        assert span.duration_ms is not None
        assert span.duration_ms >= 0

    def test_recorded_error(
        self, provider: TelemetryProvider, finished: Callable[[], list[Span]]
    ) -> None:
        with pytest.raises(KeyError), provider.span(SpanKind.HOOK_SYNC, "conformance.raised"):
            raise KeyError("missing")
        span_id = provider.start_span(SpanKind.DELIVERY, "conformance.failed")
        provider.end_span(span_id, status="error", error=TimeoutError("too slow"))
        by_name = {s.name: s for s in finished()}
        raised, failed = by_name["conformance.raised"], by_name["conformance.failed"]
        assert raised.status == "error"
        assert "missing" in (raised.error_message or "")
        assert failed.status == "error"
        assert "too slow" in (failed.error_message or "")

    def test_engine_call_shape_is_recorded(
        self, provider: TelemetryProvider, finished: Callable[[], list[Span]]
    ) -> None:
        span_id = provider.start_span("roomkit.hook", {"hook": "h", "trigger": "before_broadcast"})
        provider.end_span(span_id)
        (span,) = [s for s in finished() if s.id == span_id]
        assert span.kind is SpanKind.HOOK_SYNC
        assert span.name == "roomkit.hook"
        assert span.attributes[Attr.HOOK_NAME] == "h"
        assert span.attributes[Attr.HOOK_TRIGGER] == "before_broadcast"

    def test_explicit_and_implicit_parents(
        self, provider: TelemetryProvider, finished: Callable[[], list[Span]]
    ) -> None:
        root = provider.start_span(SpanKind.INBOUND_PIPELINE, "conformance.root")
        implicit = provider.start_span(SpanKind.HOOK_SYNC, "conformance.implicit")
        provider.end_span(implicit)
        sibling = provider.start_span(SpanKind.DELIVERY, "conformance.sibling")
        provider.end_span(sibling)
        provider.end_span(root)
        explicit = provider.start_span(SpanKind.DELIVERY, "conformance.late", parent_id=root)
        provider.end_span(explicit)
        after = provider.start_span(SpanKind.CUSTOM, "conformance.after")
        provider.end_span(after)
        by_name = {s.name: s for s in finished()}
        assert by_name["conformance.root"].parent_id is None
        for name in ("conformance.implicit", "conformance.sibling", "conformance.late"):
            assert by_name[name].parent_id == root, name
            assert by_name[name].trace_id == by_name["conformance.root"].trace_id, name
        assert by_name["conformance.after"].parent_id is None, "an ended span is no parent"
        assert by_name["conformance.after"].trace_id != by_name["conformance.root"].trace_id

    @pytest.mark.asyncio
    async def test_nesting_follows_tasks(
        self, provider: TelemetryProvider, finished: Callable[[], list[Span]]
    ) -> None:
        both_open = asyncio.Barrier(2)

        async def step(n: int) -> None:
            span = provider.start_span(SpanKind.HOOK_ASYNC, f"conformance.step.{n}")
            await both_open.wait()  # both steps open at once: neither may parent the other
            inner = provider.start_span(SpanKind.CUSTOM, f"conformance.inner.{n}")
            provider.end_span(inner)
            provider.end_span(span)

        root = provider.start_span(SpanKind.INBOUND_PIPELINE, "conformance.tasks")
        await asyncio.gather(step(0), step(1))
        provider.end_span(root)
        by_name = {s.name: s for s in finished()}
        for n in (0, 1):
            step_span = by_name[f"conformance.step.{n}"]
            assert step_span.parent_id == root
            assert by_name[f"conformance.inner.{n}"].parent_id == step_span.id

    @requires("traces")
    def test_inject_context(
        self, provider: TelemetryProvider, finished: Callable[[], list[Span]]
    ) -> None:
        span_id = provider.start_span(SpanKind.DELIVERY, "conformance.outbound")
        explicit: dict[str, str] = {}
        provider.inject_context(explicit, span_id)
        current: dict[str, str] = {}
        provider.inject_context(current)
        provider.end_span(span_id)
        (span,) = [s for s in finished() if s.id == span_id]
        for headers in (explicit, current):
            parsed = TraceParent.from_headers(headers)
            assert parsed is not None, headers
            assert parsed.span_id == span.id
            assert parsed.trace_id == span.trace_id

    @requires("traces")
    def test_continue_trace(
        self, provider: TelemetryProvider, finished: Callable[[], list[Span]]
    ) -> None:
        headers = {"Traceparent": REMOTE.traceparent, "tracestate": REMOTE.tracestate}
        with provider.continue_trace(headers):
            root = provider.start_span(SpanKind.INBOUND_PIPELINE, "conformance.continued")
            child = provider.start_span(SpanKind.HOOK_SYNC, "conformance.continued.child")
            provider.end_span(child)
            provider.end_span(root)
        fresh = provider.start_span(SpanKind.INBOUND_PIPELINE, "conformance.fresh")
        provider.end_span(fresh)
        by_name = {s.name: s for s in finished()}
        continued = by_name["conformance.continued"]
        assert continued.trace_id == REMOTE.trace_id
        assert continued.parent_id == REMOTE.span_id
        assert by_name["conformance.continued.child"].trace_id == REMOTE.trace_id
        assert by_name["conformance.fresh"].trace_id != REMOTE.trace_id
        assert by_name["conformance.fresh"].parent_id is None
