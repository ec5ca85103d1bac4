"""One room, four platforms: a Telegram user, a WhatsApp user, a Teams user and an AI agent.

Every platform runs its real provider code against its wire fake over real sockets
(Telegram's Bot API, WhatsApp's Cloud API, the Bot Framework: tokens, keys and the Bot
Connector), and every inbound message comes through the webhook server with the vendor's
signature (Telegram's secret token, Meta's ``X-Hub-Signature-256``, the Bot Framework JWT).

* the Teams user never wrote first: the bot opens the chat (``create_personal_conversation``)
  and the room's first message reaches them proactively;
* a message from each participant reaches the others, transcoded to what each platform shows:
  a photo from WhatsApp is a photo on Telegram and a link on Teams; the agent's card with four
  buttons is an Adaptive Card on Teams and numbered text on Telegram (no cards) and WhatsApp
  (no cards, at most three buttons);
* typing (the agent's, and the Teams user's through botbuilder's own adapter) reaches Telegram
  and Teams as chat actions / typing activities; WhatsApp's read receipt becomes a
  ``READ_RECEIPT`` ephemeral event in the room and the event's delivery record.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable
from typing import Any

import httpx
from botbuilder.core.adapters import TestAdapter
from botbuilder.schema import Activity, ChannelAccount, ConversationAccount
from roomkit_server import ServerSettings, WebhookServer
from roomkit_server.testing import serve_app
from roomkit_teams import BotFrameworkTeamsProvider
from roomkit_teams.testing import teams_config
from roomkit_telegram import TelegramBotProvider, TelegramConfig
from roomkit_whatsapp import WhatsAppCloudConfig, WhatsAppCloudProvider

from roomkit import RoomKit
from roomkit.channels import AIChannel, TeamsChannel, TelegramChannel, WhatsAppChannel
from roomkit.channels.messaging import MessagingChannel
from roomkit.messaging.index import InMemoryMessageIndex
from roomkit.models.content import RichButton, RichCard, RichContent
from roomkit.models.enums import DeliveryStatus, EphemeralEventType
from roomkit.models.event import EphemeralEvent
from roomkit.testing import MockAIProvider
from roomkit_conformance.wire.botframework import BotConnectorWire
from roomkit_conformance.wire.meta import meta_dumps, sign_meta
from roomkit_conformance.wire.telegram import SECRET_HEADER, TelegramWire, message_update
from roomkit_conformance.wire.whatsapp import (
    WhatsAppCloudWire,
    media_message,
    messages_value,
    status_entry,
    statuses_value,
    waba_webhook,
)

TG_TOKEN = "123456789:e2e-telegram-token"
TG_SECRET = "e2e-telegram-secret"
TG_CHAT = "424242"
WA_TOKEN = "EAAG-e2e-whatsapp-token"
WA_SECRET = "e2e-whatsapp-app-secret"
WA_NUMBER_ID = "106540352242922"
WA_USER = "+15550111"
TEAMS_USER = "29:dana"
PHOTO = "https://media.example.com/parcel.png"


async def _until(check: Callable[[], Awaitable[bool] | bool], what: str) -> None:
    for _ in range(500):
        outcome = check()
        if await outcome if asyncio.iscoroutine(outcome) else outcome:
            return
        await asyncio.sleep(0.02)
    raise AssertionError(f"not seen within 10 s: {what}")


def _tg_calls(wire: TelegramWire, method: str) -> list[dict[str, Any]]:
    return [r.json() for r in wire.requests if r.path.endswith("/" + method)]


def _wa_sent(wire: WhatsAppCloudWire) -> list[dict[str, Any]]:
    return [
        r.json()
        for r in wire.requests
        if r.method == "POST" and r.path.endswith("/messages") and "to" in r.json()
    ]


def _teams_messages(wire: BotConnectorWire, conversation: str) -> list[dict[str, Any]]:
    return [a for a in wire.activities(conversation) if a.get("type") == "message"]


async def test_one_room_four_platforms() -> None:
    async with (
        TelegramWire(TG_TOKEN) as tg,
        WhatsAppCloudWire(WA_TOKEN, phone_number_id=WA_NUMBER_ID) as wa,
        BotConnectorWire() as bf,
    ):
        assert isinstance(tg, TelegramWire)
        assert isinstance(wa, WhatsAppCloudWire)
        assert isinstance(bf, BotConnectorWire)
        teams = BotFrameworkTeamsProvider(teams_config(bf, timeout=5.0))
        kit = RoomKit()
        kit.register_channel(
            TelegramChannel(
                "telegram",
                provider=TelegramBotProvider(
                    TelegramConfig(
                        bot_token=TG_TOKEN, webhook_secret=TG_SECRET, api_url=tg.url, timeout=5.0
                    )
                ),
            )
        )
        kit.register_channel(
            WhatsAppChannel(
                "whatsapp",
                provider=WhatsAppCloudProvider(
                    WhatsAppCloudConfig(
                        access_token=WA_TOKEN,
                        phone_number_id=WA_NUMBER_ID,
                        app_secret=WA_SECRET,
                        graph_url=wa.url,
                        timeout=5.0,
                    )
                ),
            )
        )
        kit.register_channel(TeamsChannel("teams", provider=teams))
        kit.register_channel(
            AIChannel("agent", provider=MockAIProvider(responses=["AGENT: noted, on it."]))
        )
        try:
            await _run(kit, teams, tg, wa, bf)
        finally:
            await kit.close()


async def _run(
    kit: RoomKit,
    teams: BotFrameworkTeamsProvider,
    tg: TelegramWire,
    wa: WhatsAppCloudWire,
    bf: BotConnectorWire,
) -> None:
    room = await kit.create_room(room_id="support")
    # Dana is on Teams and has never written to the bot: open the chat proactively.
    dana_chat = await teams.create_personal_conversation(
        bf.service_url, TEAMS_USER, tenant_id="wire-tenant"
    )
    await kit.attach_channel(room.id, "telegram", metadata={"telegram_chat_id": TG_CHAT})
    await kit.attach_channel(room.id, "whatsapp", metadata={"phone_number": WA_USER})
    await kit.attach_channel(room.id, "teams", metadata={"teams_conversation_id": dana_chat})
    await kit.attach_channel(room.id, "agent")
    senders = (("telegram", TG_CHAT), ("whatsapp", WA_USER), ("teams", TEAMS_USER))
    for channel_id, address in senders:
        channel = kit.get_channel(channel_id)
        assert isinstance(channel, MessagingChannel)
        await channel.remember_recipient(address, room.id)  # their replies come to this room

    seen: list[EphemeralEvent] = []

    async def record(event: EphemeralEvent) -> None:
        seen.append(event)

    await kit.subscribe_room(room.id, record)
    server = WebhookServer(kit, ServerSettings())
    for channel_id in ("telegram", "whatsapp", "teams"):
        server.add_channel(channel_id)
    async with serve_app(server.app) as (url, _), httpx.AsyncClient(timeout=10) as client:

        async def post(route: str, body: bytes, headers: dict[str, str]) -> None:
            answer = await client.post(f"{url}/webhooks/{route}", content=body, headers=headers)
            assert answer.status_code == 200, (route, answer.status_code, answer.text)

        # 1. Telegram writes; WhatsApp, Teams (proactively: Dana never wrote) and the agent see it
        update = message_update(
            update_id=1, chat_id=int(TG_CHAT), message_id=11, text="MARKER-tg where is my parcel?"
        )
        await post(
            "telegram",
            meta_dumps(update),
            {"content-type": "application/json", SECRET_HEADER: TG_SECRET},
        )
        await _until(
            lambda: any("MARKER-tg" in m.get("text", "") for m in _teams_messages(bf, dana_chat)),
            "the Telegram message on Teams",
        )
        (first,) = [m for m in _teams_messages(bf, dana_chat) if "MARKER-tg" in m["text"]]
        assert first["recipient"] == {"id": TEAMS_USER}
        await _until(
            lambda: any("MARKER-tg" in m.get("text", {}).get("body", "") for m in _wa_sent(wa)),
            "the Telegram message on WhatsApp",
        )
        await _until(
            lambda: any("AGENT: noted" in m.get("text", "") for m in _tg_calls(tg, "sendMessage")),
            "the agent's answer on Telegram",
        )

        # 2. WhatsApp sends a photo: a photo on Telegram, a link on Teams (no media there)
        photo = media_message(
            sender=WA_USER, message_id="wamid.e2e-photo", url=PHOTO, caption="MARKER-wa the box"
        )
        body = meta_dumps(waba_webhook(messages_value(WA_NUMBER_ID, [photo])))
        await post("whatsapp", body, sign_meta(body, WA_SECRET))
        await _until(
            lambda: any("MARKER-wa" in str(m.get("caption")) for m in _tg_calls(tg, "sendPhoto")),
            "the WhatsApp photo on Telegram",
        )
        await _until(
            lambda: any("MARKER-wa" in m.get("text", "") for m in _teams_messages(bf, dana_chat)),
            "the WhatsApp photo on Teams",
        )
        (on_teams,) = [m for m in _teams_messages(bf, dana_chat) if "MARKER-wa" in m["text"]]
        assert not on_teams.get("attachments"), "Teams gets media as a link"
        assert "https://" in on_teams["text"]

        # 3. Dana answers from Teams (a Bot Framework JWT on the activity)
        activity = bf.message_activity(dana_chat, TEAMS_USER, "MARKER-teams thanks, I'll wait")
        await post("teams", json.dumps(activity).encode(), bf.authorization(activity))
        await _until(
            lambda: any("MARKER-teams" in m.get("text", "") for m in _tg_calls(tg, "sendMessage")),
            "the Teams message on Telegram",
        )
        await _until(
            lambda: any("MARKER-teams" in m.get("text", {}).get("body", "") for m in _wa_sent(wa)),
            "the Teams message on WhatsApp",
        )

        # 4. The agent offers a card with four buttons
        offer = RichContent(
            body="MARKER-card Pick a delivery slot",
            buttons=[RichButton(label=f"Slot {n}", value=f"slot-{n}") for n in range(1, 5)],
            cards=[RichCard(title="Express", body="Tomorrow before noon")],
        )
        await kit.send_event(room.id, offer, channel_id="agent")
        await kit.drain(timeout=10)
        (card_activity,) = [
            m for m in _teams_messages(bf, dana_chat) if "MARKER-card" in (m.get("text") or "")
        ]
        (attachment,) = card_activity["attachments"]
        assert attachment["contentType"] == "application/vnd.microsoft.card.adaptive"
        assert len(attachment["content"]["actions"]) == 4
        (tg_card,) = [m for m in _tg_calls(tg, "sendMessage") if "MARKER-card" in m["text"]]
        assert "1. Slot 1" in tg_card["text"]
        assert "Express" in tg_card["text"]
        (wa_card,) = [m for m in _wa_sent(wa) if "MARKER-card" in m.get("text", {}).get("body", "")]
        assert wa_card["type"] == "text"
        assert "4. Slot 4" in wa_card["text"]["body"]

        # 5. Typing: the agent's, then Dana's (through botbuilder's own adapter)
        actions_before = len(_tg_calls(tg, "sendChatAction"))
        await kit.publish_typing(room.id, "agent", channel_id="agent")
        await kit.drain(timeout=10)
        assert len(_tg_calls(tg, "sendChatAction")) == actions_before + 1
        assert any(a.get("type") == "typing" for a in bf.activities(dana_chat))
        template = Activity(
            channel_id="msteams",
            service_url=bf.service_url,
            from_property=ChannelAccount(id=TEAMS_USER, name="Dana"),
            recipient=ChannelAccount(id=f"28:{bf.app_id}", name="RoomKit bot"),
            conversation=ConversationAccount(id=dana_chat, conversation_type="personal"),
        )
        adapter = TestAdapter(teams.turn_handler(kit, "teams"), template)
        await adapter.send(Activity(type="typing"))
        await kit.drain(timeout=10)
        assert len(_tg_calls(tg, "sendChatAction")) == actions_before + 2
        typing = [e for e in seen if e.type == EphemeralEventType.TYPING_START]
        assert {e.user_id for e in typing} >= {"agent", TEAMS_USER}

        # 6. The WhatsApp user reads the card: a read receipt crosses into the room
        whatsapp = kit.get_channel("whatsapp")
        assert isinstance(whatsapp, MessagingChannel)
        index = whatsapp.message_index
        assert isinstance(index, InMemoryMessageIndex)
        wamids = {key[len("sent:") :]: await index.get(key) for key in index.keys("sent:")}
        card_event = next(
            e
            for e in await kit.get_timeline(room.id)
            if "MARKER-card" in str(getattr(e.content, "body", ""))
        )
        wamid = next(w for w, ref in wamids.items() if ref and ref.event_id == card_event.id)
        read = status_entry(message_id=wamid, status="read", recipient=WA_USER)
        body = meta_dumps(waba_webhook(statuses_value(WA_NUMBER_ID, [read])))
        await post("whatsapp", body, sign_meta(body, WA_SECRET))

        async def receipt_seen() -> bool:
            await kit.drain(timeout=10)
            return any(e.type == EphemeralEventType.READ_RECEIPT for e in seen)

        await _until(receipt_seen, "the WhatsApp read receipt")
        (receipt,) = [e for e in seen if e.type == EphemeralEventType.READ_RECEIPT]
        assert (receipt.user_id, receipt.data["event_id"]) == (WA_USER, card_event.id)
        stored = await kit.get_event(card_event.id)
        assert stored is not None
        assert stored.delivery_results["whatsapp"].status == DeliveryStatus.READ

    # every platform's message is in the room once
    bodies = [str(getattr(e.content, "body", "")) for e in await kit.get_timeline(room.id)]
    captions = [str(getattr(e.content, "caption", "")) for e in await kit.get_timeline(room.id)]
    assert sum("MARKER-tg" in b for b in bodies) == 1
    assert sum("MARKER-wa" in c for c in captions) == 1
    assert sum("MARKER-teams" in b for b in bodies) == 1
