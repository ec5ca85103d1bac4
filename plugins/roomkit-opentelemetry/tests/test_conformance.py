"""OpenTelemetryProvider passes the kernel's telemetry conformance suite."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from roomkit_opentelemetry.testing import otel_telemetry

from roomkit_conformance.suites.telemetry import TelemetryHarness, TelemetryProviderSuite


class TestOpenTelemetryConformance(TelemetryProviderSuite):
    capabilities = frozenset({"records", "traces"})

    @pytest.fixture
    async def component(self) -> AsyncIterator[TelemetryHarness]:
        async for harness in otel_telemetry():
            yield harness
