"""End to end over real sockets: emails sent through the SendGrid fake carry Message-IDs; a
signed Inbound Parse reply naming one lands in that email's room (not the sender's latest
room), and signed events mark the sent email delivered and read."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable

import httpx
from roomkit_sendgrid import SendGridConfig, SendGridProvider
from roomkit_server import ServerSettings, WebhookServer
from roomkit_server.testing import serve_app

from roomkit import RoomKit
from roomkit.channels.email import EmailChannel, EmailTransportChannel
from roomkit.messaging.index import InMemoryMessageIndex
from roomkit.models.content import TextContent
from roomkit.models.enums import DeliveryStatus
from roomkit_conformance.wire.sendgrid import (
    SendGridWire,
    WebhookSigner,
    event,
    inbound_parse_form,
)

KEY = "SG.threading-key-0123"


async def _until(check: Callable[[], Awaitable[bool]], timeout: float = 20.0) -> None:
    async with asyncio.timeout(timeout):
        while not await check():
            await asyncio.sleep(0.01)


async def test_replies_thread_into_their_room_and_events_mark_delivery() -> None:
    events, parse = WebhookSigner(), WebhookSigner()
    async with SendGridWire(KEY) as wire:
        provider = SendGridProvider(
            SendGridConfig(
                api_key=KEY,
                from_email="help@shop.example",
                base_url=wire.url + "/v3/mail/send",
                event_webhook_public_key=events.public_key,
                inbound_parse_public_key=parse.public_key,
                timeout=5,
            )
        )
        kit = RoomKit()
        kit.register_channel(
            EmailChannel(
                "mail", provider=provider, from_address="help@shop.example", subject="Order"
            )
        )
        rooms = [await kit.create_room() for _ in range(2)]
        sent = []
        for room in rooms:  # two conversations with the same customer; the second is latest
            await kit.attach_channel(room.id, "mail", metadata={"email_address": "ada@example.com"})
            result = await kit.send_event(room.id, TextContent(body=f"about {room.id}"))
            assert result.event is not None
            sent.append(result.event)
        first_mail = wire.requests[0].json()
        message_id = first_mail["headers"]["Message-ID"]
        server = WebhookServer(kit, ServerSettings())
        server.add_channel("mail")
        async with serve_app(server.app) as (url, _), httpx.AsyncClient() as client:
            hook = url + "/webhooks/mail"
            body, content_type = inbound_parse_form(
                sender="Ada <ada@example.com>",
                to="help@shop.example",
                subject="Re: Order",
                text="Thanks, that answers it",
                message_id="reply-1@example.com",
                in_reply_to=message_id,
                references=[message_id],
            )
            reply = await client.post(
                hook, content=body, headers={**parse.headers(body), "content-type": content_type}
            )
            assert reply.status_code == 200
            unsigned = await client.post(hook, content=body, headers={"content-type": content_type})
            assert unsigned.status_code == 403

            async def threaded() -> bool:
                timeline = await kit.get_timeline(rooms[0].id)
                return any(
                    getattr(e.content, "body", "") == "Thanks, that answers it" for e in timeline
                )

            await _until(threaded)
            later = await kit.get_timeline(rooms[1].id)
            assert all(getattr(e.content, "body", "") != "Thanks, that answers it" for e in later)

            channel = kit.get_channel("mail")
            assert isinstance(channel, EmailTransportChannel)
            index = channel.message_index
            assert isinstance(index, InMemoryMessageIndex)
            refs = {key[len("sent:") :]: await index.get(key) for key in index.keys("sent:")}
            first_id = next(mid for mid, ref in refs.items() if ref and ref.event_id == sent[0].id)
            batch = json.dumps(
                [event("delivered", x_message_id=first_id), event("open", x_message_id=first_id)]
            ).encode()
            posted = await client.post(
                hook,
                content=batch,
                headers={**events.headers(batch), "content-type": "application/json"},
            )
            assert posted.status_code == 200

            async def read() -> bool:
                stored = await kit.get_event(sent[0].id)
                record = stored.delivery_results.get("mail") if stored else None
                return record is not None and record.status == DeliveryStatus.READ

            await _until(read)
        await kit.close()
        await provider.close()
