"""End to end over real sockets: a partner system posts signed webhooks to roomkit-server,
the room answers through WebhookHTTPProvider, and the partner's receipt marks it delivered."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Callable

import httpx
from roomkit_server import ServerSettings, WebhookServer
from roomkit_server.testing import serve_app
from roomkit_webhook import HTTPProviderConfig, WebhookHTTPProvider

from roomkit import RoomKit
from roomkit.channels.http import HTTPChannel
from roomkit.models.content import TextContent
from roomkit.models.enums import DeliveryStatus
from roomkit_conformance.wire.webhook import WebhookReceiverWire, signed_webhook_headers

SECRET = "partner-shared-secret-42"


async def _until(condition: Callable[[], object], timeout: float = 20.0) -> None:
    async with asyncio.timeout(timeout):
        while not condition():
            await asyncio.sleep(0.01)


async def test_signed_round_trip_through_the_webhook_server() -> None:
    async with WebhookReceiverWire(SECRET) as partner:
        provider = WebhookHTTPProvider(
            HTTPProviderConfig(
                webhook_url=partner.endpoint, secret=SECRET, timeout=5, allow_private_network=True
            )
        )
        kit = RoomKit()
        kit.register_channel(HTTPChannel("crm", provider=provider))
        server = WebhookServer(kit, ServerSettings())
        server.add_channel("crm")
        async with serve_app(server.app) as (url, _), httpx.AsyncClient() as client:
            hook = url + "/webhooks/crm"
            body = json.dumps({"sender_id": "acct-9", "body": "need help", "external_id": "c-1"})
            signed = signed_webhook_headers(body.encode(), SECRET)
            for _ in range(2):  # the partner retries: stored once
                answer = await client.post(hook, content=body, headers=signed)
                assert answer.status_code == 200
            unsigned = await client.post(
                hook, content=body, headers={"content-type": "application/json"}
            )
            assert unsigned.status_code == 403
            stale = signed_webhook_headers(body.encode(), SECRET, timestamp=int(time.time()) - 900)
            assert (await client.post(hook, content=body, headers=stale)).status_code == 403
            huge = json.dumps({"sender_id": "acct-9", "body": "x" * 1_100_000}).encode()
            oversized = await client.post(
                hook, content=huge, headers=signed_webhook_headers(huge, SECRET)
            )
            assert oversized.status_code == 413

            rooms: list[str] = []

            async def room_ready() -> bool:
                rooms[:] = [r.id for r in await kit.list_rooms()]
                return bool(rooms)

            async with asyncio.timeout(20):
                while not await room_ready():
                    await asyncio.sleep(0.01)
            (room_id,) = rooms
            timeline = await kit.get_timeline(room_id)
            assert [e.content for e in timeline if e.source.channel_id == "crm"] == [
                TextContent(body="need help")
            ]

            sent = await kit.send_event(room_id, TextContent(body="on it"))
            assert sent.event is not None
            await _until(lambda: len(partner.requests) == 1)
            posted = partner.requests[0].json()
            assert posted["recipient_id"] == "acct-9"  # the reply goes to who wrote
            receipt = json.dumps(
                {"type": "status", "message_id": posted["id"], "status": "delivered"}
            ).encode()
            answer = await client.post(
                hook, content=receipt, headers=signed_webhook_headers(receipt, SECRET)
            )
            assert answer.status_code == 200
            event_id = sent.event.id

            async def delivered() -> bool:
                stored = await kit.get_event(event_id)
                record = stored.delivery_results.get("crm") if stored else None
                return record is not None and record.status == DeliveryStatus.DELIVERED

            async with asyncio.timeout(20):
                while not await delivered():
                    await asyncio.sleep(0.01)
        await provider.close()
        await kit.close()
