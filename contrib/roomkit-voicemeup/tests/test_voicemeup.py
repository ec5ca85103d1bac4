"""VoiceMeUp beyond the suite: MMS reassembly (0.6.7's configure_voicemeup_mms), the webhook
token, sending (long texts, MMS, refusals), registration, and no secret in logs or errors."""

from __future__ import annotations

import asyncio
import importlib
import json
import logging

import pytest
from roomkit_voicemeup import (
    VoiceMeUpConfig,
    VoiceMeUpSMSProvider,
    configure_voicemeup_mms,
    parse_voicemeup_webhook,
    plugin,
)
from roomkit_voicemeup.mms import MMSAggregator, is_metadata_wrapper
from roomkit_voicemeup.sms import split_message
from roomkit_voicemeup.testing import HOOK_URL, WEBHOOK_TOKEN

from roomkit.errors import ConfigurationError, WebhookSignatureError
from roomkit.messaging import extract_sms_meta
from roomkit.messaging.webhook import WebhookRequest
from roomkit.models.content import MediaContent, TextContent
from roomkit.models.enums import ChannelDirection, ChannelType
from roomkit.models.event import EventSource, InboundMessage, RoomEvent
from roomkit.plugins import ComponentDescriptor
from roomkit_conformance.wire.voicemeup import VoiceMeUpWire

SHOP, CUSTOMER = "+15145551111", "+15145550100"
PICTURE = ("https://clients.voicemeup.com/mms/cat.jpg", "image/jpeg")


def _event(content: object) -> RoomEvent:
    source = EventSource(
        channel_id="peer", channel_type=ChannelType.WEBSOCKET, direction=ChannelDirection.INBOUND
    )
    return RoomEvent(room_id="r", source=source, content=content)


def test_registration_and_exports() -> None:
    found: list[ComponentDescriptor] = []
    plugin.roomkit_register_messaging_providers(found.append)
    ((descriptor),) = found
    assert (descriptor.kind, descriptor.name) == ("sms_provider", "voicemeup")
    import roomkit

    module = importlib.import_module("roomkit_voicemeup.sms")
    for name in descriptor.exports:
        assert getattr(roomkit, name) is getattr(module, name)
    config = VoiceMeUpConfig(username="u", auth_token="SECRET-tok", from_number=SHOP)
    assert config.base_url == "https://clients.voicemeup.com/api/v1.1/json/"
    assert "SECRET-tok" not in repr(config)
    sandbox = config.model_copy(update={"environment": "sandbox"})
    assert sandbox.base_url.startswith("https://dev-clients.voicemeup.com/")


def test_split_mms_is_reassembled_and_retries_do_not_duplicate() -> None:
    wire = VoiceMeUpWire()
    aggregator = MMSAggregator(clock=lambda: 0.0)
    first, second = wire.mms_parts(sender=CUSTOMER, to=SHOP, text="my cat", picture=PICTURE)
    assert aggregator.accept(first, "sms") is None
    assert aggregator.accept(first, "sms") is None  # the vendor retried the first part
    merged = aggregator.accept(second, "sms")
    assert merged is not None
    assert isinstance(merged.content, MediaContent)
    assert (merged.content.url, merged.content.caption) == (PICTURE[0], "my cat")
    assert merged.idempotency_key == first["sms_hash"]
    assert aggregator.pending == 0
    plain = wire.message_payload(sender=CUSTOMER, to=SHOP, text="hello")
    message = aggregator.accept(plain, "sms")
    assert message is not None
    assert isinstance(message.content, TextContent)
    assert is_metadata_wrapper("https://x/a.smil", None)
    assert not is_metadata_wrapper("https://x/a.jpg", "image/jpeg")


def test_an_orphaned_first_part_goes_to_on_timeout_after_the_wait() -> None:
    now = [0.0]
    got: list[InboundMessage] = []
    aggregator = MMSAggregator(clock=lambda: now[0])
    aggregator.configure(timeout_seconds=5.0, on_timeout=got.append)
    first, _ = VoiceMeUpWire().mms_parts(sender=CUSTOMER, to=SHOP, text="lost", picture=PICTURE)
    assert aggregator.accept(first, "sms") is None
    now[0] = 4.9
    aggregator.expire()
    assert got == []
    now[0] = 5.1
    aggregator.expire()
    ((orphan),) = got
    assert isinstance(orphan.content, TextContent)
    assert orphan.content.body == "lost"
    with pytest.raises(ValueError, match="timeout_seconds"):
        aggregator.configure(timeout_seconds=0)


async def test_the_timer_fires_in_a_running_loop_and_the_buffer_is_bounded() -> None:
    fired = asyncio.Event()
    got: list[InboundMessage] = []

    async def orphan(message: InboundMessage) -> None:
        got.append(message)
        fired.set()

    aggregator = MMSAggregator(timeout_seconds=0.05, on_timeout=orphan, max_pending=2)
    wire = VoiceMeUpWire()
    for n in range(3):
        first, _ = wire.mms_parts(sender=f"+1514555010{n}", to=SHOP, text=f"t{n}", picture=PICTURE)
        aggregator.accept(first, "sms")
    assert aggregator.pending == 2  # the oldest was expired early
    async with asyncio.timeout(10):
        while len(got) < 3:
            await fired.wait()
            fired.clear()
    assert sorted(m.sender_id for m in got) == ["+15145550100", "+15145550101", "+15145550102"]


def test_module_level_0_6_7_functions() -> None:
    wire = VoiceMeUpWire()
    configure_voicemeup_mms(timeout_seconds=5.0, on_timeout=None)
    first, second = wire.mms_parts(sender=CUSTOMER, to=SHOP, text="hi", picture=PICTURE)
    assert parse_voicemeup_webhook(first, "sms") is None
    merged = parse_voicemeup_webhook(second, "sms")
    assert merged is not None
    assert merged.sender_id == CUSTOMER
    meta = extract_sms_meta("voicemeup", first)
    assert (meta.sender, meta.external_id) == (CUSTOMER, first["sms_hash"])


def test_webhooks_need_the_token() -> None:
    provider = VoiceMeUpSMSProvider(VoiceMeUpConfig(username="u", auth_token="t", from_number=SHOP))
    with pytest.raises(ConfigurationError, match="webhook_token"):
        provider.webhook_endpoints()
    provider = VoiceMeUpSMSProvider(
        VoiceMeUpConfig(username="u", auth_token="t", from_number=SHOP, webhook_token=WEBHOOK_TOKEN)
    )
    verifier = provider.webhook_endpoints()[""].verifier
    body = json.dumps(VoiceMeUpWire().message_payload(sender=CUSTOMER, to=SHOP, text="x")).encode()
    headers = {"content-type": "application/json"}
    verifier.verify(WebhookRequest("POST", f"{HOOK_URL}?token={WEBHOOK_TOKEN}", headers, body))
    for url, reason in ((HOOK_URL, "missing"), (f"{HOOK_URL}?token=guess", "invalid")):
        with pytest.raises(WebhookSignatureError) as info:
            verifier.verify(WebhookRequest("POST", url, headers, body))
        assert info.value.reason == reason
        assert WEBHOOK_TOKEN not in str(info.value)


def test_split_message_keeps_every_character() -> None:
    text = "Grüße 😀 " * 300
    pieces = split_message(text)
    assert "".join(pieces) == text
    assert all(len(p) <= 1000 for p in pieces)
    assert split_message("x" * 2500) == ["x" * 1000, "x" * 1000, "x" * 500]


async def test_sending_refusals_and_secrets(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    async with VoiceMeUpWire(owned_numbers=[SHOP], returns_sms_hash=True) as wire:
        assert isinstance(wire, VoiceMeUpWire)

        def provider(token: str, sender: str = SHOP) -> VoiceMeUpSMSProvider:
            config = VoiceMeUpConfig(
                username=wire.username,
                auth_token=token,
                from_number=sender,
                api_base_url=wire.base_url,
                timeout=1.0,
            )
            return VoiceMeUpSMSProvider(config)

        good = provider(wire.auth_token)
        sent = await good.send(_event(TextContent(body="a " * 800)), "+15145550199")
        assert sent.success
        assert len(sent.metadata["part_ids"]) == 2
        mms = await good.send(
            _event(MediaContent(url=PICTURE[0], mime_type="image/jpeg")), "+15145550199"
        )
        form = wire.requests[-1].form()
        assert mms.success
        assert (form["attachment"], "message" in form) == (PICTURE[0], False)
        assert form["destination_number"] == "15145550199"
        bad_number = await good.send(_event(TextContent(body="x")), "+1555")
        assert (bad_number.success, bad_number.retryable) == (False, False)
        assert "Invalid destination_number" in (bad_number.error or "")
        stranger = await provider(wire.auth_token, "+15149990000").send(
            _event(TextContent(body="x")), "+15145550199"
        )
        assert not stranger.success
        wrong = provider("wrong-SECRET-token")
        denied = await wrong.send(_event(TextContent(body="x")), "+15145550199")
        assert (denied.status_code, denied.retryable) == (401, False)
        wire.hang(5)
        slow = await good.send(_event(TextContent(body="x")), "+15145550199")
        assert (slow.success, slow.retryable) == (False, True)
        await good.close()
        await wrong.close()
    logged = "\n".join(r.getMessage() for r in caplog.records)
    for secret in (wire.auth_token, "wrong-SECRET-token"):
        assert secret not in logged
        for result in (bad_number, stranger, denied, slow):
            assert secret not in (result.error or "")
