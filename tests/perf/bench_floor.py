"""The in-memory text path against its floor: our kit and plain asyncio + pydantic, side by side.

    python tests/perf/bench_floor.py [--n 2000] [--runs 5] [--senders 50]

Three workloads, each run on our kit (``_common.build_kit``: 1 room, 2 WebSocket channels with
a no-op send callback, as ``bench_text.py``) and on the **floor**, the same observable work
written directly in this module with plain asyncio and pydantic v2:

``route``
    Per message: an inbound pydantic model is validated (channel, sender, text content,
    idempotency key, metadata); the room is found from the channel (one dict lookup); under
    the room's ``asyncio.Lock`` the idempotency key is checked in a dict, a pydantic event of
    the shape of a room event (id from ``uuid4().hex``, room, type, source model with channel
    type, direction and sender, the text content, status, index, chain depth, parent id,
    correlation id, idempotency key, UTC timestamp, metadata) is validated, given the room's
    next index, appended to the room's list and recorded under its key, and awaited on the
    send callback of the one other channel; its status is set to ``delivered``. The caller
    gets the event and the replies back.
``hooks``
    ``route`` plus the hooks of ``bench_text.py --variant hooks``: a context (the room's id,
    its channel list, the last 20 events as a list slice) is built once, 3 sync hooks (plain
    ``async def`` callables returning ``True`` for allow) are awaited in order before the
    event is stored, and one ``asyncio.create_task`` runs the 2 async hooks in order after
    the delivery (drained before the CPU clock stops, as ``bench_text.py`` does).
``ai``
    ``route`` plus one AI turn in line: the window is the room's last 50 events filtered to
    messages (the current one last), turned into ``{"role", "content", "name"}`` dicts (own
    replies as ``assistant``); a mock provider records the request (as ``MockAIProvider``
    does) and returns a fixed reply; the reply is validated as an event (source ``ai``,
    outbound, chain depth 1, parent id, ``{"ai": {...}}`` metadata), indexed, stored, and
    delivered to both WebSocket channels (3 deliveries per message, as ours).

The floor has no artificial cost and no sleeps; it skips what the kit offers beyond this work
(telemetry hooks, rate limits, typed errors, retries, outboxes, pluggable stores). Both sides
take the same messages: every one carries an idempotency key (``msg-<i>``).

Reported per workload and side: CPU µs per message (``time.process_time`` over the timed part,
message models built in the loop included, async hooks drained), msgs/s wall, p50/p99 latency
of messages sent one after another, and under load: ``--senders`` concurrent senders (one
task each, distinct sender ids, one room) sending their share of ``--n`` messages one after
another, p50/p99 latency (queueing on the room's lock included) and msgs/s. ``of_floor_cpu``
= floor CPU ÷ ours (1.0 = at the floor). Medians of ``--runs`` runs, fresh kit and floor each.
Every run checks the counts: events stored, deliveries, hooks fired, provider calls.

Reading the latencies under load: neither side suspends while it handles a message in memory,
so a sender runs message after message until something yields. The floor never yields: its
latency under load is its own processing time, and its async-hook tasks pile up unbounded.
Our kit bounds them (``HookEngine.relieve``: above ``soft_pending`` running hook tasks the
sender yields once per message), so with hooks each message also waits one round of the other
senders: its p50/p99 measure that fairness, not a slower path. Compare msgs/s and CPU there.
"""

from __future__ import annotations

import asyncio
import gc
import statistics
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Literal

from _common import (
    AI_REPLY,
    SENDER_CHANNEL,
    WS_CHANNELS,
    Counters,
    base_parser,
    build_kit,
    emit,
    percentile,
)
from pydantic import BaseModel, Field

ROOM = "bench-room"
RECENT = 20  # events a hook context carries (the kit's default ``context_events``)
WINDOW = 50  # events of an AI turn's window (``AIChannel``'s default ``max_context_events``)
VARIANTS = ("route", "hooks", "ai")


# -- the floor's models: the shape of our inbound message and room event -------------------------
class FloorText(BaseModel):
    type: Literal["text"] = "text"
    body: str


class FloorInbound(BaseModel):
    channel_id: str = Field(min_length=1)
    sender_id: str = Field(min_length=1)
    content: FloorText
    idempotency_key: str | None = None
    metadata: dict[str, Any] = Field(default_factory=dict)


class FloorSource(BaseModel):
    channel_id: str
    channel_type: str
    direction: str = "inbound"
    participant_id: str | None = None


class FloorEvent(BaseModel):
    id: str = Field(default_factory=lambda: uuid.uuid4().hex)
    room_id: str
    type: str = "message"
    source: FloorSource
    content: FloorText
    status: str = "pending"
    index: int = -1
    chain_depth: int = Field(default=0, ge=0)
    parent_event_id: str | None = None
    correlation_id: str | None = None
    idempotency_key: str | None = None
    created_at: datetime = Field(default_factory=lambda: datetime.now(UTC))
    metadata: dict[str, Any] = Field(default_factory=dict)


Send = Callable[[str, Any], Awaitable[None]]
Hook = Callable[[FloorEvent, "FloorContext"], Awaitable[Any]]


@dataclass(slots=True)
class FloorContext:
    room_id: str
    channels: list[str]
    recent: list[FloorEvent]


@dataclass(slots=True)
class FloorRoom:
    id: str
    channels: dict[str, tuple[str, Send]]  # channel id -> (connection id, send callback)
    events: list[FloorEvent] = field(default_factory=list)
    keys: dict[str, FloorEvent] = field(default_factory=dict)
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)


class FloorMockProvider:
    """Records every request and answers with a fixed reply."""

    def __init__(self, reply: str) -> None:
        self.reply = reply
        self.calls: list[list[dict[str, Any]]] = []

    async def generate(self, messages: list[dict[str, Any]]) -> str:
        self.calls.append(messages)
        return self.reply


class Floor:
    """One process's rooms, written directly: no framework."""

    def __init__(
        self,
        counters: Counters,
        *,
        before: list[Hook] | None = None,
        after: list[Hook] | None = None,
        provider: FloorMockProvider | None = None,
    ) -> None:
        self.counters = counters
        self.room_of_channel: dict[str, FloorRoom] = {}
        self.before = before or []
        self.after = after or []
        self.provider = provider
        self.background: set[asyncio.Task[None]] = set()

    def add_room(self, room_id: str, send: Send) -> None:
        room = FloorRoom(room_id, {c: (f"{c}-conn", send) for c in WS_CHANNELS})
        for channel_id in WS_CHANNELS:
            self.room_of_channel[channel_id] = room

    def _store(self, room: FloorRoom, event: FloorEvent) -> None:
        event.index = len(room.events)
        room.events.append(event)
        if event.idempotency_key is not None:
            room.keys[event.idempotency_key] = event

    async def process(self, message: FloorInbound) -> tuple[FloorEvent, list[FloorEvent]]:
        room = self.room_of_channel[message.channel_id]
        async with room.lock:
            key = message.idempotency_key
            if key is not None and key in room.keys:
                return room.keys[key], []
            event = FloorEvent(
                room_id=room.id,
                source=FloorSource(
                    channel_id=message.channel_id,
                    channel_type="websocket",
                    participant_id=message.sender_id,
                ),
                content=message.content,
                idempotency_key=key,
                metadata=message.metadata,
            )
            ctx = None
            if self.before or self.after:
                ctx = FloorContext(room.id, list(room.channels), room.events[-RECENT:])
                for hook in self.before:
                    if await hook(event, ctx) is not True:
                        event.status = "blocked"
                        self._store(room, event)
                        return event, []
            self._store(room, event)
            for channel_id, (connection, send) in room.channels.items():
                if channel_id != message.channel_id:
                    await send(connection, event)
            event.status = "delivered"
            if self.after and ctx is not None:
                task = asyncio.create_task(self._after(event, ctx))
                self.background.add(task)
                task.add_done_callback(self.background.discard)
            replies = [await self._ai_turn(room, event)] if self.provider is not None else []
            return event, replies

    async def _after(self, event: FloorEvent, ctx: FloorContext) -> None:
        for hook in self.after:
            await hook(event, ctx)

    async def _ai_turn(self, room: FloorRoom, event: FloorEvent) -> FloorEvent:
        assert self.provider is not None
        messages: list[dict[str, Any]] = []
        for past in room.events[-WINDOW:]:
            if past.type != "message":
                continue
            if past.source.channel_id == "ai":
                messages.append({"role": "assistant", "content": past.content.body})
            else:
                name = past.source.participant_id
                messages.append({"role": "user", "content": past.content.body, "name": name})
        text = await self.provider.generate(messages)
        reply = FloorEvent(
            room_id=room.id,
            source=FloorSource(
                channel_id="ai", channel_type="ai", direction="outbound", participant_id="ai"
            ),
            content=FloorText(body=text),
            chain_depth=event.chain_depth + 1,
            parent_event_id=event.id,
            correlation_id=event.correlation_id,
            metadata={"ai": {"provider": "mock", "finish_reason": "stop"}},
        )
        self._store(room, reply)
        for connection, send in room.channels.values():
            await send(connection, reply)
        reply.status = "delivered"
        return reply


def _floor_for(variant: str, counters: Counters) -> tuple[Floor, FloorMockProvider | None]:
    async def send(connection_id: str, event: Any) -> None:
        counters.deliveries += 1

    async def allow(event: FloorEvent, ctx: FloorContext) -> bool:
        counters.sync_hooks += 1
        return True

    async def after(event: FloorEvent, ctx: FloorContext) -> None:
        counters.async_hooks += 1

    provider = FloorMockProvider(AI_REPLY) if variant == "ai" else None
    floor = Floor(
        counters,
        before=[allow] * 3 if variant == "hooks" else None,
        after=[after] * 2 if variant == "hooks" else None,
        provider=provider,
    )
    floor.add_room(ROOM, send)
    return floor, provider


# -- one side: how to send a message and how many events it stored ------------------------------
@dataclass
class Side:
    send: Callable[[int, str], Awaitable[None]]
    stored: Callable[[], Awaitable[int]]
    counters: Counters
    settle: Callable[[], Awaitable[None]]


async def _ours(variant: str) -> Side:
    from roomkit import InboundMessage, TextContent

    counters = Counters()
    kit = await build_kit(
        [ROOM], counters, ai=variant == "ai", hooks=variant == "hooks"
    )  # fmt: skip

    async def send(i: int, sender: str) -> None:
        message = InboundMessage(
            channel_id=SENDER_CHANNEL,
            sender_id=sender,
            content=TextContent(body=f"message {i}"),
            idempotency_key=f"msg-{i}",
        )
        result = await kit.process_inbound(message)
        if result.blocked or result.duplicate:
            raise RuntimeError(f"message {i}: blocked={result.blocked} dup={result.duplicate}")

    async def stored() -> int:
        events = await kit.store.list_events(ROOM, limit=1_000_000)
        return sum(1 for e in events if e.type == "message")

    async def settle() -> None:
        pending = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
        while pending:
            await asyncio.sleep(0)
            pending = [t for t in pending if not t.done()]

    return Side(send, stored, counters, settle)


async def _floor(variant: str) -> Side:
    counters = Counters()
    floor, provider = _floor_for(variant, counters)

    async def send(i: int, sender: str) -> None:
        message = FloorInbound(
            channel_id=SENDER_CHANNEL,
            sender_id=sender,
            content=FloorText(body=f"message {i}"),
            idempotency_key=f"msg-{i}",
        )
        await floor.process(message)
        if provider is not None:
            counters.provider_calls = len(provider.calls)

    async def stored() -> int:
        return len(floor.room_of_channel[SENDER_CHANNEL].events)

    async def settle() -> None:
        while floor.background:
            await asyncio.gather(*list(floor.background))

    return Side(send, stored, counters, settle)


MAKERS: dict[str, Callable[[str], Awaitable[Side]]] = {"ours": _ours, "floor": _floor}


# -- the measurements --------------------------------------------------------------------------
def _expected(variant: str, messages: int) -> dict[str, int]:
    return {
        "stored": messages * (2 if variant == "ai" else 1),
        "deliveries": messages * (3 if variant == "ai" else 1),
        "sync_hooks": messages * 3 if variant == "hooks" else 0,
        "async_hooks": messages * 2 if variant == "hooks" else 0,
    }


async def _check(side: Side, variant: str, messages: int, what: str) -> None:
    await side.settle()
    want = _expected(variant, messages)
    got = {
        "stored": await side.stored(),
        "deliveries": side.counters.deliveries,
        "sync_hooks": side.counters.sync_hooks,
        "async_hooks": side.counters.async_hooks,
    }
    if variant == "ai":
        want["provider_calls"] = messages
        got["provider_calls"] = side.counters.provider_calls
    if got != want:
        raise RuntimeError(f"{what}: counts {got}, expected {want}")


async def sequential(impl: str, variant: str, n: int, warmup: int) -> dict[str, float]:
    side = await MAKERS[impl](variant)
    for i in range(warmup):
        await side.send(-1 - i, "user-1")
    await side.settle()
    latencies: list[int] = []
    clock = time.perf_counter_ns
    cpu = time.process_time()
    wall = time.perf_counter()
    for i in range(n):
        start = clock()
        await side.send(i, "user-1")
        latencies.append(clock() - start)
    wall = time.perf_counter() - wall
    await side.settle()  # async hooks' work counted in CPU, as bench_text.py
    cpu = time.process_time() - cpu
    await _check(side, variant, warmup + n, f"{impl}/{variant}")
    ordered = sorted(latencies)
    return {
        "cpu_us_per_msg": cpu / n * 1e6,
        "msgs_per_s": n / wall,
        "p50_ms": percentile(ordered, 50) / 1e6,
        "p99_ms": percentile(ordered, 99) / 1e6,
    }


async def under_load(impl: str, variant: str, n: int, senders: int) -> dict[str, float]:
    side = await MAKERS[impl](variant)
    for i in range(50):
        await side.send(-1 - i, "user-1")
    await side.settle()
    latencies: list[int] = []
    clock = time.perf_counter_ns
    per_sender = max(1, n // senders)

    async def sender(s: int) -> None:
        for k in range(per_sender):
            start = clock()
            await side.send(s * per_sender + k, f"user-{s}")
            latencies.append(clock() - start)

    cpu = time.process_time()
    wall = time.perf_counter()
    await asyncio.gather(*(sender(s) for s in range(senders)))
    wall = time.perf_counter() - wall
    await side.settle()
    cpu = time.process_time() - cpu
    await _check(side, variant, 50 + per_sender * senders, f"{impl}/{variant} under load")
    ordered = sorted(latencies)
    return {
        "load_cpu_us_per_msg": cpu / len(ordered) * 1e6,
        "load_msgs_per_s": len(ordered) / wall,
        "load_p50_ms": percentile(ordered, 50) / 1e6,
        "load_p99_ms": percentile(ordered, 99) / 1e6,
    }


def _median(runs: list[dict[str, float]]) -> dict[str, float]:
    return {key: statistics.median(run[key] for run in runs) for key in runs[0]}


def measure(variant: str, n: int, runs: int, senders: int, warmup: int) -> dict[str, Any]:
    """Ours and the floor, alternating run by run so both see the same machine load."""
    collected: dict[str, list[dict[str, float]]] = {"ours": [], "floor": []}
    for _ in range(runs):
        for impl in ("ours", "floor"):
            gc.collect()
            result = asyncio.run(sequential(impl, variant, n, warmup))
            gc.collect()
            result.update(asyncio.run(under_load(impl, variant, n, senders)))
            collected[impl].append(result)
    ours, floor = _median(collected["ours"]), _median(collected["floor"])
    return {
        "ours": {k: round(v, 4) for k, v in ours.items()},
        "floor": {k: round(v, 4) for k, v in floor.items()},
        "of_floor_cpu": round(floor["cpu_us_per_msg"] / ours["cpu_us_per_msg"], 3),
        "of_floor_wall": round(ours["msgs_per_s"] / floor["msgs_per_s"], 3),
        "of_floor_cpu_all": [
            round(f["cpu_us_per_msg"] / o["cpu_us_per_msg"], 3)
            for o, f in zip(collected["ours"], collected["floor"], strict=True)
        ],
    }


def main() -> None:
    parser = base_parser(__doc__ or "")
    parser.set_defaults(runs=5)
    parser.add_argument("--n", type=int, default=2000)
    parser.add_argument("--warmup", type=int, default=100)
    parser.add_argument("--senders", type=int, default=50)
    parser.add_argument("--variants", default=",".join(VARIANTS))
    args = parser.parse_args()
    result: dict[str, Any] = {"n": args.n, "runs": args.runs, "senders": args.senders}
    for variant in args.variants.split(","):
        data = measure(variant, args.n, args.runs, args.senders, args.warmup)
        result[variant] = data
        # Flat keys for the report table.
        result[f"{variant}_of_floor_cpu"] = data["of_floor_cpu"]
        result[f"{variant}_cpu_us_per_msg"] = data["ours"]["cpu_us_per_msg"]
        result[f"{variant}_floor_cpu_us_per_msg"] = data["floor"]["cpu_us_per_msg"]
        result[f"{variant}_load_p99_ms"] = data["ours"]["load_p99_ms"]
    emit("floor", result)


if __name__ == "__main__":
    main()
