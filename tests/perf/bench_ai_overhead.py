"""Workload 8: framework overhead per AI turn, excluding the provider's own time.

Two fresh kits per run, same ``--n`` messages into one room: one with only the 2 WebSocket
channels, one with the AIChannel on a MockAIProvider whose ``generate`` is timed. Then

    overhead per AI turn = mean latency (with AI) - mean latency (without AI)
                           - mean provider time per turn

i.e. what the framework adds to answer a message with AI: building the AI context, storing the
reply event and broadcasting it. Includes history effects (the AI room stores 2 events per
message), as a user would see them.
"""

from __future__ import annotations

import statistics
import time
from typing import Any

from _common import Counters, base_parser, build_kit, emit, run_repeated, send_timed

ROOM = "ai-room"


async def _mean_latency_ns(n: int, warmup: int, ai: bool) -> tuple[float, Counters]:
    counters = Counters()
    kit = await build_kit([ROOM], counters, ai=ai)
    for i in range(warmup):
        await send_timed(kit, -1 - i)
    counters.provider_calls = counters.provider_ns = 0
    latencies = [await send_timed(kit, i) for i in range(n)]
    return statistics.fmean(latencies), counters


async def one_run(n: int, warmup: int) -> dict[str, Any]:
    start = time.perf_counter()
    plain_ns, _ = await _mean_latency_ns(n, warmup, ai=False)
    ai_ns, counters = await _mean_latency_ns(n, warmup, ai=True)
    turns = counters.provider_calls
    provider_ns = counters.provider_ns / turns if turns else float("nan")
    return {
        "overhead_per_ai_turn_us": (ai_ns - plain_ns - provider_ns) / 1000,
        "provider_us_per_turn": provider_ns / 1000,
        "mean_latency_ai_us": ai_ns / 1000,
        "mean_latency_plain_us": plain_ns / 1000,
        "ai_turns_per_msg": turns / n,
        "wall_s": time.perf_counter() - start,
    }


def main() -> None:
    parser = base_parser(__doc__ or "")
    parser.add_argument("--n", type=int, default=1000)
    parser.add_argument("--warmup", type=int, default=100)
    args = parser.parse_args()
    result = run_repeated(
        lambda: one_run(args.n, args.warmup), args.runs, "overhead_per_ai_turn_us"
    )
    emit("ai_overhead", result)


if __name__ == "__main__":
    main()
