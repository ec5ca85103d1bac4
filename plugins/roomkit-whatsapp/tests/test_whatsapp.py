"""roomkit-whatsapp over real sockets: the provider against the Cloud API fake, and Meta's
signed webhooks through the RoomKit webhook server."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import httpx
import pytest
from roomkit_server import ServerSettings, WebhookServer
from roomkit_server.testing import serve_app
from roomkit_whatsapp import WhatsAppCloudConfig, WhatsAppCloudProvider, parse_whatsapp_events

from roomkit import RoomKit
from roomkit.channels.messaging import MessagingChannel
from roomkit.channels.whatsapp import WhatsAppChannel
from roomkit.errors import PermanentProviderError, WebhookPayloadError
from roomkit.messaging.index import InMemoryMessageIndex
from roomkit.models.content import (
    LocationContent,
    MediaContent,
    RichButton,
    RichCard,
    RichContent,
    TemplateContent,
    TextContent,
)
from roomkit.models.delivery import DeliveryStatusUpdate
from roomkit.models.enums import DeliveryStatus
from roomkit.models.event import InboundMessage
from roomkit.models.room import RetryPolicy
from roomkit_conformance.suites.messaging import sample_event
from roomkit_conformance.wire.meta import handshake_query, meta_dumps, sign_meta
from roomkit_conformance.wire.whatsapp import (
    WhatsAppCloudWire,
    button_reply,
    location_message,
    messages_value,
    status_entry,
    statuses_value,
    text_message,
    waba_webhook,
)

TOKEN = "EAAG-test-whatsapp-token"
SECRET = "test-whatsapp-app-secret"
VERIFY = "test-verify-token"
PHONE_ID = "106540352242922"
USER = "+15551230000"


@pytest.fixture
async def wire() -> AsyncIterator[WhatsAppCloudWire]:
    async with WhatsAppCloudWire(
        TOKEN, phone_number_id=PHONE_ID, allowed_numbers={USER[1:]}
    ) as server:
        assert isinstance(server, WhatsAppCloudWire)
        yield server


def _provider(url: str) -> WhatsAppCloudProvider:
    return WhatsAppCloudProvider(
        WhatsAppCloudConfig(
            access_token=TOKEN,
            phone_number_id=PHONE_ID,
            app_secret=SECRET,
            verify_token=VERIFY,
            graph_url=url,
            timeout=5.0,
        )
    )


def _bodies(server: WhatsAppCloudWire) -> list[dict[str, Any]]:
    return [r.json() for r in server.requests]


async def test_each_content_becomes_its_cloud_api_message(wire: WhatsAppCloudWire) -> None:
    provider = _provider(wire.url)
    contents = [
        RichContent(body="Confirm?", buttons=[RichButton(label="Yes", value="y"),
                                              RichButton(label="No", value="n")]),
        RichContent(body="Pick a size", quick_replies=["XS", "S", "M", "L", "XL"]),
        RichContent(body="Track it", buttons=[RichButton(label="Track", url="https://t.example/1")]),
        RichContent(body="Many", quick_replies=[f"option {n}" for n in range(12)]),
        RichContent(body="Plan", cards=[RichCard(title="Basic", image_url="https://i.example/b.png",
                                                 buttons=[RichButton(label="Buy", value="buy")])]),
        LocationContent(latitude=45.5, longitude=-73.6, label="Shop", address="1 Main St"),
        TemplateContent(template_id="order_update", language="fr",
                        parameters={"2": "42", "1": "Ada"}),
        MediaContent(url="https://cdn.example/manual.pdf", mime_type="application/pdf",
                     filename="manual.pdf", caption="The manual"),
    ]  # fmt: skip
    try:
        for content in contents:
            result = await provider.send(sample_event(content), USER)
            assert result.success, result.error
            assert (result.provider_message_id or "").startswith("wamid.")
        assert (await provider.send_template(USER, "hello", {"language": "de", "1": "Ada"})).success
        await provider.send_reaction(USER, USER, "wamid.abc", "👍")
        await provider.mark_read("wamid.in")
    finally:
        await provider.close()
    sent = _bodies(wire)
    assert all(b.get("to") == "15551230000" for b in sent[:-1])
    buttons = sent[0]["interactive"]
    assert buttons["type"] == "button"
    assert [b["reply"] for b in buttons["action"]["buttons"]] == [
        {"id": "y", "title": "Yes"}, {"id": "n", "title": "No"}
    ]  # fmt: skip
    listed = sent[1]["interactive"]
    assert listed["type"] == "list"
    assert [r["id"] for r in listed["action"]["sections"][0]["rows"]] == ["XS", "S", "M", "L", "XL"]
    assert sent[2]["interactive"]["action"]["parameters"]["url"] == "https://t.example/1"
    assert sent[3]["type"] == "text"
    assert "12. option 11" in sent[3]["text"]["body"]
    assert sent[4]["interactive"]["header"] == {
        "type": "image", "image": {"link": "https://i.example/b.png"}
    }  # fmt: skip
    assert sent[5]["location"] == {
        "latitude": 45.5, "longitude": -73.6, "name": "Shop", "address": "1 Main St"
    }  # fmt: skip
    template = sent[6]["template"]
    assert template["language"] == {"code": "fr"}
    assert [p["text"] for p in template["components"][0]["parameters"]] == ["Ada", "42"]
    assert sent[7]["document"] == {
        "link": "https://cdn.example/manual.pdf", "caption": "The manual", "filename": "manual.pdf"
    }  # fmt: skip
    assert sent[8]["template"]["language"] == {"code": "de"}
    assert sent[9]["reaction"] == {"message_id": "wamid.abc", "emoji": "👍"}
    assert sent[10] == {"messaging_product": "whatsapp", "status": "read", "message_id": "wamid.in"}


async def test_a_number_outside_the_allowed_list_is_permanent_with_a_hint(
    wire: WhatsAppCloudWire,
) -> None:
    provider = _provider(wire.url)
    try:
        result = await provider.send(sample_event(TextContent(body="hi")), "+15559999999")
    finally:
        await provider.close()
    assert not result.success
    assert not result.retryable
    assert "131030" in (result.error or "")
    assert "allowed list" in (result.error or "")
    with pytest.raises(PermanentProviderError):
        result.raise_for_failure("whatsapp")


async def test_throughput_errors_are_retryable(wire: WhatsAppCloudWire) -> None:
    wire.fail(400, body={"error": {"message": "(#130429) Rate limit hit", "code": 130429}})
    provider = _provider(wire.url)
    try:
        result = await provider.send(sample_event(TextContent(body="a")), USER)
    finally:
        await provider.close()
    assert not result.success
    assert result.retryable


async def test_media_over_their_type_limit_go_as_documents_and_larger_are_refused(
    wire: WhatsAppCloudWire,
) -> None:
    provider = _provider(wire.url)
    big_photo = MediaContent(url="https://cdn.example/p.jpg", mime_type="image/jpeg",
                             size_bytes=6 * 1024 * 1024, caption="full size")  # fmt: skip
    huge = MediaContent(url="https://cdn.example/v.mp4", mime_type="video/mp4",
                        size_bytes=101 * 1024 * 1024)  # fmt: skip
    try:
        as_document = await provider.send(sample_event(big_photo), USER)
        refused = await provider.send(sample_event(huge), USER)
    finally:
        await provider.close()
    assert as_document.success, as_document.error
    assert not refused.success
    assert not refused.retryable
    assert "104857600-byte document limit" in (refused.error or "")
    (sent,) = _bodies(wire)  # the refused video made no call
    assert sent["type"] == "document"
    assert sent["document"] == {"link": "https://cdn.example/p.jpg", "caption": "full size"}


async def test_media_too_large_for_whatsapp_reach_the_user_as_a_link(
    wire: WhatsAppCloudWire,
) -> None:
    kit = RoomKit()
    kit.register_channel(WhatsAppChannel("wa", provider=_provider(wire.url)))
    try:
        room = await kit.create_room()
        await kit.attach_channel(room.id, "wa", metadata={"phone_number": USER})
        film = MediaContent(url="https://cdn.example/film.mp4", mime_type="video/mp4",
                            caption="the film", size_bytes=300 * 1024 * 1024)  # fmt: skip
        result = await kit.send_event(room.id, film)
        assert result.event is not None
        assert "wa" not in result.event.delivery_results  # delivered, not failed
    finally:
        await kit.close()
    (sent,) = _bodies(wire)
    assert sent["type"] == "text"
    assert sent["text"]["body"] == "the film: https://cdn.example/film.mp4"


async def _until(check: Callable[[], Awaitable[bool]], timeout: float = 20.0) -> None:
    async with asyncio.timeout(timeout):
        while not await check():
            await asyncio.sleep(0.01)


async def test_a_429_retry_after_is_waited_for_and_the_message_sent_once(
    wire: WhatsAppCloudWire,
) -> None:
    wire.fail(429, retry_after=1, body={"error": {"message": "slow down", "code": 80007}})
    kit = RoomKit()
    kit.register_channel(WhatsAppChannel("wa", provider=_provider(wire.url)))
    try:
        room = await kit.create_room()
        policy = RetryPolicy(max_retries=3, base_delay_seconds=0.01)
        await kit.attach_channel(room.id, "wa", metadata={"phone_number": USER},
                                 retry_policy=policy)  # fmt: skip
        started = time.monotonic()
        result = await kit.send_event(room.id, TextContent(body="after the wait"))
        assert result.event is not None
        requests = await wire.wait_for_requests(2)
        waited = time.monotonic() - started
        event_id = result.event.id

        async def settled() -> bool:
            stored = await kit.get_event(event_id)
            return stored is not None and "wa" not in stored.delivery_results

        await _until(settled)
    finally:
        await kit.close()
    assert waited >= 0.95, "the retry came before the vendor's Retry-After (1 s)"
    texts = [r.json()["text"]["body"] for r in requests]
    assert texts == ["after the wait", "after the wait"]  # refused once, then sent once
    assert len(wire.requests) == 2


def test_parsing_reads_locations_replies_and_failed_statuses() -> None:
    value = messages_value(PHONE_ID, [
        location_message(sender=USER, message_id="wamid.l", latitude=45.5, longitude=-73.6,
                         name="Home"),
        button_reply(sender=USER, message_id="wamid.b", reply_id="y", title="Yes",
                     context_id="wamid.out"),
    ])  # fmt: skip
    location, reply = parse_whatsapp_events(waba_webhook(value), "wa")
    assert isinstance(location, InboundMessage)
    assert isinstance(reply, InboundMessage)
    assert location.sender_id == USER
    assert isinstance(location.content, LocationContent)
    assert location.content.label == "Home"
    assert reply.content == TextContent(body="Yes")
    assert (reply.metadata["reply_id"], reply.metadata["reply_to"]) == ("y", "wamid.out")
    failed = statuses_value(PHONE_ID, [
        status_entry(message_id="wamid.out", status="failed", recipient=USER, error_code=131026)
    ])  # fmt: skip
    (status,) = parse_whatsapp_events(waba_webhook(failed), "wa")
    assert isinstance(status, DeliveryStatusUpdate)
    assert status.delivery_status == DeliveryStatus.FAILED
    assert status.error_code == "131026"


async def test_parse_webhook_keeps_the_contract_call_shape() -> None:
    provider = _provider("http://127.0.0.1:9")
    try:
        body = waba_webhook(messages_value(PHONE_ID, [
            text_message(sender=USER, message_id="wamid.t", text="hi")
        ]))  # fmt: skip
        message = await provider.parse_webhook(body)
        assert (message.sender_id, message.external_id) == (USER, "wamid.t")
        statuses = waba_webhook(statuses_value(PHONE_ID, [
            status_entry(message_id="wamid.o", status="read", recipient=USER)
        ]))  # fmt: skip
        with pytest.raises(WebhookPayloadError):
            await provider.parse_webhook(statuses)
    finally:
        await provider.close()


async def test_webhooks_through_the_server(wire: WhatsAppCloudWire) -> None:
    kit = RoomKit()
    kit.register_channel(WhatsAppChannel("wa", provider=_provider(wire.url)))
    server = WebhookServer(kit, ServerSettings())
    server.add_channel("wa")
    async with serve_app(server.app) as (url, _), httpx.AsyncClient() as client:
        hook = url + "/webhooks/wa"
        good = await client.get(hook, params=handshake_query(VERIFY, "424242"))
        assert (good.status_code, good.text) == (200, "424242")
        assert (await client.get(hook, params=handshake_query("nope"))).status_code == 403

        inbound = meta_dumps(waba_webhook(messages_value(PHONE_ID, [
            text_message(sender=USER, message_id="wamid.in1", text="Is my order shipped?")
        ])))  # fmt: skip
        headers = sign_meta(inbound, SECRET)
        for _ in range(2):  # Meta retries
            assert (await client.post(hook, content=inbound, headers=headers)).status_code == 200
        forged = await client.post(
            hook, content=inbound.replace(b"shipped", b"refunded"), headers=headers
        )
        assert forged.status_code == 403
        missing = await client.post(
            hook, content=inbound, headers={"content-type": "application/json"}
        )
        assert missing.status_code == 403

        async def has_room() -> bool:
            return bool(await kit.list_rooms())

        await _until(has_room)
        (room,) = await kit.list_rooms()
        reply = await kit.send_event(room.id, TextContent(body="Yes, today"))
        assert reply.event is not None
        sent = [r.json() for r in wire.requests]
        assert [b["to"] for b in sent] == ["15551230000"], "the reply goes to the writer"
        channel = kit.get_channel("wa")
        assert isinstance(channel, MessagingChannel)
        assert isinstance(channel.message_index, InMemoryMessageIndex)
        wamid = next(k[5:] for k in channel.message_index.keys("sent:"))
        event_id = reply.event.id
        for word in ("read", "delivered", "sent"):  # out of order: late words come after read
            body = meta_dumps(waba_webhook(statuses_value(PHONE_ID, [
                status_entry(message_id=wamid, status=word, recipient=USER)
            ])))  # fmt: skip
            answer = await client.post(hook, content=body, headers=sign_meta(body, SECRET))
            assert answer.status_code == 200

        async def read() -> bool:
            event = await kit.get_event(event_id)
            record = event.delivery_results.get("wa") if event else None
            return record is not None and record.status == DeliveryStatus.READ

        await _until(read)

        async def all_processed() -> bool:  # 1 message + 3 statuses
            health = (await client.get(url + "/healthz")).json()
            return bool(health["processed"] >= 4)

        await _until(all_processed)
        assert await read(), "a late 'delivered' or 'sent' does not undo 'read'"
        timeline = await kit.get_timeline(room.id)
        inbound_events = [e for e in timeline if e.source.channel_id == "wa"
                          and e.source.direction == "inbound"]  # fmt: skip
        assert len(inbound_events) == 1, "a retried webhook is stored once"
    await kit.close()
