"""One RoomKit worker process of the scale-out test (``test_scale_out.py``).

Run as ``python scale_out_worker.py <json settings>``. The worker builds its own
``RoomKit(store=PostgresStore, lock_manager=RedisLockManager, realtime=RedisRealtime)`` and
then, like a web worker behind a load balancer, takes inbound messages from a shared Redis
list (``<prefix>jobs``) with several concurrent consumers, runs ``process_inbound`` and
reports each result on ``<prefix>acks``. A job is moved atomically (``BLMOVE``) to the
worker's own ``<prefix>processing:<id>`` list while it is handled and removed from there once
acknowledged (one such list per consumer), so the jobs of a worker that dies can be handed to
the others. Its own control
list (``<prefix>ctl:<id>``) tells it to publish ephemeral events or stop; every ephemeral
event it receives on the shared room is recorded on ``<prefix>eph:<id>``.

Every blocking Redis command blocks for 1 s at most, well under its connection's read timeout
(a blocking command needs a read timeout longer than its block time). A consumer survives
Redis errors: the job it held stays in its processing list and is handled again (with the same
idempotency key) before it takes a new one.
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
import time
from typing import Any

import redis.asyncio as aioredis
from redis.exceptions import RedisError
from roomkit_postgres import PostgresLockManager, PostgresStore
from roomkit_redis import RedisLockManager, RedisRealtime

from roomkit import HookExecution, HookResult, HookTrigger, RoomKit
from roomkit.channels.websocket import WebSocketChannel
from roomkit.core.locks import RoomLockManager
from roomkit.models.content import TextContent
from roomkit.models.event import EphemeralEvent, InboundMessage, RoomEvent

EPHEMERAL_ROOM = "room-ephemeral"


def _lock_manager(settings: dict[str, Any]) -> RoomLockManager:
    """Redis leases (the default) or PostgreSQL advisory locks (``"locks": "postgres"``)."""
    if settings.get("locks") == "postgres":
        return PostgresLockManager(settings["dsn"], namespace=settings["prefix"])
    return RedisLockManager(settings["redis_url"], prefix=settings["prefix"], lease=5.0)


async def main(settings: dict[str, Any]) -> None:
    wid: int = settings["worker"]
    prefix: str = settings["prefix"]
    redis_url: str = settings["redis_url"]
    kit = RoomKit(
        store=PostgresStore(
            settings["dsn"],
            schema=settings["schema"],
            max_size=settings.get("pool", 6),
            application_name=f"rk-w{wid}-{settings['schema']}",
        ),
        lock_manager=_lock_manager(settings),
        realtime=RedisRealtime(redis_url, prefix=f"{prefix}rt:"),
    )
    kit.register_channel(WebSocketChannel("ws"))
    name = f"{prefix}w{wid}"  # the coordinator finds this worker's connections by name
    queue = aioredis.Redis.from_url(redis_url, socket_timeout=30, client_name=name)

    if settings.get("record_hooks"):
        # When and where this worker ran its room work: the coordinator checks that no two
        # workers were inside one room at once for events that were stored.
        hooks = aioredis.Redis.from_url(redis_url, socket_timeout=30, client_name=name)

        @kit.hook(HookTrigger.BEFORE_BROADCAST, execution=HookExecution.SYNC)
        async def inside_the_room(event: RoomEvent, _ctx: Any) -> HookResult:
            started = time.monotonic()
            await asyncio.sleep(0.002)  # a hook doing some work under the room lock
            span = [event.room_id, event.id, wid, started, time.monotonic()]
            await hooks.rpush(f"{prefix}inside", json.dumps(span))
            return HookResult.allow()

    async def record(event: EphemeralEvent) -> None:
        await queue.rpush(f"{prefix}eph:{wid}", event.model_dump_json())

    await kit.subscribe_room(EPHEMERAL_ROOM, record)
    await queue.rpush(f"{prefix}ready", str(wid))
    stop = asyncio.Event()

    async def control() -> None:
        client = aioredis.Redis.from_url(redis_url, socket_timeout=30, client_name=name)
        while True:
            try:
                popped = await client.blpop([f"{prefix}ctl:{wid}"], timeout=1)
            except RedisError as exc:
                print(f"worker {wid}: Redis error {exc!r}; resuming", file=sys.stderr)
                await asyncio.sleep(0.1)
                continue
            if popped is None:
                continue
            order = json.loads(popped[1])
            if order["kind"] == "stop":
                stop.set()
                return
            for n in range(order["count"]):
                await kit.publish_typing(EPHEMERAL_ROOM, f"w{wid}-{order['round']}-{n}")

    async def handle(job: dict[str, Any]) -> dict[str, Any]:
        message = InboundMessage(
            channel_id="ws",
            sender_id=job["sender"],
            content=TextContent(body=f"{job['sender']}#{job['seq']}"),
            idempotency_key=job["key"],
            room_id=job["room"],
        )
        try:
            result = await kit.process_inbound(message)
        except Exception as exc:  # reported to the coordinator, which retries
            return {"job": job["job"], "worker": wid, "ok": False, "error": repr(exc)}
        event = result.event
        return {
            "job": job["job"],
            "worker": wid,
            "ok": event is not None,
            "event_id": event.id if event else None,
            "index": event.index if event else None,
            "duplicate": result.duplicate,
        }

    async def consume(n: int) -> None:
        # One processing list per consumer: after a Redis error (a reply lost on the way, so
        # BLMOVE may have moved a job nobody saw), the consumer first finishes what is there.
        client = aioredis.Redis.from_url(redis_url, socket_timeout=30, client_name=name)
        processing = f"{prefix}processing:{wid}:{n}"
        while True:
            try:
                raw = await client.lindex(processing, 0)
                if raw is None:
                    raw = await client.blmove(f"{prefix}jobs", processing, 1, "LEFT", "RIGHT")
                if raw is None:
                    continue
                ack = await handle(json.loads(raw))
                await client.rpush(f"{prefix}acks", json.dumps(ack))
                await client.lrem(processing, 1, raw)
            except RedisError as exc:  # the job stays in the processing list: done again
                print(f"worker {wid}/{n}: Redis error {exc!r}; resuming", file=sys.stderr)
                await asyncio.sleep(0.1)

    tasks = [asyncio.create_task(control())]
    tasks += [asyncio.create_task(consume(n)) for n in range(settings["consumers"])]
    done, _ = await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
    if not stop.is_set():
        # A consumer or the control task crashed. Say why and exit at once: the coordinator
        # watches the workers and fails the run (a worker lingering without consumers would
        # only leave its jobs stalled).
        for task in done:
            task.print_stack(file=sys.stderr)
            print(f"worker {wid} stopped unexpectedly: {task!r}", file=sys.stderr, flush=True)
        os._exit(3)
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
    await queue.aclose()
    await kit.close()


if __name__ == "__main__":
    asyncio.run(main(json.loads(sys.argv[1])))
