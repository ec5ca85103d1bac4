"""TelegramBotProvider against the npm ``telegram-test-api`` emulator (a real Bot API
counterpart over a real socket): inline keyboards, edits and deletes seen from the user's
side, and user messages and button taps fetched by long polling."""

from __future__ import annotations

from typing import Any

import httpx
from roomkit_telegram import TelegramBotProvider, TelegramConfig

from roomkit import RoomKit
from roomkit.channels.telegram import TelegramChannel
from roomkit.core.webhooks import process_webhook_item
from roomkit.models.content import (
    DeleteContent,
    EditContent,
    RichButton,
    RichContent,
    TextContent,
)
from roomkit.models.event import InboundMessage

TOKEN = "987654321:emulator-bot-token"
CHAT = 1  # the emulator client's default chat


def _provider(url: str) -> TelegramBotProvider:
    return TelegramBotProvider(TelegramConfig(bot_token=TOKEN, api_url=url, timeout=10))


async def _history(client: httpx.AsyncClient, url: str) -> list[dict[str, Any]]:
    """Every bot message the emulator still holds for the bot, edits applied."""
    answer = await client.post(f"{url}/getUpdatesHistory", json={"token": TOKEN})
    return [u["message"] for u in answer.json()["result"] if "chat_id" in u["message"]]


def _user(text: str) -> dict[str, Any]:
    user = {"id": CHAT, "first_name": "Ada", "username": "ada", "is_bot": False}
    chat = {"id": CHAT, "first_name": "Ada", "type": "private"}
    return {"botToken": TOKEN, "date": 1_700_000_000, "from": user, "chat": chat, "text": text}


async def test_keyboards_edits_and_deletes_reach_the_user(emulator: str) -> None:
    kit = RoomKit()
    kit.register_channel(TelegramChannel("tg", provider=_provider(emulator)))
    try:
        room = await kit.create_room()
        await kit.attach_channel(room.id, "tg", metadata={"telegram_chat_id": str(CHAT)})
        menu = RichContent(
            body="Pick a size",
            buttons=[RichButton(label="Small", value="size:s"),
                     RichButton(label="Docs", url="https://docs.example")],
        )  # fmt: skip
        sent = await kit.send_event(room.id, menu)
        assert sent.event is not None
        async with httpx.AsyncClient() as client:
            seen = await client.post(
                f"{emulator}/getUpdates", json={"token": TOKEN, "chatId": CHAT}
            )
            (message,) = [u["message"] for u in seen.json()["result"]]
            assert message["text"] == "Pick a size"
            assert message["reply_markup"]["inline_keyboard"] == [
                [{"text": "Small", "callback_data": "size:s"}],
                [{"text": "Docs", "url": "https://docs.example"}],
            ]
            edit = EditContent(target_event_id=sent.event.id,
                               new_content=TextContent(body="Size chosen: S"))  # fmt: skip
            await kit.send_event(room.id, edit)
            (edited,) = await _history(client, emulator)
            assert edited["text"] == "Size chosen: S"

            note = await kit.send_event(room.id, TextContent(body="temporary note"))
            assert note.event is not None
            assert len(await _history(client, emulator)) == 2
            await kit.send_event(room.id, DeleteContent(target_event_id=note.event.id))
            assert [m["text"] for m in await _history(client, emulator)] == ["Size chosen: S"]
        for event in await kit.get_timeline(room.id):
            assert "tg" not in event.delivery_results, event.delivery_results  # none failed
    finally:
        await kit.close()


async def test_user_messages_and_button_taps_arrive_once_by_long_polling(emulator: str) -> None:
    provider = _provider(emulator)
    kit = RoomKit()
    kit.register_channel(TelegramChannel("tg", provider=provider))
    try:
        async with httpx.AsyncClient() as client:
            await client.post(f"{emulator}/sendMessage", json=_user("where is my order?"))
            tap = {**_user(""), "data": "size:s"}
            tap["message"] = {"from": tap["from"], "chat": tap["chat"]}
            await client.post(f"{emulator}/sendCallback", json=tap)
            updates = await provider.get_updates("tg")
            assert await provider.get_updates("tg") == [], "each update comes once"
        text, button = updates
        assert isinstance(text, InboundMessage)
        assert isinstance(button, InboundMessage)
        assert (text.sender_id, text.content) == (str(CHAT), TextContent(body="where is my order?"))
        assert button.content == TextContent(body="size:s")
        assert button.metadata["callback_query_id"]
        for item in updates:
            await process_webhook_item(kit, "tg", item)
        (room,) = await kit.list_rooms()
        await kit.send_event(room.id, TextContent(body="It ships today"))
        async with httpx.AsyncClient() as client:
            seen = await client.post(
                f"{emulator}/getUpdates", json={"token": TOKEN, "chatId": CHAT}
            )
        assert [u["message"]["text"] for u in seen.json()["result"]] == ["It ships today"]
    finally:
        await kit.close()
