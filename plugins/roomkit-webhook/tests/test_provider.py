"""WebhookHTTPProvider over a real socket: what it posts and signs, its configuration rules,
secrets kept out of logs and errors, and the inbound format."""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import time

import pytest
from pydantic import ValidationError
from roomkit_webhook import HTTPProviderConfig, WebhookHTTPProvider, parse_http_webhook
from roomkit_webhook.inbound import MAX_ITEMS, HTTPWebhookParser

from roomkit.errors import WebhookPayloadError, WebhookSignatureError
from roomkit.messaging.signing import HmacVerifier
from roomkit.messaging.webhook import WebhookRequest
from roomkit.models.content import MediaContent, TextContent
from roomkit.models.delivery import DeliveryStatusUpdate
from roomkit.models.enums import DeliveryStatus
from roomkit.models.event import InboundMessage, RoomEvent
from roomkit_conformance.suites.messaging import sample_event
from roomkit_conformance.wire.http import RecordedRequest, WireResponse
from roomkit_conformance.wire.webhook import WebhookReceiverWire, signed_webhook_headers

SECRET = "current-secret-0123456789"
OLD = "previous-secret-0123456789"


def _event(content: TextContent | MediaContent | None = None) -> RoomEvent:
    body = content or TextContent(body="hello partner")
    return sample_event(body, metadata={"order": 42}, room_id="room-1")


def _provider(url: str, **options: object) -> WebhookHTTPProvider:
    config = HTTPProviderConfig(
        webhook_url=url,
        timeout=2.0,
        allow_private_network=True,
        **options,  # type: ignore[arg-type]
    )
    return WebhookHTTPProvider(config)


def _as_request(recorded: RecordedRequest) -> WebhookRequest:
    return WebhookRequest("POST", "https://x", recorded.headers, recorded.body)


async def test_posts_signed_json_with_an_idempotency_key() -> None:
    async with WebhookReceiverWire(SECRET) as server:
        provider = _provider(
            server.url + "/hooks/roomkit", secret=SECRET, headers={"X-Tenant": "acme"}
        )
        try:
            media = MediaContent(
                url="https://cdn.example/a.png", mime_type="image/png", caption="look"
            )
            result = await provider.send(_event(media), "account-42")
        finally:
            await provider.close()
        assert result.success, result.error
        (recorded,) = server.requests
    body = recorded.json()
    assert body["id"] == result.provider_message_id == recorded.headers["idempotency-key"]
    assert body["recipient_id"] == "account-42"
    assert (body["room_id"], body["channel_id"], body["metadata"]) == (
        "room-1",
        "conformance-peer",
        {"order": 42},
    )
    assert body["content"] == {
        "type": "media",
        "url": "https://cdn.example/a.png",
        "mime_type": "image/png",
        "caption": "look",
    }
    assert recorded.headers["x-tenant"] == "acme"
    HmacVerifier(SECRET).verify(_as_request(recorded))  # the receiver can check it


async def test_the_receivers_message_id_names_the_message() -> None:
    class Answering(WebhookReceiverWire):
        def handle(self, request: RecordedRequest) -> WireResponse:
            return WireResponse.json({"message_id": "crm-77"}, status=201)

    async with Answering(None) as server:
        provider = _provider(server.url + "/hooks/roomkit")
        try:
            result = await provider.send(_event(), "a")
        finally:
            await provider.close()
    assert result.provider_message_id == "crm-77"
    assert "x-roomkit-signature" not in server.requests[0].headers  # no secret: unsigned


async def test_rotation_signs_with_every_secret_and_accepts_either_back() -> None:
    async with WebhookReceiverWire(OLD) as server:  # the receiver still knows the old secret
        provider = _provider(server.endpoint, secret=SECRET, rotating_secrets=[OLD])
        try:
            result = await provider.send(_event(), "a")
            verifier = provider.webhook_endpoints()[""].verifier
        finally:
            await provider.close()
    assert result.success, result.error
    assert server.requests[0].headers["x-roomkit-signature"].count("v1=") == 2
    for secret in (SECRET, OLD):
        body = b'{"sender_id": "p", "body": "hi"}'
        verifier.verify(
            WebhookRequest("POST", "https://x", signed_webhook_headers(body, secret), body)
        )
    body = b'{"sender_id": "p", "body": "hi"}'
    stranger = WebhookRequest(
        "POST", "https://x", signed_webhook_headers(body, "someone-else-123"), body
    )
    with pytest.raises(WebhookSignatureError) as info:
        verifier.verify(stranger)
    assert info.value.reason == "invalid"


async def test_a_receiver_refusing_the_signature_is_a_permanent_failure() -> None:
    async with WebhookReceiverWire("receiver-expects-another") as server:
        provider = _provider(server.endpoint, secret=SECRET)
        try:
            result = await provider.send(_event(), "a")
        finally:
            await provider.close()
    assert (result.success, result.retryable, result.status_code) == (False, False, 401)


async def test_legacy_signature_is_the_hex_hmac_of_the_body() -> None:
    async with WebhookReceiverWire(None) as server:
        provider = _provider(server.endpoint, secret=SECRET, signature_format="legacy")
        try:
            await provider.send(_event(), "a")
        finally:
            await provider.close()
    recorded = server.requests[0]
    expected = hmac.new(SECRET.encode(), recorded.body, hashlib.sha256).hexdigest()
    assert recorded.headers["x-roomkit-signature"] == expected


async def test_a_redirect_is_not_a_delivery() -> None:
    class Moved(WebhookReceiverWire):
        def handle(self, request: RecordedRequest) -> WireResponse:
            return WireResponse(301, "", {"Location": "https://elsewhere.example/"})

    async with Moved(None) as server:
        provider = _provider(server.endpoint)
        try:
            result = await provider.send(_event(), "a")
        finally:
            await provider.close()
    assert (result.success, result.retryable, result.status_code) == (False, False, 301)


async def test_no_secret_reaches_logs_results_or_reprs(caplog: pytest.LogCaptureFixture) -> None:
    token = "Bearer partner-token-0123456789"

    class Echoing(WebhookReceiverWire):  # a careless server echoing the request back
        def handle(self, request: RecordedRequest) -> WireResponse:
            return WireResponse.json({"got": dict(request.headers)}, status=401)

    caplog.set_level(logging.DEBUG)
    async with Echoing(None) as server:
        provider = _provider(server.endpoint, secret=SECRET, headers={"Authorization": token})
        try:
            result = await provider.send(_event(), "a")
            shown = [
                repr(provider.config),
                provider.config.model_dump_json(),
                str(result),
                result.model_dump_json(),
                caplog.text,
            ]
        finally:
            await provider.close()
    assert not result.success
    assert "partner-token-0123456789" in server.requests[0].headers["authorization"]
    for text in shown:
        assert "partner-token-0123456789" not in text
        assert SECRET not in text


@pytest.mark.parametrize(
    ("options", "fragment"),
    [
        ({"webhook_url": "http://127.0.0.1:9/x"}, "private"),
        ({"webhook_url": "https://10.1.2.3/x"}, "private"),
        ({"webhook_url": "http://localhost/x"}, "private"),
        ({"webhook_url": "ftp://example.com/x"}, "scheme"),
        ({"webhook_url": "https://example.com/x", "secret": "short"}, "8 characters"),
        (
            {"webhook_url": "https://example.com/x", "rotating_secrets": ["long-enough-1"]},
            "need a secret",
        ),
        (
            {"webhook_url": "https://example.com/x", "headers": {"X-RoomKit-Signature": "x"}},
            "may not set",
        ),
    ],
)
def test_configuration_is_checked(options: dict[str, object], fragment: str) -> None:
    with pytest.raises(ValidationError) as info:
        HTTPProviderConfig(**options)  # type: ignore[arg-type]
    assert fragment in str(info.value)


def test_public_urls_and_0_6_7_call_shapes_are_accepted() -> None:
    config = HTTPProviderConfig(
        webhook_url="http://partner.example.com/hook",
        secret=SECRET,
        timeout=5,
        headers={"X-A": "1"},
    )
    assert config.plain_headers() == {"X-A": "1"}
    assert HTTPProviderConfig.validate_webhook_url("https://a.example") == "https://a.example"


def test_parse_http_webhook_keeps_the_0_6_7_shape() -> None:
    message = parse_http_webhook(
        {"sender_id": "u1", "body": "hi", "external_id": "e1", "metadata": {"k": 1}}, "crm"
    )
    assert isinstance(message, InboundMessage)
    assert (message.channel_id, message.sender_id, message.external_id) == ("crm", "u1", "e1")
    assert message.idempotency_key == "e1"
    assert message.content == TextContent(body="hi")
    assert message.metadata == {"k": 1}


@pytest.mark.parametrize(
    ("payload", "fragment"),
    [
        ({"body": "hi"}, "sender_id"),
        ({"sender_id": "u"}, "neither"),
        ({"sender_id": "u", "body": "x", "media": "nope"}, "must be a list"),
        ({"sender_id": "u", "body": "x", "metadata": []}, "must be an object"),
        ({"sender_id": ["u"], "body": "x"}, "must be a string"),
        ({"type": "status", "message_id": "m", "status": "delivered"}, "not a message"),
    ],
)
def test_malformed_messages_are_typed_errors(payload: dict[str, object], fragment: str) -> None:
    with pytest.raises(WebhookPayloadError) as info:
        parse_http_webhook(payload, "crm")
    assert fragment in str(info.value)
    assert info.value.status_code == 400


def test_a_batch_carries_messages_and_statuses() -> None:
    batch = [
        {"sender_id": "u1", "body": "one", "external_id": "e1"},
        {"type": "status", "message_id": "rk_1", "status": "read", "recipient": "u1"},
        {
            "sender_id": "u2",
            "body": "two",
            "media": [{"url": "https://m/x.png"}, {"url": "https://m/y.png"}],
        },
    ]
    request = WebhookRequest(
        "POST", "https://x", {"content-type": "application/json"}, json.dumps(batch).encode()
    )
    items = HTTPWebhookParser().parse(request, "crm")
    assert [type(i).__name__ for i in items] == [
        "InboundMessage",
        "DeliveryStatusUpdate",
        "InboundMessage",
    ]
    status = items[1]
    assert isinstance(status, DeliveryStatusUpdate)
    assert (status.channel_id, status.delivery_status) == ("crm", DeliveryStatus.READ)
    third = items[2]
    assert isinstance(third, InboundMessage)
    assert third.content.type == "composite"
    too_many = json.dumps([batch[0]] * (MAX_ITEMS + 1)).encode()
    with pytest.raises(WebhookPayloadError):
        HTTPWebhookParser().parse(WebhookRequest("POST", "https://x", {}, too_many), "crm")
    with pytest.raises(WebhookPayloadError):
        HTTPWebhookParser().parse(
            WebhookRequest("POST", "https://x", {}, b'{"type": "poke"}'), "crm"
        )


async def test_replays_outside_the_window_are_refused() -> None:
    provider = WebhookHTTPProvider(
        HTTPProviderConfig(webhook_url="https://p.example/h", secret=SECRET, tolerance_seconds=60)
    )
    verifier = provider.webhook_endpoints()[""].verifier
    await provider.close()
    body = b'{"sender_id": "p", "body": "hi"}'
    old = signed_webhook_headers(body, SECRET, timestamp=int(time.time()) - 120)
    with pytest.raises(WebhookSignatureError) as info:
        verifier.verify(WebhookRequest("POST", "https://x", old, body))
    assert info.value.reason == "expired"
    fresh = signed_webhook_headers(body, SECRET, timestamp=int(time.time()) - 30)
    verifier.verify(WebhookRequest("POST", "https://x", fresh, body))
