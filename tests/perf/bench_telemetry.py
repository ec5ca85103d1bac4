"""Telemetry overhead on the text path: the same workload with and without telemetry.

    .venv/bin/python tests/perf/bench_telemetry.py            # plain and hooks, 3 rounds
    .venv/bin/python tests/perf/bench_telemetry.py --variant plain --n 1000 --runs 1

Workload: one room, two WebSocket channels with no-op send callbacks (``bench_text.py``'s
``plain``); ``hooks`` adds 3 sync BEFORE_BROADCAST hooks and 2 async AFTER_BROADCAST hooks.
Messages go one after another through ``process_inbound`` after a warm-up. Configurations:

- ``none``: no telemetry (the default no-op provider; the engine skips every call);
- ``mock``: the kernel's ``MockTelemetryProvider`` (recording in lists);
- ``otel-api``: ``OpenTelemetryProvider`` on the OpenTelemetry API without an SDK (no-op tracer);
- ``otel-noop``: the SDK with a ``BatchSpanProcessor`` to an exporter that drops everything and
  an in-memory metric reader (what a production setup pays in-process);
- ``otel-sampled``: ``otel-noop`` keeping 10% of traces (``ParentBased(TraceIdRatioBased(0.1))``,
  a common production setting); metrics still count every span;
- ``otel-memory``: the SDK with a ``SimpleSpanProcessor`` to the in-memory span exporter
  (export in line, as the tests use it).

Configurations run interleaved, round after round, so machine load hits them alike; medians of
the rounds are reported with the overhead against ``none``. Numbers are reported, never
asserted. The last line of output is one JSON object with everything.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from typing import Any

from _common import (  # the same room and hooks as bench_text.py
    WS_CHANNELS,
    Counters,
    _install_hooks,
    _make_send,
    latency_stats,
    send_timed,
)

from roomkit import RoomKit, WebSocketChannel
from roomkit.telemetry import MockTelemetryProvider, TelemetryProvider

ROOM = "bench-room"
CONFIGS = ("none", "mock", "otel-api", "otel-noop", "otel-sampled", "otel-memory")


def _otel(config: str) -> tuple[TelemetryProvider, Callable[[], None]]:
    from opentelemetry import trace
    from opentelemetry.sdk.metrics import MeterProvider
    from opentelemetry.sdk.metrics.export import InMemoryMetricReader
    from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
    from opentelemetry.sdk.trace.export import (
        BatchSpanProcessor,
        SimpleSpanProcessor,
        SpanExporter,
        SpanExportResult,
    )
    from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
    from opentelemetry.sdk.trace.sampling import ParentBased, TraceIdRatioBased
    from roomkit_opentelemetry import OpenTelemetryProvider

    if config == "otel-api":
        noop = OpenTelemetryProvider(tracer_provider=trace.NoOpTracerProvider())
        return noop, lambda: None

    class DropExporter(SpanExporter):
        def export(self, spans: Sequence[ReadableSpan]) -> SpanExportResult:
            return SpanExportResult.SUCCESS

    sampler = ParentBased(TraceIdRatioBased(0.1)) if config == "otel-sampled" else None
    tracer_provider = TracerProvider(sampler=sampler)
    if config in ("otel-noop", "otel-sampled"):
        tracer_provider.add_span_processor(BatchSpanProcessor(DropExporter()))
    else:
        tracer_provider.add_span_processor(SimpleSpanProcessor(InMemorySpanExporter()))
    meter_provider = MeterProvider(metric_readers=[InMemoryMetricReader()])
    provider = OpenTelemetryProvider(tracer_provider=tracer_provider, meter_provider=meter_provider)

    def shutdown() -> None:
        tracer_provider.shutdown()
        meter_provider.shutdown()

    return provider, shutdown


def make_telemetry(config: str) -> tuple[TelemetryProvider | None, Callable[[], None]]:
    if config == "none":
        return None, lambda: None
    if config == "mock":
        return MockTelemetryProvider(), lambda: None
    return _otel(config)


async def build(telemetry: TelemetryProvider | None, counters: Counters, hooks: bool) -> RoomKit:
    """``bench_text.py``'s room (same channels, same hooks) with ``telemetry``."""
    kit = RoomKit(telemetry=telemetry)
    for channel_id in WS_CHANNELS:
        kit.register_channel(WebSocketChannel(channel_id))
        await kit.connect_websocket(channel_id, f"{channel_id}-conn", _make_send(counters))
    if hooks:
        _install_hooks(kit, counters)
    await kit.create_room(room_id=ROOM)
    for channel_id in WS_CHANNELS:
        await kit.attach_channel(ROOM, channel_id)
    return kit


async def one_run(config: str, variant: str, n: int, warmup: int) -> dict[str, Any]:
    telemetry, shutdown = make_telemetry(config)
    counters = Counters()
    kit = await build(telemetry, counters, hooks=variant == "hooks")
    for i in range(warmup):
        await send_timed(kit, -1 - i)
    if isinstance(telemetry, MockTelemetryProvider):
        telemetry.reset()  # keep memory (and gc pressure) to the timed part
    latencies: list[int] = []
    start = time.perf_counter()
    for i in range(n):
        latencies.append(await send_timed(kit, i))
    wall = time.perf_counter() - start
    await kit.close()
    shutdown()
    return {**latency_stats(latencies, wall), "deliveries_per_msg": counters.deliveries / n}


def measure(variant: str, configs: Sequence[str], n: int, warmup: int, runs: int) -> dict[str, Any]:
    rounds: dict[str, list[dict[str, Any]]] = {c: [] for c in configs}
    for _ in range(runs):
        for config in configs:
            gc.collect()
            rounds[config].append(asyncio.run(one_run(config, variant, n, warmup)))
    result: dict[str, Any] = {}
    for config, runs_of in rounds.items():
        result[config] = {
            "msgs_per_s": statistics.median(r["msgs_per_s"] for r in runs_of),
            "mean_us": statistics.median(r["mean_ms"] for r in runs_of) * 1000,
            "p99_us": statistics.median(r["p99_ms"] for r in runs_of) * 1000,
            "all_msgs_per_s": [round(r["msgs_per_s"]) for r in runs_of],
        }
    base = result.get("none")
    for config, numbers in result.items():
        if base is not None and config != "none":
            numbers["overhead_pct"] = 100.0 * (base["msgs_per_s"] / numbers["msgs_per_s"] - 1.0)
            numbers["extra_us_per_msg"] = numbers["mean_us"] - base["mean_us"]
    return result


def table(variant: str, result: dict[str, Any]) -> str:
    lines = [
        f"### text_{variant}",
        "",
        "| telemetry | msg/s | mean µs | p99 µs | overhead | extra µs/msg |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for config, r in result.items():
        overhead = f"{r['overhead_pct']:.1f}%" if "overhead_pct" in r else "-"
        extra = f"{r['extra_us_per_msg']:.1f}" if "extra_us_per_msg" in r else "-"
        lines.append(
            f"| {config} | {r['msgs_per_s']:.0f} | {r['mean_us']:.1f} | {r['p99_us']:.1f} "
            f"| {overhead} | {extra} |"
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--variant", choices=("plain", "hooks", "both"), default="both")
    parser.add_argument("--configs", default=",".join(CONFIGS))
    parser.add_argument("--n", type=int, default=2000)
    parser.add_argument("--warmup", type=int, default=200)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    configs = [c for c in args.configs.split(",") if c]
    unknown = set(configs) - set(CONFIGS)
    if unknown:
        parser.error(f"unknown configs {sorted(unknown)}; choose from {', '.join(CONFIGS)}")
    variants = ("plain", "hooks") if args.variant == "both" else (args.variant,)
    results = {}
    for variant in variants:
        results[f"text_{variant}"] = measure(variant, configs, args.n, args.warmup, args.runs)
        print(table(variant, results[f"text_{variant}"]), end="\n\n", flush=True)
    line = {"workload": "telemetry", "n": args.n, "runs": args.runs, "results": results}
    sys.stdout.write(json.dumps(line) + "\n")


if __name__ == "__main__":
    main()
