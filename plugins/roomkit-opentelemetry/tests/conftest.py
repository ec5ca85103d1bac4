"""An in-memory OpenTelemetry setup per test."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from roomkit_opentelemetry.testing import InMemoryOpenTelemetry


@pytest.fixture
def otel() -> Iterator[InMemoryOpenTelemetry]:
    setup = InMemoryOpenTelemetry.create()
    yield setup
    setup.shutdown()


@pytest.fixture(autouse=True)
def _no_span_left_current() -> Iterator[None]:
    """Every test ends the spans it starts: none stays the current span of the thread."""
    from opentelemetry import trace

    yield
    assert trace.get_current_span() is trace.INVALID_SPAN, "a span was left current"
