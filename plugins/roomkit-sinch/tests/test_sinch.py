"""SinchSMSProvider against the Sinch wire fake: the batches it sends, its configuration,
secrets kept out of logs, the callback signature and every callback type."""

from __future__ import annotations

import logging
import time
from typing import Any

import pytest
from pydantic import ValidationError
from roomkit_sinch import SinchConfig, SinchSMSProvider, parse_sinch_webhook
from roomkit_sinch.webhooks import SinchSignatureVerifier, SinchWebhookParser

from roomkit.errors import WebhookPayloadError, WebhookSignatureError
from roomkit.messaging import extract_sms_meta
from roomkit.messaging.webhook import WebhookRequest
from roomkit.models.content import CompositeContent, MediaContent, TextContent
from roomkit.models.delivery import DeliveryStatusUpdate
from roomkit.models.enums import DeliveryStatus
from roomkit.models.event import InboundMessage
from roomkit_conformance.suites.messaging import sample_event
from roomkit_conformance.wire.sinch import (
    SinchWire,
    batch_delivery_report,
    dumps,
    mo_media,
    mo_text,
    recipient_delivery_report,
    sign_callback,
)

PLAN, TOKEN, SECRET = "plan-7", "sinch-token-0123456789", "callback-secret-0123456789"


def _provider(url: str, **options: Any) -> SinchSMSProvider:
    values: dict[str, Any] = {
        "service_plan_id": PLAN,
        "api_token": TOKEN,
        "from_number": "+15550001111",
        "webhook_secret": SECRET,
        "base_url": url,
        "timeout": 2.0,
        **options,
    }
    return SinchSMSProvider(SinchConfig(**values))


def _request(data: dict[str, Any], **sign: Any) -> WebhookRequest:
    body = dumps(data)
    return WebhookRequest("POST", "https://h/sinch", sign_callback(body, SECRET, **sign), body)


async def test_text_and_media_batches_follow_the_rest_api() -> None:
    async with SinchWire(PLAN, TOKEN) as wire:
        provider = _provider(wire.url, callback_url="https://hooks.example.com/sinch")
        try:
            text = await provider.send(sample_event(TextContent(body="hello")), "+15550199")
            media = await provider.send(
                sample_event(
                    MediaContent(
                        url="https://m.example/a.png", mime_type="image/png", caption="see"
                    )
                ),
                "+15550199",
                from_="+15550002222",
            )
        finally:
            await provider.close()
        first, second = wire.requests
    assert text.success, text.error
    assert media.success, media.error
    assert first.path == f"/xms/v1/{PLAN}/batches"
    assert first.headers["authorization"] == f"Bearer {TOKEN}"
    assert first.json() == {
        "from": "+15550001111",
        "to": ["+15550199"],
        "body": "hello",
        "delivery_report": "per_recipient",
        "callback_url": "https://hooks.example.com/sinch",
    }
    assert second.json()["type"] == "mt_media"
    assert second.json()["body"] == {"url": "https://m.example/a.png", "message": "see"}
    assert second.json()["from"] == "+15550002222"
    assert len(text.provider_message_id or "") == 26


async def test_a_wrong_token_is_permanent_and_never_shown(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    async with SinchWire(PLAN, "the-real-token-000") as wire:
        wire.fail(401, body={"code": "unauthorized", "text": f"bad token {TOKEN}"})
        provider = _provider(wire.url)
        try:
            result = await provider.send(sample_event(TextContent(body="x")), "+15550199")
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
    assert TOKEN not in shown
    assert SECRET not in shown


async def test_an_empty_text_is_refused_before_any_call() -> None:
    async with SinchWire(PLAN, TOKEN) as wire:
        provider = _provider(wire.url)
        try:
            result = await provider.send(sample_event(TextContent(body="")), "+15550199")
        finally:
            await provider.close()
        assert wire.requests == []
    assert not result.success
    assert not result.retryable


def test_config_keeps_0_6_7_fields_and_checks_urls() -> None:
    config = SinchConfig(service_plan_id="p1", api_token="t", from_number="+1", region="eu")
    assert config.api_url == "https://eu.sms.api.sinch.com/xms/v1/p1/batches"
    assert config.timeout == 10.0
    assert config.webhook_secrets() == []
    with pytest.raises(ValidationError, match="https"):
        SinchConfig(
            service_plan_id="p",
            api_token="t",
            from_number="+1",
            base_url="http://proxy.example.com",
        )
    with pytest.raises(ValidationError, match="service_plan_id"):
        SinchConfig(service_plan_id="../admin", api_token="t", from_number="+1")
    with pytest.raises(ValidationError, match="webhook_secret"):
        SinchConfig(
            service_plan_id="p",
            api_token="t",
            from_number="+1",
            rotating_webhook_secrets=["old-secret-123"],
        )


def test_callback_signatures_are_checked_strictly() -> None:
    verifier = SinchSignatureVerifier([SECRET, "previous-secret-42"], tolerance_seconds=60)
    data = mo_text(message_id="m1", sender="+1555", to="+1666", body="hi")
    verifier.verify(_request(data))
    body = dumps(data)
    rotated = WebhookRequest("POST", "u", sign_callback(body, "previous-secret-42"), body)
    verifier.verify(rotated)
    cases = {
        "wrong secret": sign_callback(body, "not-the-secret-000"),
        "no nonce": {
            k: v for k, v in sign_callback(body, SECRET).items() if not k.endswith("nonce")
        },
        "text timestamp": {
            **sign_callback(body, SECRET),
            "x-sinch-webhook-signature-timestamp": "x",
        },
        "other algorithm": {
            **sign_callback(body, SECRET),
            "x-sinch-webhook-signature-algorithm": "HmacSHA1",
        },
        "nonce swapped": {**sign_callback(body, SECRET), "x-sinch-webhook-signature-nonce": "n2"},
    }
    for name, headers in cases.items():
        with pytest.raises(WebhookSignatureError) as info:
            verifier.verify(WebhookRequest("POST", "u", headers, body))
        assert info.value.reason == "invalid", name
    for skew in (-120, 120):  # too old, and too far in the future
        late = sign_callback(body, SECRET, timestamp=int(time.time()) + skew)
        with pytest.raises(WebhookSignatureError) as info:
            verifier.verify(WebhookRequest("POST", "u", late, body))
        assert info.value.reason == "expired"


def test_inbound_messages_keep_0_6_7_metadata_and_normalise_senders() -> None:
    message = parse_sinch_webhook(
        {
            "type": "mo_text",
            "id": "01X",
            "from": "12067799294",
            "to": "12345",
            "body": "STOP",
            "operator_id": "310",
            "received_at": "2024-01-01T00:00:00Z",
        },
        "sms",
    )
    assert (message.sender_id, message.external_id, message.idempotency_key) == (
        "+12067799294",
        "01X",
        "01X",
    )
    assert message.metadata["to"] == "12345"
    assert message.metadata["operator_id"] == "310"
    short = parse_sinch_webhook({"id": "2", "from": "55555", "to": "x", "body": "hi"}, "sms")
    assert short.sender_id == "55555"


def test_mms_with_several_files_and_failed_uploads() -> None:
    data = mo_media(
        message_id="m2",
        sender="+15550100",
        to="+1",
        message="two pics",
        media=[("https://m/1.jpg", "image/jpeg"), ("https://m/2.png", "image/png")],
    )
    data["body"]["media"].append(
        {"url": "https://m/3.gif", "content_type": "image/gif", "status": "Failed", "code": 1}
    )
    message = parse_sinch_webhook(data, "sms")
    assert isinstance(message.content, CompositeContent)
    urls = [p.url for p in message.content.parts if isinstance(p, MediaContent)]
    assert urls == ["https://m/1.jpg", "https://m/2.png"]


@pytest.mark.parametrize(
    ("word", "code", "expected"),
    [
        ("Queued", 400, DeliveryStatus.SENT),
        ("Dispatched", 401, DeliveryStatus.SENT),
        ("Delivered", 0, DeliveryStatus.DELIVERED),
        ("Rejected", 403, DeliveryStatus.FAILED),
        ("Expired", 406, DeliveryStatus.FAILED),
        ("Deleted", 410, DeliveryStatus.FAILED),
        ("Unknown", 0, None),
    ],
)
def test_recipient_reports_map_sinch_statuses(
    word: str, code: int, expected: DeliveryStatus | None
) -> None:
    data = recipient_delivery_report(batch_id="B1", recipient="15550199", status=word, code=code)
    (update,) = SinchWebhookParser().parse(_request(data), "sms")
    assert isinstance(update, DeliveryStatusUpdate)
    assert (update.message_id, update.recipient, update.delivery_status) == (
        "B1",
        "+15550199",
        expected,
    )
    if expected == DeliveryStatus.FAILED:
        assert update.error_code == str(code)


def test_batch_reports_and_ignored_and_malformed_callbacks() -> None:
    report = batch_delivery_report(
        batch_id="B2", statuses=[("Delivered", 0, ["+1555"]), ("Failed", 402, ["+1666"])]
    )
    updates = SinchWebhookParser().parse(_request(report), "sms")
    assert [u.delivery_status for u in updates if isinstance(u, DeliveryStatusUpdate)] == [
        DeliveryStatus.DELIVERED,
        DeliveryStatus.FAILED,
    ]
    binary = {"type": "mo_binary", "id": "b", "from": "+1", "to": "+2", "body": "AAE=", "udh": "06"}
    assert SinchWebhookParser().parse(_request(binary), "sms") == []
    for bad in (
        {"type": "mo_text", "from": "+1", "body": "no id"},
        {"type": "mo_text", "id": "x", "body": "no sender"},
        {"type": "mo_media", "id": "x", "from": "+1", "body": "not an object"},
        {"type": "delivery_report_sms", "batch_id": "B"},
        {"type": "mt_text", "id": "x"},
    ):
        with pytest.raises(WebhookPayloadError):
            SinchWebhookParser().parse(_request(bad), "sms")
    with pytest.raises(WebhookPayloadError, match="delivery report"):
        parse_sinch_webhook(dict(report), "sms")


def test_extract_sms_meta_reads_sinch_payloads() -> None:
    inbound = extract_sms_meta("sinch", mo_text(message_id="m", sender="+1555", to="+1", body="yo"))
    assert inbound.is_inbound
    message = inbound.to_inbound("sms")
    assert isinstance(message, InboundMessage)
    assert message.content == TextContent(body="yo")
    report = extract_sms_meta(
        "sinch", recipient_delivery_report(batch_id="B9", recipient="+1555", status="Delivered")
    )
    assert report.is_status
    assert report.to_status("sms").delivery_status == DeliveryStatus.DELIVERED
