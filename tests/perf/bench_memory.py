"""Workload 6: memory per stored text event in the default in-memory store.

Text messages spread over ``--rooms`` rooms (2 WebSocket channels each, no AI), so that history
growth does not dominate the run time. Every room first gets one untimed message so
per-room caches exist before the baseline. Two measurements, each in a fresh kit:

* ``rss``: resident set size after minus before, / ``--events`` (no tracemalloc running; includes
  allocator overhead and fragmentation, so it is noisier);
* ``tracemalloc``: traced Python memory after minus before (after ``gc.collect()``), /
  ``--traced-events`` (fewer, because tracing slows every allocation several times).

Each message stores exactly one event (no AI, no hooks); ``events_stored_check`` checks it through
``kit.store.get_event_count`` when the store has it.
"""

from __future__ import annotations

import asyncio
import gc
import os
import tracemalloc
from collections.abc import Callable
from typing import Any

from _common import Counters, base_parser, build_kit, emit, make_message


def _rss_bytes() -> int:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def _traced_bytes() -> int:
    return tracemalloc.get_traced_memory()[0]


async def _count_events(kit: Any, room_ids: list[str]) -> int | None:
    counter = getattr(getattr(kit, "store", None), "get_event_count", None)
    if counter is None:
        return None
    return sum([int(await counter(room_id)) for room_id in room_ids])


async def measure(events: int, rooms: int, probe: Callable[[], int]) -> dict[str, Any]:
    room_ids = [f"mem-room-{r}" for r in range(rooms)]
    kit = await build_kit(room_ids, Counters())
    for room_id in room_ids:
        await kit.process_inbound(make_message(-1), room_id=room_id)
    stored_before = await _count_events(kit, room_ids)
    gc.collect()
    before = probe()
    per_room = events // rooms
    for i in range(per_room):
        for room_id in room_ids:
            await kit.process_inbound(make_message(i), room_id=room_id)
    gc.collect()
    after = probe()
    stored_after = await _count_events(kit, room_ids)
    sent = per_room * rooms
    stored = None if stored_before is None or stored_after is None else stored_after - stored_before
    return {
        "bytes_per_event": (after - before) / sent,
        "events_sent": sent,
        "events_stored": stored,
    }


def main() -> None:
    parser = base_parser(__doc__ or "")
    parser.add_argument("--events", type=int, default=20_000)
    parser.add_argument("--traced-events", type=int, default=5_000)
    parser.add_argument("--rooms", type=int, default=200)
    args = parser.parse_args()
    rss = asyncio.run(measure(args.events, args.rooms, _rss_bytes))
    gc.collect()
    tracemalloc.start()
    traced = asyncio.run(measure(args.traced_events, args.rooms, _traced_bytes))
    tracemalloc.stop()
    emit(
        "memory",
        {
            "bytes_per_event_tracemalloc": traced["bytes_per_event"],
            "bytes_per_event_rss": rss["bytes_per_event"],
            "events_rss": rss["events_sent"],
            "events_traced": traced["events_sent"],
            "events_stored_check": traced["events_stored"],
        },
    )


if __name__ == "__main__":
    main()
