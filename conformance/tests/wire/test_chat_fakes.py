"""The Messenger, WhatsApp Cloud API and Telegram Bot API fakes answer as their vendors
document: the limits they check and the error shapes they answer with."""

from __future__ import annotations

import hashlib
import hmac

import httpx

from roomkit_conformance.wire.messenger import MessengerWire
from roomkit_conformance.wire.meta import graph_token, sign_meta
from roomkit_conformance.wire.telegram import TelegramWire
from roomkit_conformance.wire.whatsapp import WhatsAppCloudWire


def test_meta_signatures_are_hmac_sha256_of_the_body() -> None:
    body = b'{"object":"page"}'
    expected = hmac.new(b"s3cret", body, hashlib.sha256).hexdigest()
    assert sign_meta(body, "s3cret")["x-hub-signature-256"] == f"sha256={expected}"


async def test_messenger_fake_checks_the_send_api_limits() -> None:
    async with MessengerWire("tok", known_users={"1"}) as wire:
        url = f"{wire.url}/v21.0/me/messages"
        auth = {"Authorization": "Bearer tok"}
        async with httpx.AsyncClient() as client:
            ok = await client.post(url, headers=auth, json={
                "recipient": {"id": "1"}, "messaging_type": "RESPONSE", "message": {"text": "hi"}
            })  # fmt: skip
            four = [{"type": "postback", "title": f"b{n}", "payload": "p"} for n in range(4)]
            too_many = await client.post(url, headers=auth, json={
                "recipient": {"id": "1"}, "messaging_type": "RESPONSE",
                "message": {"attachment": {"type": "template", "payload": {
                    "template_type": "button", "text": "t", "buttons": four}}},
            })  # fmt: skip
            stranger = await client.post(url, headers=auth, json={
                "recipient": {"id": "2"}, "messaging_type": "RESPONSE", "message": {"text": "x"}
            })  # fmt: skip
            no_token = await client.post(url, json={"recipient": {"id": "1"}})
    assert ok.status_code == 200
    assert ok.json()["message_id"].startswith("m_")
    assert too_many.status_code == 400
    assert "1-3 buttons" in too_many.json()["error"]["message"]
    assert stranger.json()["error"]["error_subcode"] == 2018001
    assert (no_token.status_code, no_token.json()["error"]["code"]) == (401, 190)
    assert graph_token(wire.requests[0]) == "tok"


async def test_whatsapp_fake_checks_interactive_limits_and_allowed_numbers() -> None:
    async with WhatsAppCloudWire("tok", phone_number_id="55", allowed_numbers={"1555"}) as wire:
        url = f"{wire.url}/v21.0/55/messages"
        auth = {"Authorization": "Bearer tok"}
        rows = [{"id": f"r{n}", "title": f"row {n}"} for n in range(11)]
        action = {"button": "Choose", "sections": [{"title": "s", "rows": rows}]}
        interactive = {"type": "list", "body": {"text": "pick"}, "action": action}
        listed = {
            "messaging_product": "whatsapp",
            "to": "1555",
            "type": "interactive",
            "interactive": interactive,
        }
        async with httpx.AsyncClient() as client:
            too_many = await client.post(url, headers=auth, json=listed)
            text = {"messaging_product": "whatsapp", "to": "+1555", "type": "text",
                    "text": {"body": "hi"}}  # fmt: skip
            ok = await client.post(url, headers=auth, json=text)
            outside = await client.post(url, headers=auth, json={**text, "to": "1666"})
    assert too_many.status_code == 400
    assert "1-10 rows" in too_many.json()["error"]["message"]
    assert ok.json()["messages"][0]["id"].startswith("wamid.")
    assert ok.json()["contacts"] == [{"input": "+1555", "wa_id": "1555"}]
    assert outside.json()["error"]["code"] == 131030


async def test_telegram_fake_answers_like_the_bot_api() -> None:
    async with TelegramWire("1:tok", known_chats={"7"}) as wire:
        base = f"{wire.url}/bot1:tok"
        async with httpx.AsyncClient() as client:
            sent = await client.post(f"{base}/sendMessage", json={"chat_id": 7, "text": "hi"})
            message_id = sent.json()["result"]["message_id"]
            unchanged = {"chat_id": 7, "message_id": message_id, "text": "hi"}
            same = await client.post(f"{base}/editMessageText", json=unchanged)
            long = await client.post(f"{base}/sendMessage", json={"chat_id": 7, "text": "x" * 4097})
            unknown = await client.post(f"{base}/sendMessage", json={"chat_id": 8, "text": "hi"})
            form = await client.post(f"{base}/sendMessage", data={"chat_id": "7", "text": "form"})
            wire.flood(3)
            flooded = await client.post(f"{base}/sendMessage", json={"chat_id": 7, "text": "hi"})
            wrong = await client.post(f"{wire.url}/bot1:nope/getMe")
    assert sent.json()["ok"] is True
    assert "message is not modified" in same.json()["description"]
    assert long.json()["description"] == "Bad Request: message is too long"
    assert unknown.json() == {"ok": False, "error_code": 400,
                              "description": "Bad Request: chat not found"}  # fmt: skip
    assert form.json()["result"]["text"] == "form"
    assert flooded.status_code == 429
    assert flooded.json()["parameters"] == {"retry_after": 3}
    assert "retry-after" not in flooded.headers
    assert wrong.status_code == 401
