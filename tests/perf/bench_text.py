"""Workloads 1-3: the text path in one room, messages sent one after another.

Variants:
  plain  1 room, 2 WebSocket channels (no-op send callbacks)
  hooks  plain + 3 sync BEFORE_BROADCAST hooks (allow) + 2 async AFTER_BROADCAST hooks
  ai     plain + an AIChannel on MockAIProvider attached as INTELLIGENCE

Each run: a fresh RoomKit, ``--warmup`` untimed messages, then ``--n`` timed ``process_inbound``
calls (seed call shape: no ``room_id``; the kit routes by channel). ``cpu_us_per_msg``: process
CPU time over the timed part (async hooks drained included) per message, steadier than wall
time on a loaded machine.
"""

from __future__ import annotations

import time
from typing import Any

from _common import (
    Counters,
    base_parser,
    build_kit,
    drain,
    emit,
    latency_stats,
    run_repeated,
    send_timed,
)

ROOM = "bench-room"


async def one_run(variant: str, n: int, warmup: int) -> dict[str, Any]:
    counters = Counters()
    kit = await build_kit([ROOM], counters, ai=variant == "ai", hooks=variant == "hooks")
    for i in range(warmup):
        await send_timed(kit, -1 - i)
    if variant == "hooks":  # the warm-up's fire-and-forget hooks must not land in the timed part
        await drain(counters, "async_hooks", 2 * warmup)
    base = Counters(**vars(counters))
    latencies: list[int] = []
    cpu_start = time.process_time()
    start = time.perf_counter()
    for i in range(n):
        latencies.append(await send_timed(kit, i))
    wall = time.perf_counter() - start
    if variant == "hooks":
        await drain(counters, "async_hooks", base.async_hooks + 2 * n)
    cpu = time.process_time() - cpu_start  # includes the async hooks' work (drained above)
    per_msg = {
        key: (getattr(counters, key) - getattr(base, key)) / n
        for key in ("deliveries", "sync_hooks", "async_hooks", "provider_calls")
    }
    return {
        **latency_stats(latencies, wall),
        "cpu_us_per_msg": cpu / n * 1e6,
        "n": n,
        "per_msg": per_msg,
    }


def main() -> None:
    parser = base_parser(__doc__ or "")
    parser.add_argument("--variant", choices=("plain", "hooks", "ai"), default="plain")
    parser.add_argument("--n", type=int, default=2000)
    parser.add_argument("--warmup", type=int, default=100)
    args = parser.parse_args()
    result = run_repeated(
        lambda: one_run(args.variant, args.n, args.warmup), args.runs, "msgs_per_s"
    )
    emit(f"text_{args.variant}", result)


if __name__ == "__main__":
    main()
