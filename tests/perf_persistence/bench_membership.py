"""Per-message cost against room membership: 0, 1,000 and 20,000 participants.

    python tests/perf_persistence/bench_membership.py [--quick] [--json out.json]

For InMemoryStore, SQLiteStore and PostgresStore: one room with one WebSocket channel and N
participants (added through the store API), then ``process_inbound`` one message at a time
from a sender who is already a participant (``known``) and from a new sender each time
(``new``: the store adds the participant with the message). Median and p90 latency are
printed per (store, N); nothing is asserted.

Two figures per size: ``store`` is the store's own per-message work done straight on the store
(``get_participant`` of a member and ``add_event`` from a new sender, which also adds the
participant): it should not depend on N. ``engine`` is the whole ``process_inbound``; it still
grows with N because the engine's room snapshot carries every participant of the room
(``RoomContext.participants``) and looks the sender up in that list.

PostgreSQL is taken from ``ROOMKIT_POSTGRES_DSN`` (default: the local ``test`` database); the
run uses its own schema and removes it.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any
from uuid import uuid4

from roomkit_postgres import PostgresStore
from roomkit_postgres.testing import drop_schema, dsn_for_tests
from roomkit_sqlite import SQLiteStore

from roomkit import RoomKit
from roomkit.channels.websocket import WebSocketChannel
from roomkit.models.content import TextContent
from roomkit.models.enums import ChannelType
from roomkit.models.event import EventSource, InboundMessage, RoomEvent
from roomkit.models.participant import Participant
from roomkit.store.base import ConversationStore
from roomkit.store.memory import InMemoryStore

DSN = dsn_for_tests()
SIZES = (0, 1_000, 20_000)


def _p(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


async def _populate(store: ConversationStore, room_id: str, count: int) -> None:
    async def add(start: int) -> None:
        for i in range(start, min(start + 500, count)):
            await store.add_participant(
                Participant(id=f"member-{i}", room_id=room_id, channel_id="ws")
            )

    await asyncio.gather(*(add(start) for start in range(0, count, 500)))


async def _store_ops(store: ConversationStore, room_id: str, messages: int) -> dict[str, float]:
    lookups, joins = [], []
    for n in range(messages):
        t0 = time.perf_counter()
        await store.get_participant(room_id, f"member-{n}")
        lookups.append((time.perf_counter() - t0) * 1000)
        event = RoomEvent(
            room_id=room_id,
            source=EventSource(
                channel_id="ws",
                channel_type=ChannelType.WEBSOCKET,
                participant_id=f"joiner-{uuid4().hex[:10]}",
            ),
            content=TextContent(body=f"store {n}"),
        )
        t0 = time.perf_counter()
        await store.add_event(event)
        joins.append((time.perf_counter() - t0) * 1000)
    return {
        "get_participant_p50_ms": statistics.median(lookups),
        "add_event_new_sender_p50_ms": statistics.median(joins),
    }


async def _measure(store: ConversationStore, members: int, messages: int) -> dict[str, float]:
    kit = RoomKit(store=store)
    kit.register_channel(WebSocketChannel("ws"))
    room = await kit.create_room()
    await kit.attach_channel(room.id, "ws")
    await _populate(store, room.id, members)
    await kit.process_inbound(
        InboundMessage(channel_id="ws", sender_id="regular", content=TextContent(body="hi")),
        room_id=room.id,
    )
    result: dict[str, float] = {}
    for kind in ("known", "new"):
        samples = []
        for n in range(messages):
            sender = "regular" if kind == "known" else f"newcomer-{uuid4().hex[:10]}"
            message = InboundMessage(
                channel_id="ws", sender_id=sender, content=TextContent(body=f"message {n}")
            )
            t0 = time.perf_counter()
            await kit.process_inbound(message, room_id=room.id)
            samples.append((time.perf_counter() - t0) * 1000)
        result[f"{kind}_p50_ms"] = statistics.median(samples)
        result[f"{kind}_p90_ms"] = _p(samples, 0.9)
    result.update(await _store_ops(store, room.id, messages))
    await kit.close()
    return result


async def bench(quick: bool, only: list[str] | None) -> dict[str, Any]:
    messages = 50 if quick else 200
    folder = tempfile.mkdtemp(prefix="roomkit-bench-members-")
    schemas: list[str] = []

    def postgres(n: int) -> ConversationStore:
        schemas.append(f"rk_bench_members_{uuid4().hex[:8]}")
        return PostgresStore(DSN, schema=schemas[-1], max_size=10)

    factories: dict[str, Callable[[int], ConversationStore]] = {
        "memory": lambda n: InMemoryStore(),
        "sqlite": lambda n: SQLiteStore(Path(folder) / f"members-{n}.db"),
        "postgres": postgres,
    }
    results: dict[str, Any] = {}
    try:
        for name, make in factories.items():
            if only and name not in only:
                continue
            results[name] = {}
            for members in SIZES:
                numbers = await _measure(make(members), members, messages)
                results[name][str(members)] = numbers
                print(
                    f"  {name:<9} {members:>6} participants: store get_participant p50 "
                    f"{numbers['get_participant_p50_ms']:6.3f} ms, add_event+join p50 "
                    f"{numbers['add_event_new_sender_p50_ms']:6.3f} ms | engine known sender "
                    f"p50 {numbers['known_p50_ms']:7.3f} ms, new sender p50 "
                    f"{numbers['new_p50_ms']:7.3f} ms",
                    flush=True,
                )
    finally:
        for schema in schemas:
            await drop_schema(DSN, schema)
    return results


async def main(args: argparse.Namespace) -> None:
    results = await bench(args.quick, args.only)
    if args.json:
        await asyncio.to_thread(Path(args.json).write_text, json.dumps(results, indent=2))


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer messages per size")
    parser.add_argument("--json", help="also write the numbers to this file")
    parser.add_argument("--only", nargs="*", choices=["memory", "sqlite", "postgres"])
    asyncio.run(main(parser.parse_args()))
    sys.exit(0)
