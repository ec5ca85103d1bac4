"""One RoomKit worker process of the scale-out test (``test_scale_out.py``).

Run as ``python scale_out_worker.py <json settings>``. The worker builds its own
``RoomKit(store=PostgresStore, lock_manager=RedisLockManager, realtime=RedisRealtime)`` and
then, like a web worker behind a load balancer, takes inbound messages from a shared Redis
list (``<prefix>jobs``) with several concurrent consumers, runs ``process_inbound`` and
reports each result on ``<prefix>acks``. Its own control list (``<prefix>ctl:<id>``) tells it
to publish ephemeral events; every ephemeral event it receives on the shared room is recorded
on ``<prefix>eph:<id>``.
"""

from __future__ import annotations

import asyncio
import json
import sys
from typing import Any

import redis.asyncio as aioredis
from roomkit_postgres import PostgresStore
from roomkit_redis import RedisLockManager, RedisRealtime

from roomkit import RoomKit
from roomkit.channels.websocket import WebSocketChannel
from roomkit.models.content import TextContent
from roomkit.models.event import EphemeralEvent, InboundMessage

EPHEMERAL_ROOM = "room-ephemeral"


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
        lock_manager=RedisLockManager(redis_url, prefix=f"{prefix}lock:", lease=2.0),
        realtime=RedisRealtime(redis_url, prefix=f"{prefix}rt:"),
    )
    kit.register_channel(WebSocketChannel("ws"))
    queue = aioredis.Redis.from_url(redis_url, socket_timeout=10)

    async def record(event: EphemeralEvent) -> None:
        await queue.rpush(f"{prefix}eph:{wid}", event.model_dump_json())

    await kit.subscribe_room(EPHEMERAL_ROOM, record)
    await queue.rpush(f"{prefix}ready", str(wid))

    async def consume() -> None:
        client = aioredis.Redis.from_url(redis_url, socket_timeout=10)
        while True:
            popped = await client.blpop([f"{prefix}ctl:{wid}", f"{prefix}jobs"], timeout=1)
            if popped is None:
                continue
            job = json.loads(popped[1])
            if job["kind"] == "stop":
                return
            if job["kind"] == "publish":
                for n in range(job["count"]):
                    await kit.publish_typing(EPHEMERAL_ROOM, f"w{wid}-{job['round']}-{n}")
                continue
            message = InboundMessage(
                channel_id="ws",
                sender_id=job["sender"],
                content=TextContent(body=f"{job['sender']}#{job['seq']}"),
                idempotency_key=job["key"],
                room_id=job["room"],
            )
            try:
                result = await kit.process_inbound(message)
                event = result.event
                ack = {
                    "job": job["job"],
                    "worker": wid,
                    "ok": event is not None,
                    "event_id": event.id if event else None,
                    "index": event.index if event else None,
                    "duplicate": result.duplicate,
                }
            except Exception as exc:  # reported to the coordinator, which retries
                ack = {"job": job["job"], "worker": wid, "ok": False, "error": repr(exc)}
            await client.rpush(f"{prefix}acks", json.dumps(ack))

    consumers = [asyncio.create_task(consume()) for _ in range(settings.get("consumers", 8))]
    await asyncio.wait(consumers, return_when=asyncio.FIRST_COMPLETED)
    for task in consumers:
        task.cancel()
    await asyncio.gather(*consumers, return_exceptions=True)
    await queue.aclose()
    await kit.close()


if __name__ == "__main__":
    asyncio.run(main(json.loads(sys.argv[1])))
