"""Workload 5: does the per-message cost grow with room history?

``--n`` messages into ONE room (2 WebSocket channels, no hooks; plus the AI channel with
``--ai``). Reports the rate of the first 10% and the last 10% of the messages (1 / median
latency in each window) and ``last_over_first`` (1.0 = no slowdown; the mean-based ratio is
reported too). Stops early after ``--budget-s`` seconds; then the 10%
windows are of the messages actually sent and ``truncated`` is true. Code paths are warmed
first in a separate, discarded kit. One run only (``--runs`` is ignored): the workload is long
and its two windows already compare like with like.
"""

from __future__ import annotations

import asyncio
import statistics
import time
from typing import Any

from _common import Counters, base_parser, build_kit, emit, send_timed

ROOM = "history-room"


async def one_run(n: int, budget_s: float, warmup: int, ai: bool) -> dict[str, Any]:
    # Warm the code paths in a throwaway kit so the first window is not a cold start.
    scratch = await build_kit([ROOM], Counters(), ai=ai)
    for i in range(warmup):
        await send_timed(scratch, -1 - i)
    del scratch
    counters = Counters()
    kit = await build_kit([ROOM], counters, ai=ai)
    latencies: list[int] = []
    start = time.perf_counter()
    for i in range(n):
        latencies.append(await send_timed(kit, i))
        if i % 500 == 0 and time.perf_counter() - start > budget_s:
            break
    wall = time.perf_counter() - start
    done = len(latencies)
    window = max(1, done // 10)
    first, last = latencies[:window], latencies[-window:]
    # Median-based rates resist stalls caused by other processes on a shared machine.
    first_rate, last_rate = 1e9 / statistics.median(first), 1e9 / statistics.median(last)
    return {
        "n_requested": n,
        "n_done": done,
        "truncated": done < n,
        "wall_s": wall,
        "msgs_per_s": done / wall,
        "first_10pct_msgs_per_s": first_rate,
        "last_10pct_msgs_per_s": last_rate,
        "last_over_first": last_rate / first_rate,
        "last_over_first_mean_based": sum(first) / sum(last),
        "deliveries_per_msg": counters.deliveries / done,
    }


def main() -> None:
    parser = base_parser(__doc__ or "")
    parser.add_argument("--n", type=int, default=50_000)
    parser.add_argument("--budget-s", type=float, default=90.0)
    parser.add_argument("--warmup", type=int, default=200, help="messages in a throwaway kit")
    parser.add_argument("--ai", action="store_true")
    args = parser.parse_args()
    result = asyncio.run(one_run(args.n, args.budget_s, args.warmup, args.ai))
    emit("history_ai" if args.ai else "history", result)


if __name__ == "__main__":
    main()
