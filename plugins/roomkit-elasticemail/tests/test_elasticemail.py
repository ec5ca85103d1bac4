"""ElasticEmailProvider against the Elastic Email wire fake (what it sends, its configuration,
its secrets), and its notifications, also end to end through roomkit-server."""

from __future__ import annotations

import asyncio
import base64
import json
import logging
from typing import Any
from urllib.parse import parse_qsl

import httpx
import pytest
from pydantic import ValidationError
from roomkit_elasticemail import ElasticEmailConfig, ElasticEmailProvider
from roomkit_elasticemail.notifications import ElasticEmailNotificationParser
from roomkit_server import ServerSettings, WebhookServer
from roomkit_server.testing import serve_app

from roomkit import RoomKit
from roomkit.channels.email import EmailChannel, EmailTransportChannel
from roomkit.errors import WebhookPayloadError, WebhookSignatureError
from roomkit.messaging.index import InMemoryMessageIndex
from roomkit.messaging.webhook import WebhookRequest, dedupe_key
from roomkit.models.content import CompositeContent, MediaContent, RichContent, TextContent
from roomkit.models.delivery import DeliveryStatusUpdate
from roomkit.models.enums import DeliveryStatus
from roomkit_conformance.suites.messaging import sample_event
from roomkit_conformance.wire.elasticemail import (
    ElasticEmailWire,
    notification,
    notification_query,
)

KEY, TOKEN = "elastic-key-0123456789", "notify-token-0123456789"
PDF = "data:application/pdf;base64," + base64.b64encode(b"%PDF-1.4 tiny").decode()


def _provider(url: str, **options: Any) -> ElasticEmailProvider:
    values = {
        "api_key": KEY,
        "from_email": "help@shop.example",
        "from_name": "Shop, Inc.",
        "base_url": url + "/v4",
        "webhook_token": TOKEN,
        "timeout": 2.0,
        **options,
    }
    return ElasticEmailProvider(ElasticEmailConfig(**values))


def _notify(fields: dict[str, str], token: str | None = TOKEN) -> WebhookRequest:
    query = notification_query(fields, token)
    return WebhookRequest("GET", f"https://h/mail?{query}", {}, b"", query=dict(parse_qsl(query)))


async def test_a_threaded_email_with_html_and_an_attachment() -> None:
    threading = {
        "email": {
            "message_id": "<e1.1@shop.example>",
            "in_reply_to": "<a@x>",
            "references": ["<z@x>", "<a@x>"],
        }
    }
    content = CompositeContent(
        parts=[
            RichContent(body="<p>Your <b>invoice</b></p>", format="html"),
            MediaContent(url=PDF, mime_type="application/pdf", filename="invoice.pdf"),
        ]
    )
    async with ElasticEmailWire(KEY) as wire:
        provider = _provider(wire.url, channel_name="support")
        try:
            result = await provider.send(
                sample_event(content, metadata=threading), "ada@example.com", subject="Re: Order 42"
            )
        finally:
            await provider.close()
        (request,) = wire.requests
    assert result.success, result.error
    assert result.metadata["message_id"]
    assert request.path == "/v4/emails/transactional"
    assert request.headers["x-elasticemail-apikey"] == KEY
    assert KEY not in request.text()
    message = request.json()
    assert message["Recipients"] == {"To": ["ada@example.com"]}
    assert message["Options"] == {"ChannelName": "support"}
    content_out = message["Content"]
    assert content_out["From"] == '"Shop, Inc." <help@shop.example>'
    assert content_out["Subject"] == "Re: Order 42"
    assert content_out["Headers"] == {
        "Message-ID": "<e1.1@shop.example>",
        "In-Reply-To": "<a@x>",
        "References": "<z@x> <a@x>",
    }
    bodies = {p["ContentType"]: p["Content"] for p in content_out["Body"]}
    assert bodies == {"HTML": "<p>Your <b>invoice</b></p>", "PlainText": "Your invoice"}
    (attachment,) = content_out["Attachments"]
    assert attachment["Name"] == "invoice.pdf"
    assert base64.b64decode(attachment["BinaryContent"]) == b"%PDF-1.4 tiny"


async def test_bulk_sends_and_default_subject() -> None:
    async with ElasticEmailWire(KEY) as wire:
        provider = _provider(wire.url, is_transactional=False, from_name=None)
        try:
            result = await provider.send(sample_event(TextContent(body="hi")), "ada@example.com")
        finally:
            await provider.close()
        (request,) = wire.requests
    assert result.success, result.error
    assert request.path == "/v4/emails"
    assert request.json()["Recipients"] == [{"Email": "ada@example.com"}]
    assert request.json()["Content"]["Subject"] == "(no subject)"
    assert request.json()["Content"]["From"] == "help@shop.example"


async def test_unsendable_content_fails_permanently_without_a_call() -> None:
    huge = "data:application/pdf;base64," + base64.b64encode(b"x" * 2048).decode()
    header_injection = {"email": {"message_id": "<a@x>\r\nBcc: victim@example.com"}}
    async with ElasticEmailWire(KEY) as wire:
        provider = _provider(wire.url, max_attachment_bytes=1024)
        try:
            results = [
                await provider.send(sample_event(TextContent(body="")), "a@example.com"),
                await provider.send(
                    sample_event(MediaContent(url=huge, mime_type="application/pdf")),
                    "a@example.com",
                ),
                await provider.send(
                    sample_event(TextContent(body="x"), metadata=header_injection), "a@example.com"
                ),
            ]
        finally:
            await provider.close()
        assert wire.requests == []
    assert [(r.success, r.retryable) for r in results] == [(False, False)] * 3
    assert "1024 bytes" in (results[1].error or "")
    assert "line break" in (results[2].error or "")


async def test_a_bad_key_is_permanent_and_never_shown(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    async with ElasticEmailWire("another-key-000") as wire:
        wire.fail(401, body={"Error": f"Access Denied for {KEY}"})
        provider = _provider(wire.url)
        try:
            result = await provider.send(sample_event(TextContent(body="x")), "a@example.com")
            shown = " ".join(
                [
                    result.model_dump_json(),
                    repr(provider.config),
                    provider.config.model_dump_json(),
                    caplog.text,
                ]
            )
        finally:
            await provider.close()
    assert (result.success, result.retryable, result.status_code) == (False, False, 401)
    assert KEY not in shown
    assert TOKEN not in shown


def test_config_rules() -> None:
    config = ElasticEmailConfig(api_key="k", from_email="a@b.c")
    assert config.send_url == "https://api.elasticemail.com/v4/emails/transactional"
    with pytest.raises(ValidationError, match="v4"):
        ElasticEmailConfig(
            api_key="k", from_email="a@b.c", base_url="https://api.elasticemail.com/v2/email/send"
        )
    with pytest.raises(ValidationError, match="https"):
        ElasticEmailConfig(api_key="k", from_email="a@b.c", base_url="http://api.example.com")
    with pytest.raises(ValidationError, match="16 characters"):
        ElasticEmailConfig(api_key="k", from_email="a@b.c", webhook_token="short")


def test_notifications_need_the_token() -> None:
    provider = ElasticEmailProvider(
        ElasticEmailConfig(api_key="k", from_email="a@b.c", webhook_token=TOKEN)
    )
    endpoint = provider.webhook_endpoints()[""]
    assert endpoint.methods == ("GET", "POST")
    fields = notification(transaction="t-1", status="Sent")
    endpoint.verifier.verify(_notify(fields))
    for token, reason in ((None, "missing"), ("wrong-token-000000000", "invalid")):
        with pytest.raises(WebhookSignatureError) as info:
            endpoint.verifier.verify(_notify(fields, token))
        assert info.value.reason == reason


@pytest.mark.parametrize(
    ("word", "category", "expected"),
    [
        ("Sent", None, DeliveryStatus.DELIVERED),
        ("Opened", None, DeliveryStatus.READ),
        ("Clicked", None, DeliveryStatus.READ),
        ("Error", "NoMailbox", DeliveryStatus.FAILED),
        ("AbuseReport", None, DeliveryStatus.FAILED),
    ],
)
def test_notification_statuses(word: str, category: str | None, expected: DeliveryStatus) -> None:
    fields = notification(transaction="t-9", status=word, category=category)
    (update,) = ElasticEmailNotificationParser().parse(_notify(fields), "mail")
    assert isinstance(update, DeliveryStatusUpdate)
    assert (update.message_id, update.delivery_status, update.channel_id) == (
        "t-9",
        expected,
        "mail",
    )
    assert update.timestamp is not None
    assert "token" not in update.raw
    if category:
        assert update.error_code == category


def test_other_notifications_and_forms() -> None:
    parser = ElasticEmailNotificationParser()
    unsubscribed = notification(transaction="t", status="Unsubscribed")
    assert parser.parse(_notify(unsubscribed), "mail") == []
    for bad in ({"status": "Sent"}, {"transaction": "t", "status": "Teleported"}):
        with pytest.raises(WebhookPayloadError):
            parser.parse(_notify(bad), "mail")
    body = json.dumps({"transaction": "t-2", "status": "Sent"}).encode()
    posted = WebhookRequest("POST", "https://h", {"content-type": "application/json"}, body)
    form = WebhookRequest(
        "POST",
        "https://h",
        {"content-type": "application/x-www-form-urlencoded"},
        b"transaction=t-3&status=Opened",
    )
    assert [
        u.message_id
        for u in (*parser.parse(posted, "m"), *parser.parse(form, "m"))
        if isinstance(u, DeliveryStatusUpdate)
    ] == ["t-2", "t-3"]
    first = parser.parse(_notify(notification(transaction="t-4", status="Sent")), "m")
    again = parser.parse(_notify(notification(transaction="t-4", status="Sent")), "m")
    assert [dedupe_key(i) for i in first] == [dedupe_key(i) for i in again]


async def test_get_notifications_through_the_webhook_server() -> None:
    async with ElasticEmailWire(KEY) as wire:
        provider = _provider(wire.url)
        kit = RoomKit()
        kit.register_channel(
            EmailChannel(
                "mail", provider=provider, from_address="help@shop.example", subject="Order"
            )
        )
        server = WebhookServer(kit, ServerSettings())
        server.add_channel("mail")
        room = await kit.create_room()
        await kit.attach_channel(room.id, "mail", metadata={"email_address": "ada@example.com"})
        sent = await kit.send_event(room.id, TextContent(body="shipped"))
        assert sent.event is not None
        channel = kit.get_channel("mail")
        assert isinstance(channel, EmailTransportChannel)
        index = channel.message_index
        assert isinstance(index, InMemoryMessageIndex)
        (transaction,) = [k[len("sent:") :] for k in index.keys("sent:")]
        async with serve_app(server.app) as (url, _), httpx.AsyncClient() as client:
            hook = url + "/webhooks/mail"
            fields = notification(transaction=transaction, status="Sent")
            forged = await client.get(f"{hook}?{notification_query(fields, 'guessed-token-0000')}")
            missing = await client.get(f"{hook}?{notification_query(fields, None)}")
            assert (forged.status_code, missing.status_code) == (403, 403)
            for _ in range(2):  # Elastic Email retries: processed once
                ok = await client.get(f"{hook}?{notification_query(fields, TOKEN)}")
                assert ok.status_code == 200
            event_id = sent.event.id

            async def delivered() -> bool:
                stored = await kit.get_event(event_id)
                record = stored.delivery_results.get("mail") if stored else None
                return record is not None and record.status == DeliveryStatus.DELIVERED

            async with asyncio.timeout(20):
                while not await delivered():
                    await asyncio.sleep(0.01)
            assert server.health()["duplicates"] == 1
        await kit.close()
        await provider.close()
