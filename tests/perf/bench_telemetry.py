"""Telemetry overhead on the text path: the same workload with and without telemetry.

    .venv/bin/python tests/perf/bench_telemetry.py            # plain and hooks, 5 rounds
    .venv/bin/python tests/perf/bench_telemetry.py --variant plain --n 1000 --runs 5

Workload: one room, two WebSocket channels with no-op send callbacks (``bench_text.py``'s
``plain``); ``hooks`` adds 3 sync BEFORE_BROADCAST hooks and 2 async AFTER_BROADCAST hooks.
Messages go one after another through ``process_inbound`` after a warm-up. Configurations
(every OpenTelemetry one uses the SDK's ``TracerProvider`` with a ``BatchSpanProcessor`` to an
exporter that drops everything, on the batch thread, and a ``MeterProvider`` with an in-memory
reader, unless said otherwise):

- ``none``: no telemetry (the default no-op provider; the engine skips every call);
- ``mock``: the kernel's ``MockTelemetryProvider`` (recording in lists);
- ``null``: a provider that records nothing but is not the no-op one: what the engine's own
  telemetry call sites cost;
- ``full``: every message traced (the SDK's default always-on sampler), all metrics;
- ``ratio``: ``ParentBased(TraceIdRatioBased(0.1))`` (10% of messages traced), all metrics;
- ``ratio-counts``: ``ratio`` with ``step_metrics="counts"`` (message counter and latency
  histogram, step counters: deliveries by status, hook calls and failures ...);
- ``ratio-msg``: ``ratio`` with ``step_metrics="none"`` (message metrics only);
- ``ratio0-counts``: ``ratio-counts`` with a ratio of 0 (no trace kept: what a dropped message
  costs); ``ratio1pc-...``: a ratio of 0.01;
- ``-compact`` in a name: ``detail="compact"`` (route, broadcast, store as span events), e.g.
  ``full-compact``, ``ratio-compact-counts``, ``ratio1pc-compact-counts`` (**the recommended
  production configuration** with a ratio of 0.01; ``ratio-compact-counts`` is it at 0.1);
- ``-traced`` in a name: ``latency_histograms="traced"`` (latency histograms from the sampled
  messages only; every counter still counts every message);
- ``prod1pc`` / ``prod10pc``: **the recommended production configuration**:
  ``ParentBased(TraceIdRatioBased(0.01))`` (``0.1``), ``detail="compact"``,
  ``step_metrics="counts"``, ``latency_histograms="traced"``; ``prod100pc`` is it with every
  message traced (a ratio of 1): with ``ratio0-counts-traced`` (every message dropped) it gives
  the cost of a traced and of a dropped message without sampling noise, so the expected cost
  at a ratio ``r`` is ``dropped + r (traced - dropped)``;
- ``metrics``: metrics only (OpenTelemetry API tracer without an SDK: no spans), all metrics;
- ``metrics-counts``: ``metrics`` with ``step_metrics="counts"``;
- ``kit-sampled``: ``full`` with ``TelemetryConfig(sample_rate=0.1)``: the engine records 10% of
  messages (no span and no metric at all for the others);
- ``memory``: always-on with a ``SimpleSpanProcessor`` to the in-memory span exporter (export in
  line, as the tests use it).

Instructions per message (the stable number on a shared machine): ``--drive`` sends ``--n``
messages of one configuration and variant with no timing at all, for ``valgrind
--tool=callgrind``; the count of a 500-message run minus that of a 100-message run, over 400,
is the cost of one message (start-up, imports and warm-up cancel out)::

    PYTHONHASHSEED=0 valgrind --tool=callgrind --callgrind-out-file=/tmp/cg.500 \
        .venv/bin/python tests/perf/bench_telemetry.py --drive --configs prod1pc \
        --variant plain --n 500

Configurations run interleaved, round after round, so machine load hits them alike. The
overhead is by CPU time per message (``time.process_time``: every thread of the process, so
the batch export thread counts), against ``none``, as the median of the rounds, and from
the best round of each (the least disturbed by other processes on a shared machine); wall-clock
throughput is reported next to it. Numbers are reported, never asserted. The last line of
output is one JSON object with everything.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import os
import random
import signal
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
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
from roomkit.telemetry import MockTelemetryProvider, TelemetryConfig, TelemetryProvider

ROOM = "bench-room"
CONFIGS = (
    "none",
    "mock",
    "null",
    "full",
    "ratio",
    "ratio-counts",
    "ratio-msg",
    "ratio0-counts",
    "full-compact",
    "ratio-compact-counts",
    "ratio1pc-compact-counts",
    "prod1pc",
    "prod10pc",
    "prod100pc",
    "ratio0-counts-traced",
    "ratio1pc-compact-msg-traced",
    "metrics",
    "metrics-counts",
    "kit-sampled",
    "memory",
)
DEFAULT_CONFIGS = (
    "none",
    "null",
    "full",
    "ratio",
    "ratio-compact-counts",
    "ratio1pc-compact-counts",
    "prod1pc",
    "prod10pc",
    "metrics-counts",
)


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
    from roomkit_opentelemetry.provider import Detail, LatencyHistograms, StepMetrics

    class DropExporter(SpanExporter):
        def export(self, spans: Sequence[ReadableSpan]) -> SpanExportResult:
            return SpanExportResult.SUCCESS

    meter_provider = MeterProvider(metric_readers=[InMemoryMetricReader()])
    if config.startswith("prod"):  # the recommended production configuration
        rate = {"prod1pc": "1pc", "prod100pc": "100pc"}.get(config, "")
        config = f"ratio{rate}-compact-counts-traced"
    latencies: LatencyHistograms = "traced" if "-traced" in config else "all"
    step_metrics: StepMetrics = (
        "counts" if "-counts" in config else "none" if "-msg" in config else "all"
    )
    detail: Detail = "compact" if "-compact" in config else "full"
    if config.startswith("metrics"):
        provider = OpenTelemetryProvider(
            tracer_provider=trace.NoOpTracerProvider(),
            meter_provider=meter_provider,
            step_metrics=step_metrics,
        )
        return provider, meter_provider.shutdown

    ratio = 0.0 if config.startswith("ratio0") else 0.1  # ratio0: every trace dropped
    ratio = 0.01 if config.startswith("ratio1pc") else ratio
    ratio = 1.0 if config.startswith("ratio100pc") else ratio
    sampler = ParentBased(TraceIdRatioBased(ratio)) if config.startswith("ratio") else None
    tracer_provider = TracerProvider(sampler=sampler)
    if config == "memory":
        tracer_provider.add_span_processor(SimpleSpanProcessor(InMemorySpanExporter()))
    else:
        tracer_provider.add_span_processor(BatchSpanProcessor(DropExporter()))
    provider = OpenTelemetryProvider(
        tracer_provider=tracer_provider,
        meter_provider=meter_provider,
        step_metrics=step_metrics,
        detail=detail,
        latency_histograms=latencies,
    )

    def shutdown() -> None:
        tracer_provider.shutdown()
        meter_provider.shutdown()

    return provider, shutdown


class _NullProvider(TelemetryProvider):
    """Records nothing, but is not the no-op provider: the engine's call sites still run."""

    def start_span(self, kind: Any, name: str | None = None, **options: Any) -> str:
        return ""

    def end_span(self, span_id: str, **options: Any) -> None:
        return None

    def record_metric(self, name: str, value: float, **options: Any) -> None:
        return None


def make_telemetry(
    config: str,
) -> tuple[TelemetryProvider | TelemetryConfig | None, Callable[[], None]]:
    if config == "none":
        return None, lambda: None
    if config == "mock":
        return MockTelemetryProvider(), lambda: None
    if config == "null":
        return _NullProvider(), lambda: None
    if config == "kit-sampled":
        provider, shutdown = _otel("full")
        return TelemetryConfig(provider=provider, sample_rate=0.1), shutdown
    return _otel(config)


async def build(
    telemetry: TelemetryProvider | TelemetryConfig | None, counters: Counters, hooks: bool
) -> RoomKit:
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
    gc.collect()
    cpu = time.process_time()
    start = time.perf_counter()
    for i in range(n):
        latencies.append(await send_timed(kit, i))
    wall = time.perf_counter() - start
    cpu = time.process_time() - cpu  # the batch export thread's work meanwhile counts too
    await kit.close()
    shutdown()
    return {
        **latency_stats(latencies, wall),
        "cpu_us_per_msg": cpu / n * 1e6,
        "deliveries_per_msg": counters.deliveries / n,
    }


def _pause(path: str | None, step: int) -> None:
    """With ``--pause PATH``: create ``PATH.ready<step>`` and wait for ``SIGUSR1`` or
    ``PATH.go<step>`` (a script dumps callgrind's counters meanwhile, so the dump between
    two pauses counts the messages only). The wait runs next to no code (a flag test per
    50 ms sleep, the file looked for once a second): a wait that polls a file every few ms
    adds its own instructions to the dump, more the longer the dump takes."""
    if path is None:
        return
    woken: list[int] = []
    previous = signal.signal(signal.SIGUSR1, lambda signum, frame: woken.append(signum))
    try:
        Path(f"{path}.ready{step}").touch()
        go = f"{path}.go{step}"
        ticks = 0
        while not woken:
            time.sleep(0.05)
            ticks += 1
            if ticks % 20 == 0 and os.path.exists(go):
                break
    finally:
        signal.signal(signal.SIGUSR1, previous)


async def drive(config: str, variant: str, n: int, warmup: int, pause: str | None = None) -> None:
    """``n`` messages with no timing (the ``--drive`` mode: a callgrind driver)."""
    random.seed(0)  # the same sampled messages from run to run (ratio samplers draw from it)
    telemetry, shutdown = make_telemetry(config)
    counters = Counters()
    kit = await build(telemetry, counters, hooks=variant == "hooks")
    for i in range(warmup):
        await send_timed(kit, -1 - i)
    if isinstance(telemetry, MockTelemetryProvider):
        telemetry.reset()
    gc.collect()
    gc.freeze()  # the warm-up's objects: not traversed again by the timed part's collections
    _pause(pause, 1)
    for i in range(n):
        await send_timed(kit, i)
    _pause(pause, 2)
    await kit.close()
    shutdown()


def measure(variant: str, configs: Sequence[str], n: int, warmup: int, runs: int) -> dict[str, Any]:
    rounds: dict[str, list[dict[str, Any]]] = {c: [] for c in configs}
    for _ in range(runs):
        for config in configs:
            gc.collect()
            rounds[config].append(asyncio.run(one_run(config, variant, n, warmup)))
    result: dict[str, Any] = {}
    for config, runs_of in rounds.items():
        result[config] = {
            "cpu_us_per_msg": statistics.median(r["cpu_us_per_msg"] for r in runs_of),
            "min_cpu_us_per_msg": min(r["cpu_us_per_msg"] for r in runs_of),
            "all_cpu_us_per_msg": [round(r["cpu_us_per_msg"], 1) for r in runs_of],
            "msgs_per_s": statistics.median(r["msgs_per_s"] for r in runs_of),
            "mean_us": statistics.median(r["mean_ms"] for r in runs_of) * 1000,
            "p99_us": statistics.median(r["p99_ms"] for r in runs_of) * 1000,
            "all_msgs_per_s": [round(r["msgs_per_s"]) for r in runs_of],
        }
    base = result.get("none")
    for config, numbers in result.items():
        if base is not None and config != "none":
            cpu, base_cpu = numbers["cpu_us_per_msg"], base["cpu_us_per_msg"]
            numbers["overhead_pct"] = 100.0 * (cpu / base_cpu - 1.0)
            numbers["extra_cpu_us_per_msg"] = cpu - base_cpu
            best, base_best = numbers["min_cpu_us_per_msg"], base["min_cpu_us_per_msg"]
            numbers["min_overhead_pct"] = 100.0 * (best / base_best - 1.0)
            numbers["wall_overhead_pct"] = 100.0 * (
                base["msgs_per_s"] / numbers["msgs_per_s"] - 1.0
            )
    return result


def table(variant: str, result: dict[str, Any]) -> str:
    lines = [
        f"### text_{variant}",
        "",
        "| telemetry | CPU µs/msg | CPU overhead | extra CPU µs/msg | best CPU µs/msg "
        "| best overhead | msg/s (wall) | wall overhead | p99 µs |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for config, r in result.items():
        overhead = f"{r['overhead_pct']:+.1f}%" if "overhead_pct" in r else "-"
        extra = f"{r['extra_cpu_us_per_msg']:.1f}" if "extra_cpu_us_per_msg" in r else "-"
        wall = f"{r['wall_overhead_pct']:+.1f}%" if "wall_overhead_pct" in r else "-"
        best = f"{r['min_overhead_pct']:+.1f}%" if "min_overhead_pct" in r else "-"
        lines.append(
            f"| {config} | {r['cpu_us_per_msg']:.1f} | {overhead} | {extra} "
            f"| {r['min_cpu_us_per_msg']:.1f} | {best} "
            f"| {r['msgs_per_s']:.0f} | {wall} | {r['p99_us']:.1f} |"
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--variant", choices=("plain", "hooks", "both"), default="both")
    parser.add_argument(
        "--configs", default=",".join(DEFAULT_CONFIGS), help=f"from {', '.join(CONFIGS)}"
    )
    parser.add_argument("--n", type=int, default=2000)
    parser.add_argument("--warmup", type=int, default=200)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument(
        "--drive",
        action="store_true",
        help="send --n messages of one config and variant, untimed (for callgrind)",
    )
    parser.add_argument(
        "--pause",
        metavar="PATH",
        help="with --drive: touch PATH.ready1 / PATH.ready2 before / after the messages and wait "
        "for SIGUSR1 (or PATH.go1 / PATH.go2) each time",
    )
    args = parser.parse_args()
    configs = [c for c in args.configs.split(",") if c]
    unknown = set(configs) - set(CONFIGS)
    if unknown:
        parser.error(f"unknown configs {sorted(unknown)}; choose from {', '.join(CONFIGS)}")
    variants = ("plain", "hooks") if args.variant == "both" else (args.variant,)
    if args.drive:
        if len(configs) != 1 or len(variants) != 1:
            parser.error("--drive takes one config (--configs) and one --variant")
        asyncio.run(drive(configs[0], variants[0], args.n, args.warmup, args.pause))
        return
    results = {}
    for variant in variants:
        results[f"text_{variant}"] = measure(variant, configs, args.n, args.warmup, args.runs)
        print(table(variant, results[f"text_{variant}"]), end="\n\n", flush=True)
    line = {"workload": "telemetry", "n": args.n, "runs": args.runs, "results": results}
    sys.stdout.write(json.dumps(line) + "\n")


if __name__ == "__main__":
    main()
