"""End to end (issue 12, "Proof"): a signed SMS from the Twilio wire fake reaches the webhook
server on 127.0.0.1, enters a room with an AI agent and an email participant; the agent's
reply goes out by SMS through the real twilio SDK to the fake and by email; Twilio's signed
delivery receipt comes back through the server and marks the reply delivered.

Email goes through the kernel's ``MockEmailProvider``: roomkit-sendgrid was not on main when
this test was written.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from urllib.parse import parse_qs

import httpx
import pytest
from roomkit_server import ServerSettings, WebhookServer
from roomkit_server.testing import free_port, serve_app
from roomkit_twilio import TwilioConfig, TwilioSMSProvider

from roomkit import RoomKit
from roomkit.channels import EmailChannel, SMSChannel
from roomkit.channels.ai import AIChannel
from roomkit.models.content import TextContent
from roomkit.models.enums import DeliveryStatus
from roomkit.models.event import DeliveryResult, RoomEvent
from roomkit.testing import MockAIProvider, MockEmailProvider
from roomkit_conformance.wire.twilio import TwilioWire

CUSTOMER = "+15551230000"
SHOP = "+15550001111"
REPLY = "Your order 42 ships tomorrow."


async def until(condition: Callable[[], bool], timeout: float = 30.0) -> None:
    """Wait (bounded) for ``condition``; never a fixed sleep."""
    async with asyncio.timeout(timeout):
        while not condition():
            await asyncio.sleep(0.02)


@pytest.mark.asyncio
async def test_signed_sms_to_ai_reply_by_sms_and_email_then_signed_receipt(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    hook = f"{base}/webhooks/sms"
    async with TwilioWire(owned_numbers=[SHOP]) as twilio:
        assert isinstance(twilio, TwilioWire)
        provider = TwilioSMSProvider(
            TwilioConfig(
                account_sid=twilio.account_sid,
                auth_token=twilio.auth_token,
                from_number=SHOP,
                timeout=5.0,
                api_base_url=twilio.url,
                status_callback=hook,
            )
        )
        email = MockEmailProvider()
        kit = RoomKit()
        sms = SMSChannel("sms", provider=provider, from_number=SHOP)
        kit.register_channel(sms)
        kit.register_channel(EmailChannel("mail", provider=email, from_address="help@shop.example"))
        kit.register_channel(AIChannel("agent", provider=MockAIProvider([REPLY])))
        await kit.create_room(room_id="support")
        await kit.attach_channel(
            "support", "sms", participant_id=CUSTOMER, metadata={"phone_number": CUSTOMER}
        )
        await kit.attach_channel("support", "mail", metadata={"email_address": "ada@example.com"})
        await kit.attach_channel("support", "agent")
        await sms.remember_recipient(CUSTOMER, "support")

        server = WebhookServer(kit, ServerSettings(port=port), own_kit=True)
        server.add_channel("sms")
        async with serve_app(server.app, port=port), httpx.AsyncClient() as client:
            # 1. A forged and an unsigned webhook are refused before anything is stored.
            inbound = twilio.inbound_form(sender=CUSTOMER, to=SHOP, body="Where is order 42?")
            forged = dict(inbound, Body="Refund me everything")
            headers = twilio.signed_headers(hook, inbound)
            refused = await client.post(hook, data=forged, headers=headers)
            assert refused.status_code == 403
            unsigned = await client.post(hook, data=inbound)
            assert unsigned.status_code == 403

            # 2. The signed SMS, twice (Twilio retries): accepted, stored once.
            assert await twilio.post_webhook(hook, inbound) == 200
            assert await twilio.post_webhook(hook, inbound) == 200

            def sent_sms() -> list[dict[str, list[str]]]:
                return [
                    parse_qs(r.body.decode())
                    for r in twilio.requests
                    if r.method == "POST" and r.path.endswith("/Messages.json")
                ]

            await until(lambda: any(REPLY in f.get("Body", [""])[0] for f in sent_sms()))
            await until(lambda: any(REPLY in _text(e["event"]) for e in email.sent))

            timeline = await kit.get_timeline("support")
            asked = [e for e in timeline if _text(e) == "Where is order 42?"]
            assert len(asked) == 1, "the retried webhook is stored once"
            (reply,) = [e for e in timeline if _text(e) == REPLY]

            # 3. The SMS went to the customer from the shop's number, through the real SDK.
            (reply_sms,) = [f for f in sent_sms() if REPLY in f["Body"][0]]
            assert reply_sms["To"] == [CUSTOMER]
            assert reply_sms["From"] == [SHOP]
            assert reply_sms["StatusCallback"] == [hook]
            # The email participant got the customer's question and the agent's answer.
            mailed = [_text(e["event"]) for e in email.sent]
            assert "Where is order 42?" in mailed
            assert REPLY in mailed
            assert all(e["to"] == "ada@example.com" for e in email.sent)

            # 4. The signed delivery receipt marks the reply delivered; a forged one is refused.
            (created,) = [m for m in twilio.messages() if m["body"] == REPLY]
            sid = created["sid"]
            assert sid.startswith("SM")
            assert created["status_callback"] == hook

            async def sms_record() -> DeliveryResult | None:
                stored = await kit.get_event(reply.id)
                return stored.delivery_results.get("sms") if stored else None

            bad = twilio.status_form(message_sid=sid, status="failed")
            forged_receipt = await client.post(
                hook, data=bad, headers=twilio.signed_headers(hook, dict(bad, X="1"))
            )
            assert forged_receipt.status_code == 403
            assert await twilio.deliver_status(sid, "delivered") == 200

            async with asyncio.timeout(30):
                while (record := await sms_record()) is None or (
                    record.status != DeliveryStatus.DELIVERED
                ):
                    await asyncio.sleep(0.02)
            health = server.health()
            assert health["rejected"]["by_reason"] == {
                "signature_missing": 1,
                "signature_invalid": 2,
            }
            assert health["duplicates"] == 1
        await provider.close()

    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert twilio.auth_token not in logged, "the auth token must never reach a log line"


def _text(event: RoomEvent) -> str:
    content = event.content
    return content.body if isinstance(content, TextContent) else ""
