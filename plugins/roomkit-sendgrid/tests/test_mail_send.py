"""SendGridProvider against the SendGrid wire fake: the v3 mail it sends, its configuration,
and its API key kept out of errors, logs and reprs."""

from __future__ import annotations

import base64
import logging
from typing import Any

import pytest
from pydantic import ValidationError
from roomkit_sendgrid import SendGridConfig, SendGridProvider

from roomkit.models.content import CompositeContent, MediaContent, TextContent
from roomkit_conformance.suites.messaging import sample_event
from roomkit_conformance.wire.sendgrid import SendGridWire, WebhookSigner

KEY = "SG.test-key-0123456789abcdef"


def _provider(url: str, **options: Any) -> SendGridProvider:
    values = {
        "api_key": KEY,
        "from_email": "help@shop.example",
        "from_name": "Shop",
        "base_url": url + "/v3/mail/send",
        "timeout": 2.0,
        **options,
    }
    return SendGridProvider(SendGridConfig(**values))


async def test_a_threaded_mail_with_text_html_and_an_attachment() -> None:
    png = "data:image/png;base64," + base64.b64encode(b"\x89PNG tiny").decode()
    metadata = {
        "email": {
            "message_id": "<e2.1@shop.example>",
            "in_reply_to": "<e1.1@shop.example>",
            "references": ["<e1.1@shop.example>"],
        }
    }
    content = CompositeContent(
        parts=[
            TextContent(body="Here is your receipt"),
            MediaContent(url=png, mime_type="image/png", filename="receipt.png"),
        ]
    )
    async with SendGridWire(KEY) as wire:
        provider = _provider(wire.url)
        try:
            result = await provider.send(
                sample_event(content, metadata=metadata, room_id="room-9"),
                "ada@example.com",
                subject="Re: Order 42",
            )
        finally:
            await provider.close()
        (request,) = wire.requests
    assert result.success, result.error
    assert result.provider_message_id
    assert request.headers["authorization"] == f"Bearer {KEY}"
    mail = request.json()
    assert mail["personalizations"] == [{"to": [{"email": "ada@example.com"}]}]
    assert mail["from"] == {"email": "help@shop.example", "name": "Shop"}
    assert mail["subject"] == "Re: Order 42"
    assert [c["type"] for c in mail["content"]] == ["text/plain", "text/html"]
    assert mail["content"][0]["value"] == "Here is your receipt"
    assert mail["headers"] == {
        "Message-ID": "<e2.1@shop.example>",
        "In-Reply-To": "<e1.1@shop.example>",
        "References": "<e1.1@shop.example>",
    }
    (attachment,) = mail["attachments"]
    assert (attachment["filename"], attachment["type"], attachment["disposition"]) == (
        "receipt.png",
        "image/png",
        "attachment",
    )
    assert base64.b64decode(attachment["content"]) == b"\x89PNG tiny"
    assert mail["custom_args"] == {
        "roomkit_event_id": mail["custom_args"]["roomkit_event_id"],
        "roomkit_room_id": "room-9",
    }


async def test_sender_override_and_default_subject() -> None:
    async with SendGridWire(KEY) as wire:
        provider = _provider(wire.url)
        try:
            result = await provider.send(
                sample_event(TextContent(body="hi")),
                "ada@example.com",
                from_="Billing <billing@shop.example>",
            )
        finally:
            await provider.close()
        mail = wire.requests[0].json()
    assert result.success, result.error
    assert mail["from"] == {"email": "billing@shop.example", "name": "Billing"}
    assert mail["subject"] == "(no subject)"


async def test_a_rejected_mail_is_permanent_and_the_key_never_shows(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    async with SendGridWire("SG.another-key") as wire:
        wire.fail(401, body={"errors": [{"message": f"bad key {KEY}", "field": None}]})
        provider = _provider(wire.url)
        try:
            denied = await provider.send(sample_event(TextContent(body="x")), "ada@example.com")
            refused = await provider.send(sample_event(TextContent(body="x")), "ada@example.com")
            shown = " ".join(
                [
                    denied.model_dump_json(),
                    refused.model_dump_json(),
                    repr(provider.config),
                    provider.config.model_dump_json(),
                    caplog.text,
                ]
            )
        finally:
            await provider.close()
    assert (denied.status_code, denied.retryable) == (401, False)
    assert (refused.status_code, refused.retryable) == (401, False)  # the fake's own check
    assert KEY not in shown


async def test_empty_and_oversized_content_fail_without_a_call() -> None:
    big = "data:application/pdf;base64," + base64.b64encode(b"x" * 4096).decode()
    async with SendGridWire(KEY) as wire:
        provider = _provider(wire.url, max_attachment_bytes=1024)
        try:
            empty = await provider.send(sample_event(TextContent(body=" ")), "ada@example.com")
            large = await provider.send(
                sample_event(MediaContent(url=big, mime_type="application/pdf")), "ada@example.com"
            )
        finally:
            await provider.close()
        assert wire.requests == []
    assert (empty.success, empty.retryable) == (False, False)
    assert (large.success, large.retryable) == (False, False)


def test_config_checks_keys_and_urls() -> None:
    signer = WebhookSigner()
    der = signer.public_key
    pem = "-----BEGIN PUBLIC KEY-----\n" + der + "\n-----END PUBLIC KEY-----\n"
    config = SendGridConfig(
        api_key="k", from_email="a@b.c", event_webhook_public_key=der, inbound_parse_public_key=pem
    )
    assert config.base_url == "https://api.sendgrid.com/v3/mail/send"
    with pytest.raises(ValidationError, match="verification key"):
        SendGridConfig(api_key="k", from_email="a@b.c", event_webhook_public_key="not-a-key")
    with pytest.raises(ValidationError, match="https"):
        SendGridConfig(api_key="k", from_email="a@b.c", base_url="http://sendgrid.example")
