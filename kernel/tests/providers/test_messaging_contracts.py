"""The messaging provider contracts (one abstract method each) and their recording mocks."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

import roomkit.testing as testing
from roomkit.errors import ConfigurationError, WebhookPayloadError, WebhookSignatureError
from roomkit.models.content import TextContent
from roomkit.models.delivery import DeliveryStatusUpdate, ProviderResult
from roomkit.models.enums import ChannelType
from roomkit.models.event import EventSource, InboundMessage, RoomEvent
from roomkit.providers.email import EmailProvider, EmailThreading, MockEmailProvider
from roomkit.providers.http import HTTPProvider, MockHTTPProvider
from roomkit.providers.messaging import MessagingProvider
from roomkit.providers.messenger import MessengerProvider, MockMessengerProvider
from roomkit.providers.rcs import MockRCSProvider, RCSDeliveryResult, RCSProvider
from roomkit.providers.sms import MockSMSProvider, SMSProvider
from roomkit.providers.teams import MockTeamsProvider, TeamsProvider
from roomkit.providers.telegram import MockTelegramProvider, TelegramProvider
from roomkit.providers.whatsapp import (
    MockWhatsAppPersonalProvider,
    MockWhatsAppProvider,
    WhatsAppPersonalProvider,
    WhatsAppProvider,
)

SECRET = "mock-webhook-secret"

CONTRACTS = [
    SMSProvider,
    RCSProvider,
    EmailProvider,
    HTTPProvider,
    MessengerProvider,
    WhatsAppProvider,
    WhatsAppPersonalProvider,
    TelegramProvider,
    TeamsProvider,
]
MOCKS: list[type[Any]] = [
    MockSMSProvider,
    MockRCSProvider,
    MockEmailProvider,
    MockHTTPProvider,
    MockMessengerProvider,
    MockWhatsAppProvider,
    MockWhatsAppPersonalProvider,
    MockTelegramProvider,
    MockTeamsProvider,
]


def _event(text: str = "hello") -> RoomEvent:
    return RoomEvent(
        room_id="r",
        source=EventSource(channel_id="c", channel_type=ChannelType.WEBSOCKET),
        content=TextContent(body=text),
    )


@pytest.mark.parametrize("contract", CONTRACTS, ids=lambda c: c.__name__)
def test_each_contract_has_only_send_abstract(contract: type[MessagingProvider]) -> None:
    assert getattr(contract, "__abstractmethods__", frozenset()) == {"send"}
    with pytest.raises(TypeError):
        contract()  # type: ignore[abstract]


@pytest.mark.parametrize("mock", MOCKS, ids=lambda c: c.__name__)
async def test_mocks_record_sends_and_return_ids(mock: type[Any]) -> None:
    provider = mock()
    assert isinstance(provider, MessagingProvider)
    assert provider.name == mock.__name__
    first = await provider.send(_event("one"), "dest-1")
    second = await provider.send(_event("two"), "dest-2")
    assert first.success
    assert second.success
    assert first.provider_message_id
    assert first.provider_message_id != second.provider_message_id
    assert [entry["to"] for entry in provider.sent] == ["dest-1", "dest-2"]
    assert provider.sent[0]["event"].content.body == "one"
    assert getattr(testing, mock.__name__) is mock
    await provider.close()
    assert provider.closed


@pytest.mark.parametrize("mock", MOCKS, ids=lambda c: c.__name__)
async def test_mocks_script_vendor_failures(mock: type[Any]) -> None:
    provider = mock()
    provider.fail_with_status(429, retry_after=2.0)
    provider.fail_with_status(400)
    provider.time_out_next()
    throttled = await provider.send(_event(), "d")
    refused = await provider.send(_event(), "d")
    timed_out = await provider.send(_event(), "d")
    assert (throttled.success, throttled.retryable, throttled.retry_after) == (False, True, 2.0)
    assert (refused.success, refused.retryable, refused.status_code) == (False, False, 400)
    assert (timed_out.success, timed_out.retryable) == (False, True)
    assert provider.sent == []  # failures are not recorded as sent
    assert (await provider.send(_event(), "d")).success
    provider.fail_next("boom", times=2)
    provider.reset()
    assert provider.sent == []
    assert (await provider.send(_event(), "d")).success


def test_0_6_7_mock_constructors_and_defaults() -> None:
    assert MockSMSProvider().from_number == "+15550001234"
    rcs = MockRCSProvider()
    assert rcs.sender_id == "mock_rcs_agent"
    assert rcs.calls is rcs.sent
    for mock in MOCKS:
        mock()  # every mock builds without arguments, as in 0.6.7


async def test_sms_mock_records_the_sender() -> None:
    sms = MockSMSProvider("+15550000001")
    await sms.send(_event(), "+15550000002")
    await sms.send(_event(), "+15550000002", from_="+15550000003")
    assert [entry["from"] for entry in sms.sent] == ["+15550000001", "+15550000003"]


async def test_rcs_mock_fallback_and_failure() -> None:
    plain = await MockRCSProvider().send(_event(), "+1")
    assert isinstance(plain, RCSDeliveryResult)
    assert (plain.channel_used, plain.fallback) == ("rcs", False)
    no_rcs = MockRCSProvider(simulate_fallback=True)
    assert not await no_rcs.check_capability("+1")
    fell_back = await no_rcs.send(_event(), "+1")
    assert (fell_back.success, fell_back.channel_used, fell_back.fallback) == (True, "sms", True)
    refused = await no_rcs.send(_event(), "+1", fallback=False)
    assert not refused.success  # 0.6.7 sent it as RCS anyway
    assert not refused.retryable
    failing = await MockRCSProvider(simulate_failure=True).send(_event(), "+1")
    assert (failing.success, failing.error) == (False, "simulated_failure")


async def test_email_mock_records_threading_headers() -> None:
    email = MockEmailProvider()
    event = _event()
    event.metadata["email"] = EmailThreading(
        message_id="<b@x>", in_reply_to="<a@x>", references=["<a@x>"], subject="Re: hi"
    ).model_dump()
    await email.send(event, "p@example.com", from_="us@example.com", subject="Re: hi")
    sent = email.sent[0]
    assert sent["from"] == "us@example.com"
    assert sent["subject"] == "Re: hi"
    assert sent["headers"] == {
        "Message-ID": "<b@x>",
        "In-Reply-To": "<a@x>",
        "References": "<a@x>",
    }


def test_threading_headers_from_metadata() -> None:
    assert EmailThreading.from_metadata({}) == EmailThreading()
    parsed = EmailThreading.from_metadata({"email": {"references": "<a@x> <b@x>"}})
    assert parsed.references == ["<a@x>", "<b@x>"]


async def test_whatsapp_optional_features() -> None:
    whatsapp = MockWhatsAppProvider()
    assert (await whatsapp.send_template("+1", "welcome", {"name": "Ada"})).success
    await whatsapp.send_reaction("chat", "me", "m1", "👍")
    assert whatsapp.templates[0]["template_name"] == "welcome"
    assert whatsapp.reactions[0]["emoji"] == "👍"
    personal = MockWhatsAppPersonalProvider()
    await personal.send_typing("+1", is_typing=True)
    await personal.mark_read(["m1"], "chat", "me")
    assert personal.typing == [{"to": "+1", "is_typing": True}]
    assert personal.read[0]["message_ids"] == ["m1"]


async def test_legacy_entry_points_say_where_parsing_moved() -> None:
    with pytest.raises(NotImplementedError, match="webhook_endpoints"):
        await MockSMSProvider().parse_webhook({})
    with pytest.raises(NotImplementedError, match="webhook_endpoints"):
        MockTelegramProvider().verify_signature(b"", "sig")
    with pytest.raises(NotImplementedError, match="webhook_endpoints"):
        await MockEmailProvider().parse_inbound({})


# -- mock webhooks ---------------------------------------------------------------------------
def test_without_a_secret_a_mock_has_no_webhook_route() -> None:
    assert MockSMSProvider().webhook_endpoints() == {}
    with pytest.raises(ConfigurationError, match="webhook_secret"):
        MockSMSProvider().inbound_request(sender="+1")


def test_mock_webhooks_are_verified_then_parsed() -> None:
    sms = MockSMSProvider(webhook_secret=SECRET)
    endpoint = sms.webhook_endpoints()[""]
    request = sms.inbound_request(
        sender="+15550100",
        text="hi",
        message_id="in-1",
        media=[{"url": "https://m/1.png", "mime_type": "image/png"}],
    )
    endpoint.verifier.verify(request)
    (message,) = endpoint.parser.parse(request, "sms-1")
    assert isinstance(message, InboundMessage)
    assert message.channel_id == "sms-1"
    assert message.idempotency_key == "in-1"
    assert message.content.caption == "hi"  # type: ignore[union-attr]
    status_request = sms.status_request(message_id="out-1", status="delivered")
    endpoint.verifier.verify(status_request)
    (status,) = endpoint.parser.parse(status_request, "sms-1")
    assert isinstance(status, DeliveryStatusUpdate)
    assert status.message_id == "out-1"
    assert status.provider == "MockSMSProvider"


def test_mock_webhook_signature_failures() -> None:
    clock_now = [1_700_000_000.0]
    sms = MockSMSProvider(webhook_secret=SECRET, clock=lambda: clock_now[0])
    verifier = sms.webhook_endpoints()[""].verifier
    request = sms.inbound_request(sender="+1", text="x")
    tampered = type(request)(
        method="POST", url=request.url, headers=request.headers, body=request.body + b" "
    )
    with pytest.raises(WebhookSignatureError):
        verifier.verify(tampered)
    clock_now[0] += 3600
    with pytest.raises(WebhookSignatureError) as info:
        verifier.verify(request)
    assert info.value.reason == "expired"


@pytest.mark.parametrize(
    "payload",
    [
        {"type": "unknown"},
        {"type": "message"},
        {"type": "message", "from": "+1", "media": "nope"},
        {"type": "message", "from": ["x"]},
        {"type": "status", "status": "sent"},
        {"events": []},
        {"events": ["x"]},
        {"type": "message", "from": "+1", "email": "x"},
    ],
)
def test_malformed_mock_payloads_are_payload_errors(payload: dict[str, Any]) -> None:
    sms = MockSMSProvider(webhook_secret=SECRET)
    parser = sms.webhook_endpoints()[""].parser
    with pytest.raises(WebhookPayloadError):
        parser.parse(sms.signed_request(payload), "sms")


def test_batches() -> None:
    sms = MockSMSProvider(webhook_secret=SECRET)
    parser = sms.webhook_endpoints()[""].parser
    batch = sms.signed_request(
        {
            "events": [
                {"type": "message", "from": "+1", "text": "a", "id": "1"},
                {"type": "status", "message_id": "9", "status": "read"},
            ]
        }
    )
    items = parser.parse(batch, "sms")
    assert [type(i).__name__ for i in items] == ["InboundMessage", "DeliveryStatusUpdate"]


async def test_cancelled_mock_send_records_nothing() -> None:
    sms = MockSMSProvider()
    task = asyncio.create_task(sms.send(_event(), "+1"))
    await asyncio.sleep(0)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert sms.sent == []
    assert isinstance(await sms.send(_event(), "+1"), ProviderResult)
