"""roomkit-messenger over real sockets: the provider against the Send API fake, and Meta's
signed webhooks through the RoomKit webhook server."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable

import httpx
import pytest
from roomkit_messenger import (
    FacebookMessengerProvider,
    MessengerConfig,
    parse_messenger_events,
    parse_messenger_webhook,
)
from roomkit_server import ServerSettings, WebhookServer
from roomkit_server.testing import serve_app

from roomkit import RoomKit
from roomkit.channels.messaging import MessagingChannel
from roomkit.channels.messenger import MessengerChannel
from roomkit.errors import PermanentProviderError
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
from roomkit_conformance.wire.http import RecordedRequest, WireResponse
from roomkit_conformance.wire.messenger import (
    MessengerWire,
    delivery_event,
    page_webhook,
    postback_event,
    read_event,
    text_event,
)
from roomkit_conformance.wire.meta import graph_error, handshake_query, meta_dumps, sign_meta

TOKEN = "EAAG-test-page-token"
SECRET = "test-app-secret-0123"
VERIFY = "test-verify-token"
PAGE = "1000000001"
USER = "24680135792468013"


@pytest.fixture
async def wire() -> AsyncIterator[MessengerWire]:
    async with MessengerWire(TOKEN, page_id=PAGE, known_users={USER}) as server:
        assert isinstance(server, MessengerWire)
        yield server


def _provider(url: str, **extra: object) -> FacebookMessengerProvider:
    return FacebookMessengerProvider(
        MessengerConfig(
            page_access_token=TOKEN,
            app_secret=SECRET,
            verify_token=VERIFY,
            graph_url=url,
            timeout=5.0,
            **extra,  # type: ignore[arg-type]
        )
    )


def _messages(server: MessengerWire) -> list[dict[str, object]]:
    return [r.json() for r in server.requests if r.path.endswith("/messages")]


async def test_rich_content_becomes_templates_and_quick_replies(wire: MessengerWire) -> None:
    provider = _provider(wire.url)
    try:
        buttons = RichContent(
            body="**Pick** one",
            buttons=[
                RichButton(label="Yes", value="Y"),
                RichButton(label="Site", url="https://x.example"),
            ],
            quick_replies=["Later", "A reply title longer than twenty"],
        )
        assert (await provider.send(sample_event(buttons), USER)).success
        cards = RichContent(
            body="Our plans",
            cards=[RichCard(title="Basic", body="5 EUR", image_url="https://img.example/b.png",
                            buttons=[RichButton(label="Buy", value="buy-basic")])],
        )  # fmt: skip
        assert (await provider.send(sample_event(cards), USER)).success
        template = TemplateContent(template_id="order_update", language="en_US",
                                   parameters={"order": "42"})  # fmt: skip
        assert (await provider.send(sample_event(template), USER)).success
        sizes = RichContent(
            body="Size?", buttons=[RichButton(label=f"Size {n}", value=f"s{n}") for n in range(5)]
        )
        assert (await provider.send(sample_event(sizes), USER)).success
        links = RichContent(
            body="Read", buttons=[RichButton(label=f"Doc {n}", url=f"https://d.example/{n}")
                                  for n in range(4)],
        )  # fmt: skip
        assert (await provider.send(sample_event(links), USER)).success
        location = LocationContent(latitude=45.5, longitude=-73.6, label="Shop")
        assert (await provider.send(sample_event(location), USER)).success
        await provider.send_typing(USER)
    finally:
        await provider.close()
    sent = _messages(wire)
    button_template = sent[0]["message"]["attachment"]["payload"]  # type: ignore[index]
    assert button_template["template_type"] == "button"
    assert button_template["text"] == "Pick one"
    assert button_template["buttons"] == [
        {"type": "postback", "title": "Yes", "payload": "Y"},
        {"type": "web_url", "url": "https://x.example", "title": "Site"},
    ]
    replies = sent[0]["message"]["quick_replies"]  # type: ignore[index]
    assert [r["payload"] for r in replies] == ["Later", "A reply title longer than twenty"]
    assert all(len(r["title"]) <= 20 for r in replies)
    assert sent[1]["message"] == {"text": "Our plans"}
    generic = sent[2]["message"]["attachment"]["payload"]  # type: ignore[index]
    assert generic["elements"][0]["image_url"] == "https://img.example/b.png"
    assert generic["elements"][0]["buttons"][0]["payload"] == "buy-basic"
    utility = sent[3]
    assert utility["messaging_type"] == "UTILITY"
    assert utility["message"]["attachment"]["payload"]["name"] == "order_update"  # type: ignore[index]
    quick = sent[4]["message"]
    assert quick["text"] == "Size?"
    assert [(r["title"], r["payload"]) for r in quick["quick_replies"]] == [
        (f"Size {n}", f"s{n}") for n in range(5)
    ]
    three = sent[5]["message"]["attachment"]["payload"]
    assert len(three["buttons"]) == 3
    assert three["text"] == "Read\n4. Doc 3 (https://d.example/3)"
    assert "Shop" in sent[6]["message"]["text"]
    assert sent[7] == {"recipient": {"id": USER}, "sender_action": "typing_on"}


async def test_unknown_user_is_a_permanent_failure_that_says_why(wire: MessengerWire) -> None:
    provider = _provider(wire.url)
    try:
        result = await provider.send(sample_event(TextContent(body="hi")), "999")
    finally:
        await provider.close()
    assert not result.success
    assert not result.retryable
    assert "2018001" in (result.error or "")
    assert "PSID" in (result.error or "")
    with pytest.raises(PermanentProviderError):
        result.raise_for_failure("messenger")


async def test_graph_throttling_codes_are_retryable_even_with_http_400(
    wire: MessengerWire,
) -> None:
    throttling = {"message": "(#613) Calls to this api have exceeded the rate limit.", "code": 613}
    wire.fail(400, body={"error": throttling})
    wire.fail(429, retry_after=12, body={"error": {"message": "slow down", "code": 4}})
    provider = _provider(wire.url)
    try:
        throttled = await provider.send(sample_event(TextContent(body="a")), USER)
        limited = await provider.send(sample_event(TextContent(body="b")), USER)
    finally:
        await provider.close()
    assert (throttled.success, throttled.retryable) == (False, True)
    assert (limited.retryable, limited.retry_after) == (True, 12)


async def test_media_over_the_limit_is_refused_before_any_call(wire: MessengerWire) -> None:
    provider = _provider(wire.url)
    big = MediaContent(url="https://cdn.example/big.mp4", mime_type="video/mp4",
                       size_bytes=30 * 1024 * 1024)  # fmt: skip
    try:
        result = await provider.send(sample_event(big), USER)
    finally:
        await provider.close()
    assert not result.success
    assert not result.retryable
    assert "limit" in (result.error or "")
    assert wire.requests == []


class _CaptionFailsOnce(MessengerWire):
    """Fails the first caption (text) message with a 500: the attachment went out."""

    failed = False

    def handle(self, request: RecordedRequest) -> WireResponse:
        body = request.json()
        if "text" in body.get("message", {}) and not self.failed:
            self.failed = True
            return graph_error(500, "An unexpected error has occurred", code=2)
        return super().handle(request)


async def test_a_retried_event_never_sends_a_part_twice() -> None:
    async with _CaptionFailsOnce(TOKEN, page_id=PAGE) as server:
        provider = _provider(server.url)
        kit = RoomKit()
        kit.register_channel(MessengerChannel("fb", provider=provider))
        try:
            room = await kit.create_room()
            policy = RetryPolicy(max_retries=2, base_delay_seconds=0)
            await kit.attach_channel(
                room.id, "fb", metadata={"facebook_user_id": USER}, retry_policy=policy
            )
            photo = MediaContent(url="https://cdn.example/cat.png", mime_type="image/png",
                                 caption="our cat")  # fmt: skip
            result = await kit.send_event(room.id, photo)
            assert result.event is not None
            event_id = result.event.id

            await server.wait_for_requests(3)  # attachment, failed caption, caption again

            async def settled() -> bool:  # the outbox clears the pending record on success
                stored = await kit.get_event(event_id)
                return stored is not None and "fb" not in stored.delivery_results

            await _until(settled)
        finally:
            await kit.close()
        messages = [r.json()["message"] for r in server.requests]
    attachments = [m for m in messages if "attachment" in m]
    captions = [m for m in messages if m.get("text") == "our cat"]
    assert len(attachments) == 1, "the attachment the user has is not sent again"
    assert len(captions) == 2, "the failed caption is tried again"


def test_parsing_reads_postbacks_quick_replies_and_skips_echoes_and_reads() -> None:
    payload = page_webhook(PAGE, [
        text_event(sender=USER, page_id=PAGE, mid="m_1", text="Later", quick_reply="LATER"),
        postback_event(sender=USER, page_id=PAGE, title="Yes", payload="Y", mid="m_2"),
        {"sender": {"id": PAGE}, "recipient": {"id": USER}, "timestamp": 1,
         "message": {"mid": "m_3", "text": "echo", "is_echo": True}},
        read_event(sender=USER, page_id=PAGE),
        delivery_event(sender=USER, page_id=PAGE, mids=["m_out"]),
    ])  # fmt: skip
    items = parse_messenger_events(payload, "fb")
    first, second, status = items
    assert isinstance(first, InboundMessage)
    assert isinstance(second, InboundMessage)
    assert first.metadata["quick_reply_payload"] == "LATER"
    assert second.metadata["postback_payload"] == "Y"
    assert second.content == TextContent(body="Yes")
    assert isinstance(status, DeliveryStatusUpdate)
    assert (status.message_id, status.delivery_status) == ("m_out", DeliveryStatus.DELIVERED)
    assert [m.external_id for m in parse_messenger_webhook(payload, "fb")] == ["m_1", "m_2"]


def test_verify_signature_keeps_the_067_call_shape() -> None:
    provider = _provider("http://127.0.0.1:9")
    body = b'{"object":"page","entry":[]}'
    good = sign_meta(body, SECRET)["x-hub-signature-256"]
    assert provider.verify_signature(body, good)
    assert not provider.verify_signature(body + b" ", good)
    assert not provider.verify_signature(body, "")


async def _until(check: Callable[[], Awaitable[bool]], timeout: float = 20.0) -> None:
    async with asyncio.timeout(timeout):
        while not await check():
            await asyncio.sleep(0.01)


async def test_webhooks_through_the_server(wire: MessengerWire) -> None:
    provider = _provider(wire.url)
    kit = RoomKit()
    kit.register_channel(MessengerChannel("fb", provider=provider))
    server = WebhookServer(kit, ServerSettings())
    server.add_channel("fb")
    async with serve_app(server.app) as (url, _), httpx.AsyncClient() as client:
        hook = url + "/webhooks/fb"
        good = await client.get(hook, params=handshake_query(VERIFY, "8675309"))
        assert (good.status_code, good.text) == (200, "8675309")
        bad = await client.get(hook, params=handshake_query("guess", "1"))
        assert bad.status_code == 403

        body = meta_dumps(page_webhook(PAGE, [
            text_event(sender=USER, page_id=PAGE, mid="m_in_1", text="where is my order?")
        ]))  # fmt: skip
        headers = sign_meta(body, SECRET)
        first = await client.post(hook, content=body, headers=headers)
        assert (first.status_code, first.text) == (200, "EVENT_RECEIVED")
        again = await client.post(hook, content=body, headers=headers)  # Meta retries
        assert again.status_code == 200
        forged = await client.post(hook, content=body.replace(b"order", b"refund"),
                                   headers=headers)  # fmt: skip
        assert forged.status_code == 403
        unsigned = await client.post(
            hook, content=body, headers={"content-type": "application/json"}
        )
        assert unsigned.status_code == 403

        async def one_message() -> bool:
            rooms = await kit.list_rooms()
            return bool(rooms) and any(
                e.source.channel_id == "fb" for e in await kit.get_timeline(rooms[0].id)
            )

        await _until(one_message)
        (room,) = await kit.list_rooms()
        reply = await kit.send_event(room.id, TextContent(body="On its way"))
        assert reply.event is not None
        (sent,) = [r.json() for r in wire.requests if r.json().get("message")]
        assert sent["recipient"] == {"id": USER}, "the reply goes to the writer"
        channel = kit.get_channel("fb")
        assert isinstance(channel, MessagingChannel)
        assert isinstance(channel.message_index, InMemoryMessageIndex)
        mid = next(k[5:] for k in channel.message_index.keys("sent:"))
        receipt = meta_dumps(
            page_webhook(PAGE, [delivery_event(sender=USER, page_id=PAGE, mids=[mid])])
        )
        answer = await client.post(hook, content=receipt, headers=sign_meta(receipt, SECRET))
        assert answer.status_code == 200

        async def delivered() -> bool:
            event = await kit.get_event(reply.event.id)  # type: ignore[union-attr]
            record = event.delivery_results.get("fb") if event else None
            return record is not None and record.status == DeliveryStatus.DELIVERED

        await _until(delivered)
        stored = [e for e in await kit.get_timeline(room.id) if e.source.channel_id == "fb"
                  and e.source.direction == "inbound"]  # fmt: skip
        assert len(stored) == 1, "a retried webhook is stored once"
    await kit.close()
