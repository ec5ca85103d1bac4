"""Counters kept in process and observed at collection; their label sets are bounded."""

from __future__ import annotations

import logging
from typing import Any

from opentelemetry.sdk.metrics import MeterProvider
from opentelemetry.sdk.metrics.export import InMemoryMetricReader, NumberDataPoint
from roomkit_opentelemetry.instruments import Instruments


def _points(reader: InMemoryMetricReader, name: str) -> dict[frozenset[Any], float]:
    data = reader.get_metrics_data()
    out: dict[frozenset[Any], float] = {}
    for resource in data.resource_metrics if data else ():
        for scope in resource.scope_metrics:
            for metric in scope.metrics:
                if metric.name == name:
                    for point in metric.data.data_points:
                        assert isinstance(point, NumberDataPoint)
                        out[frozenset((point.attributes or {}).items())] = point.value
    return out


def test_counters_are_cumulative_per_label_set() -> None:
    reader = InMemoryMetricReader()
    instruments = Instruments(MeterProvider(metric_readers=[reader]).get_meter("t"))
    instruments.record("roomkit.messages", 1, {"status": "ok"})
    instruments.record("roomkit.messages", 1, {"status": "ok"})
    instruments.record("roomkit.messages", 1, {"status": "error"})
    instruments.record("roomkit.messages", 2, None)
    first = _points(reader, "roomkit.messages")
    assert first == {
        frozenset({("status", "ok")}): 2,
        frozenset({("status", "error")}): 1,
        frozenset(): 2,
    }
    instruments.record("roomkit.messages", 1, {"status": "ok"})
    assert _points(reader, "roomkit.messages")[frozenset({("status", "ok")})] == 3


def test_label_sets_are_bounded(caplog: Any) -> None:
    reader = InMemoryMetricReader()
    instruments = Instruments(MeterProvider(metric_readers=[reader]).get_meter("t"), max_series=3)
    with caplog.at_level(logging.WARNING, logger="roomkit.telemetry"):
        for n in range(10):
            instruments.record("app.count", 1, {"user": str(n)})
        instruments.record("app.count", 1, {"user": "0"})  # an existing set still counts
    points = _points(reader, "app.count")
    assert len(points) == 3
    assert points[frozenset({("user", "0")})] == 2
    assert len([r for r in caplog.records if "label sets" in r.getMessage()]) == 1
