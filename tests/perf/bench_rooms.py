"""Workload 4: many rooms in flight at once.

``--rooms`` rooms (each with the 2 WebSocket channels, plus the AI channel with ``--ai``), then
``asyncio.gather`` over the rooms, each room sending ``--per-room`` messages one after another.
Room set-up is not timed. The WebSocket channels are attached to every room, so messages name
their room: ``process_inbound(message, room_id=...)``.
"""

from __future__ import annotations

import asyncio
import time
from typing import Any

from _common import Counters, base_parser, build_kit, emit, latency_stats, run_repeated, send_timed


async def _room_traffic(kit: Any, room_id: str, per_room: int, latencies: list[int]) -> None:
    for i in range(per_room):
        latencies.append(await send_timed(kit, i, room_id=room_id))


async def one_run(rooms: int, per_room: int, ai: bool) -> dict[str, Any]:
    counters = Counters()
    room_ids = [f"room-{r}" for r in range(rooms)]
    setup_start = time.perf_counter()
    kit = await build_kit(room_ids, counters, ai=ai)
    setup_s = time.perf_counter() - setup_start
    latencies: list[int] = []
    start = time.perf_counter()
    await asyncio.gather(*(_room_traffic(kit, rid, per_room, latencies) for rid in room_ids))
    wall = time.perf_counter() - start
    total = rooms * per_room
    return {
        **latency_stats(latencies, wall),
        "messages": total,
        "setup_s": setup_s,
        "deliveries_per_msg": counters.deliveries / total,
        "provider_calls_per_msg": counters.provider_calls / total,
    }


def main() -> None:
    parser = base_parser(__doc__ or "")
    parser.add_argument("--rooms", type=int, default=1000)
    parser.add_argument("--per-room", type=int, default=10)
    parser.add_argument("--ai", action="store_true")
    args = parser.parse_args()
    result = run_repeated(
        lambda: one_run(args.rooms, args.per_room, args.ai), args.runs, "msgs_per_s"
    )
    emit("rooms_ai" if args.ai else "rooms", result)


if __name__ == "__main__":
    main()
