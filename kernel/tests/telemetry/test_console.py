"""ConsoleTelemetryProvider: the telemetry conformance suite plus its log lines."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from typing import Any

import pytest

from roomkit import ConsoleTelemetryProvider
from roomkit.telemetry import SpanKind
from roomkit_conformance.builtins import console_telemetry
from roomkit_conformance.suites.telemetry import TelemetryHarness, TelemetryProviderSuite


class TestConsoleTelemetryConformance(TelemetryProviderSuite):
    capabilities = frozenset({"records", "traces"})

    @pytest.fixture
    async def component(self) -> AsyncIterator[TelemetryHarness]:
        async for harness in console_telemetry():
            yield harness


def test_spans_are_logged_with_secrets_masked(caplog: Any) -> None:
    provider = ConsoleTelemetryProvider()
    assert provider.name == "console"
    with caplog.at_level(logging.INFO, logger="roomkit.telemetry"):
        span = provider.start_span(
            SpanKind.DELIVERY, "send", attributes={"api_key": "sk-123"}, room_id="r1"
        )
        provider.end_span(span, status="error", error=ValueError("x"), attributes={"token": "t"})
        provider.record_metric("latency", 1.5, unit="ms", attributes={"password": "p"})
    text = "\n".join(r.getMessage() for r in caplog.records)
    assert "span send" in text
    assert "kind=framework.delivery" in text
    assert "status=error" in text
    assert "'room_id': 'r1'" in text
    assert "ValueError" in text
    assert "sk-123" not in text
    assert "'t'" not in text
    assert "'p'" not in text
    assert "metric latency=1.5ms" in text


def test_nothing_is_formatted_below_the_level(caplog: Any) -> None:
    provider = ConsoleTelemetryProvider(level=logging.DEBUG)
    with caplog.at_level(logging.INFO, logger="roomkit.telemetry"):
        provider.end_span(provider.start_span(SpanKind.CUSTOM, "quiet"))
    assert not caplog.records


def test_open_spans_are_bounded() -> None:
    provider = ConsoleTelemetryProvider(max_open_spans=3)
    spans = [provider.start_span(SpanKind.CUSTOM, f"s{i}") for i in range(5)]
    assert len(provider._open) == 3
    provider.end_span(spans[0])  # forgotten: ignored without error
    provider.end_span("unknown")
