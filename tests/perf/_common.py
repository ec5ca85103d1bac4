"""Shared helpers for the benchmark workloads.

Every workload script runs unchanged under our kernel (Python 3.11) and under the original
RoomKit 0.6.7 (Python 3.12), so this module only uses the seed README's public API plus the few
call shapes listed in ``README.md`` (``connect_websocket``, ``HookExecution``,
``process_inbound(..., room_id=...)``). ``roomkit`` names are imported inside functions so that a
missing name fails only the workload that needs it, with a clear ``ImportError``.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import platform
import statistics
import sys
import time
from collections.abc import Awaitable, Callable, Coroutine, Sequence
from dataclasses import dataclass
from typing import Any

WS_CHANNELS = ("ws-a", "ws-b")
AI_CHANNEL = "ai"
SENDER_CHANNEL = WS_CHANNELS[0]
AI_REPLY = "Sure, here is a short answer."


@dataclass
class Counters:
    """What the callbacks saw: a sanity check that the work really happened."""

    deliveries: int = 0
    sync_hooks: int = 0
    async_hooks: int = 0
    provider_calls: int = 0
    provider_ns: int = 0


def _make_send(counters: Counters) -> Callable[[str, Any], Awaitable[None]]:
    async def send(connection_id: str, event: Any) -> None:
        counters.deliveries += 1

    return send


def _make_ai_channel(counters: Counters) -> Any:
    """An AIChannel on a MockAIProvider whose ``generate`` is timed (provider time)."""
    from roomkit import AIChannel, MockAIProvider

    class TimedMockAIProvider(MockAIProvider):
        async def generate(self, context: Any) -> Any:
            start = time.perf_counter_ns()
            try:
                return await super().generate(context)
            finally:
                counters.provider_ns += time.perf_counter_ns() - start
                counters.provider_calls += 1

    return AIChannel(AI_CHANNEL, provider=TimedMockAIProvider(responses=[AI_REPLY]))


def _install_hooks(kit: Any, counters: Counters) -> None:
    """3 sync BEFORE_BROADCAST hooks that allow, 2 async AFTER_BROADCAST hooks."""
    from roomkit import HookExecution, HookResult, HookTrigger

    async def allow(event: Any, ctx: Any) -> Any:
        counters.sync_hooks += 1
        return HookResult.allow()

    async def after(event: Any, ctx: Any) -> None:
        counters.async_hooks += 1

    # Same as stacking ``@kit.hook(...)`` decorators, once per name.
    for i in range(3):
        kit.hook(HookTrigger.BEFORE_BROADCAST, name=f"allow_{i}")(allow)
    for i in range(2):
        kit.hook(HookTrigger.AFTER_BROADCAST, execution=HookExecution.ASYNC, name=f"after_{i}")(
            after
        )


async def build_kit(
    room_ids: Sequence[str], counters: Counters, *, ai: bool = False, hooks: bool = False
) -> Any:
    """A RoomKit with 2 WebSocket channels (one no-op connection each) in every room."""
    from roomkit import ChannelCategory, RoomKit, WebSocketChannel

    kit = RoomKit()
    for channel_id in WS_CHANNELS:
        kit.register_channel(WebSocketChannel(channel_id))
        await kit.connect_websocket(channel_id, f"{channel_id}-conn", _make_send(counters))
    if ai:
        kit.register_channel(_make_ai_channel(counters))
    if hooks:
        _install_hooks(kit, counters)
    for room_id in room_ids:
        await kit.create_room(room_id=room_id)
        for channel_id in WS_CHANNELS:
            await kit.attach_channel(room_id, channel_id)
        if ai:
            await kit.attach_channel(room_id, AI_CHANNEL, category=ChannelCategory.INTELLIGENCE)
    return kit


def make_message(i: int, sender: str = "user-1") -> Any:
    from roomkit import InboundMessage, TextContent

    return InboundMessage(
        channel_id=SENDER_CHANNEL, sender_id=sender, content=TextContent(body=f"message {i}")
    )


async def send_timed(kit: Any, i: int, room_id: str | None = None) -> int:
    """One ``process_inbound``; returns its latency in ns (message built outside the timer)."""
    message = make_message(i)
    start = time.perf_counter_ns()
    if room_id is None:
        result = await kit.process_inbound(message)
    else:
        result = await kit.process_inbound(message, room_id=room_id)
    elapsed = time.perf_counter_ns() - start
    if getattr(result, "blocked", False):
        raise RuntimeError(f"message {i} was blocked: {getattr(result, 'reason', '?')}")
    return elapsed


async def drain(counters: Counters, field: str, expected: int, timeout: float = 10.0) -> None:
    """Let fire-and-forget work (async hooks, background replies) finish, untimed."""
    deadline = time.monotonic() + timeout
    while getattr(counters, field) < expected and time.monotonic() < deadline:
        await asyncio.sleep(0.001)


def percentile(sorted_values: Sequence[float], q: float) -> float:
    """Nearest-rank percentile of an already sorted sequence."""
    if not sorted_values:
        return float("nan")
    rank = max(0, min(len(sorted_values) - 1, round(q / 100 * len(sorted_values)) - 1))
    return sorted_values[rank]


def latency_stats(latencies_ns: Sequence[int], wall_s: float) -> dict[str, float]:
    ordered = sorted(latencies_ns)
    return {
        "msgs_per_s": len(ordered) / wall_s if wall_s > 0 else float("nan"),
        "p50_ms": percentile(ordered, 50) / 1e6,
        "p99_ms": percentile(ordered, 99) / 1e6,
        "mean_ms": statistics.fmean(ordered) / 1e6 if ordered else float("nan"),
    }


def median_of_runs(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """Median of every numeric key across runs; other keys taken from the last run."""
    merged: dict[str, Any] = dict(runs[-1])
    for key, value in runs[-1].items():
        if isinstance(value, bool):
            continue
        if isinstance(value, int):
            merged[key] = statistics.median_low(run[key] for run in runs)
        elif isinstance(value, float):
            merged[key] = statistics.median(run[key] for run in runs)
    return merged


def run_repeated(
    make_run: Callable[[], Coroutine[Any, Any, dict[str, Any]]], runs: int, spread_key: str
) -> dict[str, Any]:
    """Run ``make_run`` ``runs`` times (fresh event loop and kit each time), medians reported."""
    results: list[dict[str, Any]] = []
    for _ in range(runs):
        gc.collect()
        results.append(asyncio.run(make_run()))
    merged = median_of_runs(results)
    merged["runs"] = runs
    merged[f"{spread_key}_all"] = [round(float(r[spread_key]), 3) for r in results]
    return merged


def base_parser(description: str) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--runs", type=int, default=3, help="repetitions; medians are reported")
    return parser


def emit(workload: str, result: dict[str, Any]) -> None:
    """Print the workload's single JSON line (the runner reads the last line of stdout)."""
    import roomkit

    line = {
        "workload": workload,
        "roomkit_version": getattr(roomkit, "__version__", "unknown"),
        "roomkit_file": getattr(roomkit, "__file__", None),
        "python": platform.python_version(),
        **result,
    }
    sys.stdout.write(json.dumps(line, default=str) + "\n")
    sys.stdout.flush()
