"""Telnyx providers beyond the suite: registration, RCS payloads, capability checks, bad
webhooks through the real webhook server, and no API key in any log line or error."""

from __future__ import annotations

import asyncio
import importlib
import json
import logging
import time

import httpx
import pytest
from roomkit_server import ServerSettings, WebhookServer
from roomkit_server.testing import serve_app
from roomkit_telnyx import (
    TelnyxConfig,
    TelnyxRCSConfig,
    TelnyxRCSProvider,
    TelnyxSMSProvider,
    parse_telnyx_rcs_webhook,
    parse_telnyx_webhook,
    plugin,
)

from roomkit import RoomKit
from roomkit.channels import SMSChannel
from roomkit.errors import ConfigurationError, WebhookPayloadError
from roomkit.messaging import extract_sms_meta
from roomkit.models.content import MediaContent, RichButton, RichCard, RichContent, TextContent
from roomkit.models.enums import ChannelDirection, ChannelType, DeliveryStatus
from roomkit.models.event import EventSource, RoomEvent
from roomkit.plugins import ComponentDescriptor, load_ref
from roomkit_conformance.wire.telnyx import TelnyxWire

SHOP = "+15550001111"


def _event(content: object) -> RoomEvent:
    source = EventSource(
        channel_id="peer", channel_type=ChannelType.WEBSOCKET, direction=ChannelDirection.INBOUND
    )
    return RoomEvent(room_id="r", source=source, content=content)


def test_descriptors_resolve_and_roomkit_exports_them() -> None:
    found: list[ComponentDescriptor] = []
    plugin.roomkit_register_messaging_providers(found.append)
    assert {(d.kind, d.name) for d in found} == {
        ("sms_provider", "telnyx"),
        ("rcs_provider", "telnyx"),
    }
    import roomkit

    for descriptor in found:
        module = importlib.import_module(descriptor.factory.partition(":")[0])
        assert descriptor.conformance
        assert callable(load_ref(descriptor.conformance))
        for name in descriptor.exports:
            assert getattr(roomkit, name) is getattr(module, name), name


def test_webhooks_need_a_valid_public_key() -> None:
    provider = TelnyxSMSProvider(TelnyxConfig(api_key="KEY1", from_number=SHOP))
    with pytest.raises(ConfigurationError, match="public_key"):
        provider.webhook_endpoints()
    with pytest.raises(ConfigurationError, match="public_key"):
        provider.verify_signature(b"{}", "c2ln", "1")
    with pytest.raises(ConfigurationError, match="base64 ed25519"):
        TelnyxSMSProvider(TelnyxConfig(api_key="KEY1", from_number=SHOP), public_key="not-a-key")


def test_verify_signature_and_replay_window() -> None:
    wire = TelnyxWire()
    provider = TelnyxSMSProvider(TelnyxConfig(api_key="KEY1", from_number=SHOP), wire.public_key)
    body = json.dumps(wire.inbound_event(sender="+15550100", to=SHOP, text="hi")).encode()
    fresh = wire.sign(body)
    assert provider.verify_signature(
        body, fresh["telnyx-signature-ed25519"], fresh["telnyx-timestamp"]
    )
    assert not provider.verify_signature(
        body + b" ", fresh["telnyx-signature-ed25519"], fresh["telnyx-timestamp"]
    )
    old = wire.sign(body, int(time.time()) - 400)
    assert not provider.verify_signature(
        body, old["telnyx-signature-ed25519"], old["telnyx-timestamp"]
    )
    other = TelnyxWire()  # another account's key
    theirs = other.sign(body)
    assert not provider.verify_signature(
        body, theirs["telnyx-signature-ed25519"], theirs["telnyx-timestamp"]
    )


def test_0_6_7_parsers_and_meta() -> None:
    wire = TelnyxWire()
    event = wire.inbound_event(
        sender="+15550100", to=SHOP, text="pic", media=[("https://x.test/a.jpg", "image/jpeg")]
    )
    message = parse_telnyx_webhook(event, "sms")
    assert message.sender_id == "+15550100"
    assert message.metadata["destination_number"] == SHOP
    assert isinstance(message.content, MediaContent)
    status = wire.status_event(message_id="m-1", status="delivery_failed", error_code="40008")
    with pytest.raises(ValueError, match="not an inbound"):
        parse_telnyx_webhook(status, "sms")
    assert parse_telnyx_webhook(status, "sms", strict=False).external_id == "m-1"
    meta = extract_sms_meta("telnyx", status)
    assert meta.is_status
    update = meta.to_status("sms")
    assert (update.delivery_status, update.error_code) == (DeliveryStatus.FAILED, "40008")
    with pytest.raises(WebhookPayloadError):
        parse_telnyx_webhook({"data": "nope"}, "sms")
    rcs = wire.inbound_event(sender="+15550100", to="", text="", rcs_agent="shop_agent")
    rcs["data"]["payload"]["suggestion_response"] = {"text": "Track order", "postback_data": "t"}
    parsed = parse_telnyx_rcs_webhook(rcs, "rcs")
    assert parsed.metadata["agent_id"] == "shop_agent"
    assert isinstance(parsed.content, TextContent)
    assert parsed.content.body == "Track order"


async def test_rcs_cards_suggestions_fallback_and_capability() -> None:
    async with TelnyxWire(rcs_capable=["+15550199"]) as wire:
        assert isinstance(wire, TelnyxWire)
        config = TelnyxRCSConfig(
            api_key=wire.api_key,
            agent_id="shop_agent",
            fallback_from=SHOP,
            api_base_url=wire.url,
            timeout=2.0,
        )
        provider = TelnyxRCSProvider(config, wire.public_key)
        rich = RichContent(
            body="Your order",
            cards=[RichCard(title="Order 42", body="Shipped", image_url="https://x.test/box.jpg")],
            buttons=[RichButton(label="Track", url="https://x.test/track")],
            quick_replies=["Thanks"],
        )
        result = await provider.send(_event(rich), "+15550199")
        assert (result.success, result.channel_used) == (True, "rcs")
        body = wire.requests[-1].json()
        card = body["agent_message"]["content_message"]["rich_card"]["standalone_card"]
        assert card["card_content"]["media"]["content_info"]["file_url"] == "https://x.test/box.jpg"
        suggestions = body["agent_message"]["content_message"]["suggestions"]
        assert suggestions[0]["action"]["open_url_action"]["url"] == "https://x.test/track"
        assert suggestions[1]["reply"]["text"] == "Thanks"
        assert body["sms_fallback"]["from"] == SHOP
        assert "Order 42" in body["sms_fallback"]["text"]
        await provider.send(_event(TextContent(body="rcs only")), "+15550199", fallback=False)
        assert "sms_fallback" not in wire.requests[-1].json()
        assert await provider.check_capability("+15550199")
        assert not await provider.check_capability("+15550123")
        await provider.close()


async def test_failures_are_typed_and_the_key_never_leaks(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    async with TelnyxWire(owned_numbers=[SHOP]) as wire:
        assert isinstance(wire, TelnyxWire)

        def provider(key: str, sender: str = SHOP) -> TelnyxSMSProvider:
            return TelnyxSMSProvider(
                TelnyxConfig(api_key=key, from_number=sender, api_base_url=wire.url, timeout=1.0)
            )

        good, stranger, wrong = (
            provider(wire.api_key),
            provider(wire.api_key, "+15559990000"),
            provider("KEY-wrong-SECRET"),
        )
        results = [
            await good.send(_event(TextContent(body="hi")), "5550199"),
            await stranger.send(_event(TextContent(body="hi")), "+15550199"),
            await wrong.send(_event(TextContent(body="hi")), "+15550199"),
        ]
        assert [(r.status_code, r.retryable) for r in results] == [
            (422, False),
            (400, False),
            (401, False),
        ]
        assert "40310" in (results[0].error or "")
        wire.fail(503, retry_after=2)
        unavailable = await good.send(_event(TextContent(body="hi")), "+15550199")
        assert (unavailable.retryable, unavailable.retry_after) == (True, 2)
        for p in (good, stranger, wrong):
            await p.close()
    logged = "\n".join(r.getMessage() for r in caplog.records)
    for secret in (wire.api_key, "KEY-wrong-SECRET"):
        assert secret not in logged
        assert all(secret not in (r.error or "") for r in [*results, unavailable])


async def test_bad_webhooks_through_the_server() -> None:
    async with TelnyxWire() as wire:
        assert isinstance(wire, TelnyxWire)
        config = TelnyxConfig(
            api_key=wire.api_key,
            from_number=SHOP,
            api_base_url=wire.url,
            public_key=wire.public_key,
        )
        kit = RoomKit()
        kit.register_channel(SMSChannel("sms", provider=TelnyxSMSProvider(config)))
        server = WebhookServer(kit, ServerSettings(max_body_bytes=4096), own_kit=True)
        server.add_channel("sms")
        async with serve_app(server.app) as (base, _), httpx.AsyncClient() as client:
            url = f"{base}/webhooks/sms"
            body = json.dumps(wire.inbound_event(sender="+15550100", to=SHOP, text="hi")).encode()
            json_type = {"content-type": "application/json"}

            async def post(data: bytes, headers: dict[str, str]) -> int:
                return (
                    await client.post(url, content=data, headers={**json_type, **headers})
                ).status_code

            assert await post(body, {}) == 403  # unsigned
            assert await post(body + b" ", wire.sign(body)) == 403  # tampered
            assert await post(body, wire.sign(body, int(time.time()) - 3600)) == 403  # replayed
            big = b'{"x": "' + b"a" * 5000 + b'"}'
            assert await post(big, wire.sign(big)) == 413  # oversized
            assert await post(b"[1, 2]", wire.sign(b"[1, 2]")) == 400  # malformed
            assert await post(body, wire.sign(body)) == 200
            assert await post(body, wire.sign(body)) == 200  # Telnyx retry: stored once
            rejected = server.health()["rejected"]["by_reason"]
            assert rejected == {
                "signature_missing": 1,
                "signature_invalid": 1,
                "signature_expired": 1,
                "payload": 1,
            }

            async def stored() -> int:
                count = 0
                for room in await kit.list_rooms():
                    timeline = await kit.get_timeline(room.id)
                    count += sum(1 for e in timeline if e.source.channel_id == "sms")
                return count

            async with asyncio.timeout(30):
                while await stored() < 1 or server.health()["processed"] < 1:
                    await asyncio.sleep(0.02)
            assert await stored() == 1
            assert server.health()["duplicates"] == 1
