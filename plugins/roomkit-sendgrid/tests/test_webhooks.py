"""SendGrid's Event Webhook and Inbound Parse: signatures, event mapping, parsed emails."""

from __future__ import annotations

import json
import time
from typing import Any

import pytest
from roomkit_sendgrid import SendGridConfig, SendGridProvider
from roomkit_sendgrid.webhooks import SendGridWebhookParser

from roomkit.errors import WebhookPayloadError, WebhookSignatureError
from roomkit.messaging.webhook import WebhookEndpoint, WebhookRequest
from roomkit.models.content import CompositeContent, MediaContent, TextContent
from roomkit.models.delivery import DeliveryStatusUpdate
from roomkit.models.enums import DeliveryStatus
from roomkit.models.event import InboundMessage
from roomkit_conformance.wire.sendgrid import WebhookSigner, event, inbound_parse_form

EVENTS, PARSE = WebhookSigner(), WebhookSigner()


async def _endpoint(**options: Any) -> WebhookEndpoint:
    config = SendGridConfig(
        api_key="SG.k",
        from_email="help@shop.example",
        **{
            "event_webhook_public_key": EVENTS.public_key,
            "inbound_parse_public_key": PARSE.public_key,
            **options,
        },
    )
    provider = SendGridProvider(config)
    endpoints = provider.webhook_endpoints()
    await provider.close()
    return endpoints[""]


def _signed(body: bytes, content_type: str, signer: WebhookSigner, **sign: Any) -> WebhookRequest:
    headers = {**signer.headers(body, **sign), "content-type": content_type}
    return WebhookRequest("POST", "https://h/sendgrid", headers, body)


def _events(items: list[dict[str, Any]], signer: WebhookSigner = EVENTS) -> WebhookRequest:
    return _signed(json.dumps(items).encode(), "application/json", signer)


def _form(signer: WebhookSigner = PARSE, **fields: Any) -> WebhookRequest:
    values = {
        "sender": "Ada <Ada@Example.com>",
        "to": "help@shop.example",
        "subject": "Re: Order 42",
        "text": "Where is it?",
        "message_id": "r1@example.com",
        **fields,
    }
    body, content_type = inbound_parse_form(**values)
    return _signed(body, content_type, signer)


async def test_each_webhook_needs_its_own_key() -> None:
    endpoint = await _endpoint()
    endpoint.verifier.verify(_events([event("delivered", x_message_id="X1")]))
    endpoint.verifier.verify(_form())
    crossed = [_events([event("delivered", x_message_id="X1")], PARSE), _form(EVENTS)]
    for request in crossed:
        with pytest.raises(WebhookSignatureError) as info:
            endpoint.verifier.verify(request)
        assert info.value.reason == "invalid"
    body = b"[]"
    stale = _signed(body, "application/json", EVENTS, timestamp=int(time.time()) - 3600)
    with pytest.raises(WebhookSignatureError) as expired:
        endpoint.verifier.verify(stale)
    assert expired.value.reason == "expired"
    bad_timestamp = {
        **EVENTS.headers(body),
        "x-twilio-email-event-webhook-timestamp": "soon",
        "content-type": "application/json",
    }
    with pytest.raises(WebhookSignatureError):
        endpoint.verifier.verify(WebhookRequest("POST", "u", bad_timestamp, body))
    events_only = await _endpoint(inbound_parse_public_key=None)
    with pytest.raises(WebhookSignatureError, match="inbound_parse_public_key") as missing:
        events_only.verifier.verify(_form())
    assert missing.value.reason == "missing"


async def test_no_key_no_route() -> None:
    provider = SendGridProvider(SendGridConfig(api_key="SG.k", from_email="a@b.c"))
    assert provider.webhook_endpoints() == {}
    await provider.close()


def test_events_map_to_delivery_statuses() -> None:
    items = [
        event(kind, x_message_id="X7")
        for kind in (
            "processed",
            "deferred",
            "delivered",
            "open",
            "click",
            "bounce",
            "dropped",
            "spamreport",
            "unsubscribe",
            "group_resubscribe",
            "machine_opened_in_2030",
        )
    ]
    updates = SendGridWebhookParser().parse(_events(items), "mail")
    assert all(isinstance(u, DeliveryStatusUpdate) for u in updates)
    assert [
        (u.status, u.delivery_status) for u in updates if isinstance(u, DeliveryStatusUpdate)
    ] == [
        ("processed", DeliveryStatus.SENT),
        ("deferred", DeliveryStatus.SENT),
        ("delivered", DeliveryStatus.DELIVERED),
        ("open", DeliveryStatus.READ),
        ("click", DeliveryStatus.READ),
        ("bounce", DeliveryStatus.FAILED),
        ("dropped", DeliveryStatus.FAILED),
        ("spamreport", DeliveryStatus.FAILED),
    ]
    bounce = updates[5]
    assert isinstance(bounce, DeliveryStatusUpdate)
    assert (bounce.message_id, bounce.channel_id, bounce.recipient) == (
        "X7",
        "mail",
        "ada@example.com",
    )
    assert bounce.error_code == "5.1.1"
    assert "does not exist" in (bounce.error_message or "")
    assert bounce.timestamp is not None


@pytest.mark.parametrize(
    "body", [b'{"event": "delivered"}', b"[1, 2]", b'[{"email": "a@b.c"}]', b"not json"]
)
def test_malformed_event_batches_are_400(body: bytes) -> None:
    with pytest.raises(WebhookPayloadError):
        SendGridWebhookParser().parse(_signed(body, "application/json", EVENTS), "mail")


def test_an_inbound_email_becomes_a_threaded_message() -> None:
    request = _form(
        in_reply_to="<e1.1@shop.example>",
        references=["<e0.1@shop.example>", "<e1.1@shop.example>"],
        html="<p>Where is it?</p>",
        attachments=[
            ("photo.jpg", "image/jpeg", b"\xff\xd8small"),
            ("video.mp4", "video/mp4", b"x" * 2000),
        ],
    )
    (message,) = SendGridWebhookParser(max_inbound_attachment_bytes=1000).parse(request, "mail")
    assert isinstance(message, InboundMessage)
    assert (message.sender_id, message.external_id, message.idempotency_key) == (
        "ada@example.com",
        "r1@example.com",
        "r1@example.com",
    )
    assert message.metadata["email"] == {
        "message_id": "<r1@example.com>",
        "in_reply_to": "<e1.1@shop.example>",
        "references": ["<e0.1@shop.example>", "<e1.1@shop.example>"],
        "subject": "Re: Order 42",
    }
    assert message.metadata["to"] == ["help@shop.example"]
    assert isinstance(message.content, CompositeContent)
    text, photo = message.content.parts
    assert text == TextContent(body="Where is it?")
    assert isinstance(photo, MediaContent)
    assert (photo.filename, photo.mime_type, photo.url) == (
        "photo.jpg",
        "image/jpeg",
        "data:image/jpeg;base64,/9hzbWFsbA==",
    )
    assert message.metadata["attachments_skipped"] == [
        {"filename": "video.mp4", "mime_type": "video/mp4", "size_bytes": 2000}
    ]


def test_raw_mime_mode_html_only_and_charsets() -> None:
    raw = (
        b"From: =?utf-8?q?Zo=C3=A9?= <zoe@example.com>\r\nTo: help@shop.example\r\n"
        b"Subject: Hi\r\nMessage-ID: <raw-1@example.com>\r\nMIME-Version: 1.0\r\n"
        b"Content-Type: text/html; charset=utf-8\r\n\r\n<p>Bonjour <b>\xc3\xa0</b> vous</p>\r\n"
    )
    boundary = "b0undary"
    body = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="email"\r\n\r\n'.encode()
        + raw
        + f"\r\n--{boundary}--\r\n".encode()
    )
    request = _signed(body, f"multipart/form-data; boundary={boundary}", PARSE)
    (message,) = SendGridWebhookParser().parse(request, "mail")
    assert isinstance(message, InboundMessage)
    assert message.sender_id == "zoe@example.com"
    assert message.content == TextContent(body="Bonjour à vous")
    assert message.external_id == "raw-1@example.com"

    latin = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="from"\r\n\r\n'
        "luc@example.com\r\n"
        f'--{boundary}\r\nContent-Disposition: form-data; name="text"\r\n\r\n'
    ).encode()
    latin += "Merci beaucoup, ça marche".encode("latin-1")
    latin += (
        f'\r\n--{boundary}\r\nContent-Disposition: form-data; name="charsets"\r\n\r\n'
        '{"text": "iso-8859-1"}\r\n'
        f"--{boundary}--\r\n"
    ).encode()
    first = SendGridWebhookParser().parse(
        _signed(latin, f"multipart/form-data; boundary={boundary}", PARSE), "mail"
    )[0]
    again = SendGridWebhookParser().parse(
        _signed(latin, f"multipart/form-data; boundary={boundary}", PARSE), "mail"
    )[0]
    assert isinstance(first, InboundMessage)
    assert first.content == TextContent(body="Merci beaucoup, ça marche")
    assert isinstance(again, InboundMessage)
    assert first.external_id == again.external_id  # no Message-ID: a stable digest


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        (b"garbage", "multipart/form-data; boundary=zz"),
        (
            b"--zz\r\nContent-Disposition: form-data\r\n\r\nx\r\n--zz--\r\n",
            "multipart/form-data; boundary=zz",
        ),
        (
            b'--zz\r\nContent-Disposition: form-data; name="text"\r\n\r\nx\r\n--zz--\r\n',
            "multipart/form-data; boundary=zz",
        ),
        (
            b'--zz\r\nContent-Disposition: form-data; name="from"\r\n\r\nnobody\r\n--zz--\r\n',
            "multipart/form-data; boundary=zz",
        ),
        (b"x", "multipart/form-data"),
    ],
)
def test_malformed_forms_are_400(body: bytes, content_type: str) -> None:
    with pytest.raises(WebhookPayloadError):
        SendGridWebhookParser().parse(_signed(body, content_type, PARSE), "mail")
