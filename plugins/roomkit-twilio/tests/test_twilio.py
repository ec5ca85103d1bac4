"""Twilio providers beyond the suite: registration, 0.6.7 entry points, bad input, failures
as typed results, and no credential in any log line or error."""

from __future__ import annotations

import importlib
import logging
from collections.abc import AsyncIterator
from urllib.parse import urlencode

import pytest
from roomkit_twilio import plugin
from roomkit_twilio.testing import HOOK_URL, TwilioWireView, sms_harness

from roomkit.errors import (
    ConfigurationError,
    PermanentProviderError,
    TransientProviderError,
    WebhookPayloadError,
    WebhookSignatureError,
)
from roomkit.messaging import extract_sms_meta
from roomkit.messaging.webhook import WebhookRequest
from roomkit.models.content import MediaContent, RichButton, RichContent, TextContent
from roomkit.models.enums import ChannelDirection, ChannelType, DeliveryStatus
from roomkit.models.event import EventSource, RoomEvent
from roomkit.plugins import ComponentDescriptor, load_ref
from roomkit.plugins.factory import create_component
from roomkit_conformance.suites.messaging import MessagingHarness
from roomkit_conformance.wire.twilio import TwilioWire, twilio_signature

SHOP = "+15550001111"


def _event(content: object, **metadata: object) -> RoomEvent:
    source = EventSource(
        channel_id="peer", channel_type=ChannelType.WEBSOCKET, direction=ChannelDirection.INBOUND
    )
    return RoomEvent(room_id="r", source=source, content=content, metadata=dict(metadata))


@pytest.fixture
async def harness() -> AsyncIterator[MessagingHarness]:
    async with sms_harness() as found:
        yield found


def _wire(harness: MessagingHarness) -> TwilioWire:
    view = harness.wire
    assert isinstance(view, TwilioWireView)
    return view.server


# -- registration ----------------------------------------------------------------------------
def test_descriptors_resolve_and_roomkit_exports_them() -> None:
    found: list[ComponentDescriptor] = []
    plugin.roomkit_register_messaging_providers(found.append)
    assert {(d.kind, d.name) for d in found} == {
        ("sms_provider", "twilio"),
        ("rcs_provider", "twilio"),
        ("messaging_provider", "twilio-whatsapp"),
    }
    import roomkit

    for descriptor in found:
        module = importlib.import_module(descriptor.factory.partition(":")[0])
        assert callable(load_ref(descriptor.factory))
        assert descriptor.conformance
        assert callable(load_ref(descriptor.conformance))
        for name in descriptor.exports:
            assert getattr(roomkit, name) is getattr(module, name), name
    assert plugin.roomkit_plugin_info().distribution == "roomkit-twilio"


def test_config_file_builds_the_provider_and_hides_the_token() -> None:
    provider = create_component(
        "sms_provider",
        "twilio",
        {"account_sid": "AC1", "auth_token": "tok-SECRET-1", "from_number": SHOP},
    )
    assert provider.from_number == SHOP  # type: ignore[attr-defined]
    with pytest.raises(ConfigurationError) as info:
        create_component("sms_provider", "twilio", {"account_sid": "AC1", "auth_token": "x1"})
    assert "from_number" in str(info.value)
    assert "x1" not in str(info.value)
    from roomkit_twilio import TwilioConfig

    config = TwilioConfig(account_sid="AC1", auth_token="tok-SECRET-1", from_number=SHOP)
    assert "tok-SECRET-1" not in repr(config)
    assert config.api_url == "https://api.twilio.com/2010-04-01/Accounts/AC1/Messages.json"


# -- sending -----------------------------------------------------------------------------------
async def test_mms_rich_and_messaging_service(harness: MessagingHarness) -> None:
    wire = _wire(harness)
    media = MediaContent(url="https://x.test/a.png", mime_type="image/png", caption="look")
    assert (await harness.provider.send(_event(media), "+15550199")).success  # type: ignore[attr-defined]
    rich = RichContent(body="Pick one", buttons=[RichButton(label="Yes"), RichButton(label="No")])
    assert (await harness.provider.send(_event(rich), "+15550199")).success  # type: ignore[attr-defined]
    forms = [r.form() for r in wire.requests]
    assert forms[0]["MediaUrl"] == "https://x.test/a.png"
    assert forms[0]["Body"] == "look"
    assert "Yes" in forms[1]["Body"]
    assert "No" in forms[1]["Body"]


async def test_long_text_goes_as_several_messages() -> None:
    async with sms_harness() as harness:
        text = "word " * 700  # 3,500 characters
        result = await harness.provider.send(_event(TextContent(body=text)), "+15550199")  # type: ignore[attr-defined]
        assert result.success
        bodies = [r.form()["Body"] for r in _wire(harness).requests]
        assert len(bodies) == 3
        assert all(len(b) <= 1600 for b in bodies)
        assert result.metadata["part_ids"][0] == result.provider_message_id


async def test_unknown_numbers_and_bad_credentials_are_permanent(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    from roomkit_twilio import TwilioConfig, TwilioSMSProvider

    async with TwilioWire(owned_numbers=[SHOP]) as wire:
        assert isinstance(wire, TwilioWire)

        def provider(token: str, sender: str = SHOP) -> TwilioSMSProvider:
            config = TwilioConfig(
                account_sid=wire.account_sid,
                auth_token=token,
                from_number=sender,
                timeout=2.0,
                api_base_url=wire.url,
            )
            return TwilioSMSProvider(config)

        good = provider(wire.auth_token)
        bad_to = await good.send(_event(TextContent(body="hi")), "not-a-number")
        assert (bad_to.success, bad_to.retryable, bad_to.status_code) == (False, False, 400)
        assert "21211" in (bad_to.error or "")
        stranger = provider(wire.auth_token, "+15559990000")
        not_owned = await stranger.send(_event(TextContent(body="hi")), "+15550199")
        assert "21606" in (not_owned.error or "")
        wrong = provider("wrong-token-SECRET")
        denied = await wrong.send(_event(TextContent(body="hi")), "+15550199")
        assert (denied.status_code, denied.retryable) == (401, False)
        with pytest.raises(PermanentProviderError):
            denied.raise_for_failure("twilio")
        wire.fail(429, retry_after=3)
        limited = await good.send(_event(TextContent(body="hi")), "+15550199")
        with pytest.raises(TransientProviderError) as info:
            limited.raise_for_failure("twilio")
        assert info.value.retry_after == 3
        wire.drop()
        dropped = await good.send(_event(TextContent(body="hi")), "+15550199")
        assert (dropped.success, dropped.retryable) == (False, True)
        empty = await good.send(_event(TextContent(body="   ")), "+15550199")
        assert (empty.success, empty.retryable) == (False, False)
        for p in (good, stranger, wrong):
            await p.close()
        errors = [bad_to.error, not_owned.error, denied.error, limited.error, dropped.error]
    logged = "\n".join(r.getMessage() for r in caplog.records)
    for secret in (wire.auth_token, "wrong-token-SECRET"):
        assert secret not in logged
        assert all(secret not in (e or "") for e in errors)


# -- webhooks ----------------------------------------------------------------------------------
def test_signature_checks(harness: MessagingHarness) -> None:
    endpoint = harness.provider.webhook_endpoints()[""]
    wire = _wire(harness)
    form = wire.inbound_form(sender="+15550100", to=SHOP, body="hi")
    body = urlencode(form).encode()
    good = {"content-type": "application/x-www-form-urlencoded"}
    sig = twilio_signature(wire.auth_token, HOOK_URL, form)
    endpoint.verifier.verify(
        WebhookRequest("POST", HOOK_URL, {**good, "x-twilio-signature": sig}, body)
    )
    # the URL is signed: the same body posted to another URL is refused
    other = WebhookRequest("POST", HOOK_URL + "x", {**good, "x-twilio-signature": sig}, body)
    with pytest.raises(WebhookSignatureError):
        endpoint.verifier.verify(other)
    # another account's token
    forged = twilio_signature("another-token", HOOK_URL, form)
    with pytest.raises(WebhookSignatureError) as info:
        endpoint.verifier.verify(
            WebhookRequest("POST", HOOK_URL, {**good, "x-twilio-signature": forged}, body)
        )
    assert info.value.reason == "invalid"
    assert wire.auth_token not in str(info.value)
    # 0.6.7's boolean check
    provider = harness.provider
    assert provider.verify_signature(body, sig, url=HOOK_URL)  # type: ignore[attr-defined]
    assert not provider.verify_signature(body, forged, url=HOOK_URL)  # type: ignore[attr-defined]
    assert not provider.verify_signature(body, sig)  # type: ignore[attr-defined]


def test_malformed_webhooks_are_payload_errors(harness: MessagingHarness) -> None:
    parser = harness.provider.webhook_endpoints()[""].parser
    form = "application/x-www-form-urlencoded"
    for body in (b"Body=hi", b"MessageSid=SM1&NumMedia=lots&From=%2B1555"):
        with pytest.raises(WebhookPayloadError):
            parser.parse(WebhookRequest("POST", HOOK_URL, {"content-type": form}, body), "c")


def test_status_callbacks_and_0_6_7_parsers() -> None:
    from roomkit_twilio import parse_twilio_rcs_webhook, parse_twilio_webhook

    wire = TwilioWire()
    inbound = wire.inbound_form(
        sender="+15550100", to=SHOP, body="hi", media=[("https://x.test/a.png", "image/png")]
    )
    message = parse_twilio_webhook(inbound, "sms")
    assert (message.sender_id, message.external_id) == ("+15550100", inbound["MessageSid"])
    assert message.metadata["to"] == SHOP
    assert isinstance(message.content, MediaContent)
    status = wire.status_form(message_sid="SM9", status="undelivered", error_code="30003")
    with pytest.raises(WebhookPayloadError):
        parse_twilio_webhook(status, "sms")
    meta = extract_sms_meta("twilio", status)
    assert meta.is_status
    update = meta.to_status("sms")
    assert (update.message_id, update.delivery_status, update.error_code) == (
        "SM9",
        DeliveryStatus.FAILED,
        "30003",
    )
    rcs = wire.inbound_form(sender="rcs:+15550100", to="rcs:shop_agent", body="yes")
    parsed = parse_twilio_rcs_webhook(rcs, "rcs")
    assert parsed.sender_id == "+15550100"
    assert parsed.metadata["address"] == "rcs:+15550100"
    assert parsed.metadata["channel"] == "rcs"


async def test_rcs_only_and_whatsapp_template() -> None:
    from roomkit_twilio.testing import rcs_harness, whatsapp_harness

    async with rcs_harness() as harness:
        result = await harness.provider.send(  # type: ignore[attr-defined]
            _event(TextContent(body="rcs only")), "+15550199", fallback=False
        )
        assert result.success
        assert result.channel_used == "rcs"
        form = _wire(harness).requests[-1].form()
        assert form["To"] == "rcs:+15550199"
        assert form["MessagingServiceSid"].startswith("MG")
    async with whatsapp_harness() as harness:
        result = await harness.provider.send_template("+15550199", "HX123", {"1": "Ada"})  # type: ignore[attr-defined]
        assert result.success
        form = _wire(harness).requests[-1].form()
        assert (form["To"], form["From"], form["ContentSid"]) == (
            "whatsapp:+15550199",
            "whatsapp:" + SHOP,
            "HX123",
        )
        assert form["ContentVariables"] == '{"1": "Ada"}'
