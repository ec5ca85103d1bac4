"""roomkit-telegram over real sockets against the local Bot API fake (what the emulator does
not cover): media, locations, typing, reactions, flood control, unknown and blocking chats,
retried edits, file downloads, and secret-token webhooks through the RoomKit webhook server."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Awaitable, Callable

import httpx
import pytest
from pydantic import ValidationError
from roomkit_server import ServerSettings, WebhookServer
from roomkit_server.testing import serve_app
from roomkit_telegram import TelegramBotProvider, TelegramConfig, parse_telegram_webhook

from roomkit import RoomKit
from roomkit.channels.telegram import TelegramChannel
from roomkit.errors import PermanentProviderError, WebhookPayloadError
from roomkit.models.content import (
    EditContent,
    LocationContent,
    MediaContent,
    RichButton,
    RichCard,
    RichContent,
    TextContent,
)
from roomkit.models.room import RetryPolicy
from roomkit_conformance.suites.messaging import sample_event
from roomkit_conformance.wire.meta import meta_dumps
from roomkit_conformance.wire.telegram import (
    SECRET_HEADER,
    TelegramWire,
    callback_update,
    message_update,
    photo_update,
)

TOKEN = "123456789:test-telegram-bot-token"
SECRET = "test-telegram-webhook-secret"
CHAT = "424242"


@pytest.fixture
async def wire() -> AsyncIterator[TelegramWire]:
    async with TelegramWire(TOKEN, known_chats={CHAT, "777"}, blocked_chats={"777"}) as server:
        assert isinstance(server, TelegramWire)
        yield server


def _provider(url: str, **extra: object) -> TelegramBotProvider:
    return TelegramBotProvider(
        TelegramConfig(bot_token=TOKEN, webhook_secret=SECRET, api_url=url, timeout=5, **extra)  # type: ignore[arg-type]
    )


def _calls(server: TelegramWire) -> list[tuple[str, dict[str, object]]]:
    return [(r.path.rpartition("/")[2], r.json()) for r in server.requests]


async def test_media_locations_cards_typing_and_reactions(wire: TelegramWire) -> None:
    provider = _provider(wire.url)
    contents = [
        MediaContent(url="https://cdn.example/cat.jpg", mime_type="image/jpeg", caption="cat"),
        MediaContent(url="https://cdn.example/a.pdf", mime_type="application/pdf"),
        MediaContent(url="https://cdn.example/v.ogg", mime_type="audio/ogg"),
        LocationContent(latitude=45.5, longitude=-73.6),
        LocationContent(latitude=45.5, longitude=-73.6, label="Shop", address="1 Main St"),
        RichContent(body="Plan", cards=[RichCard(title="Basic", image_url="https://i.example/b.png",
                                                 buttons=[RichButton(label="Buy", value="buy")])]),
        RichContent(body="Size?", quick_replies=["S", "M"]),
    ]  # fmt: skip
    try:
        for content in contents:
            result = await provider.send(sample_event(content), CHAT)
            assert result.success, result.error
        await provider.send_typing(CHAT)
        await provider.react(CHAT, int(result.provider_message_id or 0), "👍")
    finally:
        await provider.close()
    calls = _calls(wire)
    assert [m for m, _ in calls] == [
        "sendPhoto", "sendDocument", "sendVoice", "sendLocation", "sendVenue", "sendPhoto",
        "sendMessage", "sendChatAction", "setMessageReaction",
    ]  # fmt: skip
    assert calls[0][1]["caption"] == "cat"
    assert calls[4][1]["title"] == "Shop"
    card = calls[5][1]
    assert card["photo"] == "https://i.example/b.png"
    assert "Basic" in str(card["caption"])
    assert card["reply_markup"] == {"inline_keyboard": [[{"text": "Buy", "callback_data": "buy"}]]}
    assert calls[6][1]["reply_markup"] == {
        "keyboard": [[{"text": "S"}], [{"text": "M"}]],
        "one_time_keyboard": True,
        "resize_keyboard": True,
    }
    assert wire.messages()[-1]["reaction"] == [{"type": "emoji", "emoji": "👍"}]


async def test_unknown_and_blocking_chats_are_permanent_with_a_hint(wire: TelegramWire) -> None:
    provider = _provider(wire.url)
    try:
        unknown = await provider.send(sample_event(TextContent(body="hi")), "999")
        blocked = await provider.send(sample_event(TextContent(body="hi")), "777")
    finally:
        await provider.close()
    assert (unknown.success, unknown.retryable, unknown.status_code) == (False, False, 400)
    assert "start the bot" in (unknown.error or "")
    assert (blocked.retryable, blocked.status_code) == (False, 403)
    with pytest.raises(PermanentProviderError):
        blocked.raise_for_failure("telegram")


async def test_the_token_never_shows_in_errors() -> None:
    async with TelegramWire("111:another-bot") as server:
        provider = _provider(server.url)
        try:
            result = await provider.send(sample_event(TextContent(body="hi")), CHAT)
        finally:
            await provider.close()
    assert result.status_code == 401
    assert TOKEN not in (result.error or "")
    assert TOKEN.split(":")[1] not in (result.error or "")


def test_config_refuses_malformed_tokens_and_secrets() -> None:
    with pytest.raises(ValidationError) as bad_token:
        TelegramConfig(bot_token="no-colon-here")
    assert "no-colon-here" not in str(bad_token.value)
    with pytest.raises(ValidationError):
        TelegramConfig(bot_token=TOKEN, webhook_secret="has spaces!")


async def test_large_photos_go_as_documents_and_files_over_the_limit_are_refused(
    wire: TelegramWire,
) -> None:
    provider = _provider(wire.url)
    photo = MediaContent(url="https://cdn.example/p.jpg", mime_type="image/jpeg",
                         size_bytes=8 * 1024 * 1024)  # fmt: skip
    video = MediaContent(url="https://cdn.example/v.mp4", mime_type="video/mp4",
                         size_bytes=21 * 1024 * 1024)  # fmt: skip
    try:
        as_document = await provider.send(sample_event(photo), CHAT)
        refused = await provider.send(sample_event(video), CHAT)
    finally:
        await provider.close()
    assert as_document.success, as_document.error
    assert (refused.success, refused.retryable) == (False, False)
    assert "limit" in (refused.error or "")
    assert [m for m, _ in _calls(wire)] == ["sendDocument"]  # the refused video made no call


async def test_media_too_large_for_telegram_reach_the_chat_as_a_link(wire: TelegramWire) -> None:
    kit = RoomKit()
    kit.register_channel(TelegramChannel("tg", provider=_provider(wire.url)))
    try:
        room = await kit.create_room()
        await kit.attach_channel(room.id, "tg", metadata={"telegram_chat_id": CHAT})
        film = MediaContent(url="https://cdn.example/film.mp4", mime_type="video/mp4",
                            caption="the film", size_bytes=300 * 1024 * 1024)  # fmt: skip
        result = await kit.send_event(room.id, film)
        assert result.event is not None
        assert "tg" not in result.event.delivery_results  # delivered, not failed
    finally:
        await kit.close()
    assert [m["text"] for m in wire.messages()] == ["the film: https://cdn.example/film.mp4"]


async def _until(check: Callable[[], Awaitable[bool]], timeout: float = 20.0) -> None:
    async with asyncio.timeout(timeout):
        while not await check():
            await asyncio.sleep(0.01)


async def test_flood_control_is_waited_out_and_the_message_sent_once(wire: TelegramWire) -> None:
    wire.flood(1)  # 429 with parameters.retry_after = 1 and no Retry-After header
    provider = _provider(wire.url)
    direct = await provider.send(sample_event(TextContent(body="x")), CHAT)
    assert (direct.retryable, direct.retry_after, direct.status_code) == (True, 1.0, 429)
    wire.reset()
    wire.flood(1)
    kit = RoomKit()
    kit.register_channel(TelegramChannel("tg", provider=provider))
    try:
        room = await kit.create_room()
        policy = RetryPolicy(max_retries=3, base_delay_seconds=0.01)
        await kit.attach_channel(room.id, "tg", metadata={"telegram_chat_id": CHAT},
                                 retry_policy=policy)  # fmt: skip
        started = time.monotonic()
        await kit.send_event(room.id, TextContent(body="after the flood"))
        await wire.wait_for_requests(2)
        waited = time.monotonic() - started

        async def delivered() -> bool:
            return len(wire.messages()) == 1

        await _until(delivered)
    finally:
        await kit.close()
    assert waited >= 0.95, "the retry came before Telegram's retry_after (1 s)"
    assert [m["text"] for m in wire.messages()] == ["after the flood"]
    assert len(wire.requests) == 2


async def test_a_retried_edit_is_not_an_error(wire: TelegramWire) -> None:
    provider = _provider(wire.url)
    try:
        original = sample_event(TextContent(body="v1"))
        assert (await provider.send(original, CHAT)).success
        edit = sample_event(EditContent(target_event_id=original.id,
                                        new_content=TextContent(body="v2")))  # fmt: skip
        first = await provider.send(edit, CHAT)
        again = await provider.send(edit, CHAT)  # Telegram: "message is not modified"
        unknown = await provider.send(
            sample_event(
                EditContent(target_event_id="evt-nope", new_content=TextContent(body="x"))
            ),
            CHAT,
        )
    finally:
        await provider.close()
    assert first.success
    assert again.success
    assert first.provider_message_id == again.provider_message_id
    assert [m["text"] for m in wire.messages()] == ["v2"]
    assert not unknown.success
    assert "telegram_message_id" in (unknown.error or "")


async def test_files_download_and_inbound_photos_carry_no_token(wire: TelegramWire) -> None:
    wire.files["file-abc"] = b"\x89PNG fake"
    provider = _provider(wire.url)
    try:
        photo = parse_telegram_webhook(
            photo_update(update_id=5, chat_id=42, message_id=9, file_id="file-abc", caption="hi"),
            "tg",
        )
        assert isinstance(photo.content, MediaContent)
        assert photo.content.url == "telegram-file://file-abc"
        assert TOKEN not in photo.model_dump_json()
        assert await provider.download_file(photo.content.url) == b"\x89PNG fake"
    finally:
        await provider.close()
    with pytest.raises(WebhookPayloadError):
        parse_telegram_webhook({"update_id": 6, "poll": {"id": "1"}}, "tg")


async def test_webhooks_through_the_server(wire: TelegramWire) -> None:
    provider = _provider(wire.url)
    kit = RoomKit()
    kit.register_channel(TelegramChannel("tg", provider=provider))
    server = WebhookServer(kit, ServerSettings())
    server.add_channel("tg")
    async with serve_app(server.app) as (url, _), httpx.AsyncClient() as client:
        hook = url + "/webhooks/tg"
        await provider.set_webhook(hook)
        assert wire.webhook is not None
        assert wire.webhook["secret_token"] == SECRET
        body = meta_dumps(message_update(update_id=1, chat_id=int(CHAT), message_id=11,
                                         text="hello bot"))  # fmt: skip
        signed = {"content-type": "application/json", SECRET_HEADER: SECRET}
        for _ in range(2):  # Telegram retries until it gets a 2xx
            assert (await client.post(hook, content=body, headers=signed)).status_code == 200
        wrong = {**signed, SECRET_HEADER: "guessed"}
        assert (await client.post(hook, content=body, headers=wrong)).status_code == 403
        missing = await client.post(
            hook, content=body, headers={"content-type": "application/json"}
        )
        assert missing.status_code == 403
        assert "signature_missing" in (await client.get(url + "/healthz")).text
        tap = meta_dumps(callback_update(update_id=2, chat_id=int(CHAT), data="size:m"))
        assert (await client.post(hook, content=tap, headers=signed)).status_code == 200

        async def two_messages() -> bool:
            rooms = await kit.list_rooms()
            if len(rooms) != 1:
                return False
            timeline = await kit.get_timeline(rooms[0].id)
            return len([e for e in timeline if e.source.channel_id == "tg"]) == 2

        await _until(two_messages)
        (room,) = await kit.list_rooms()
        texts = [getattr(e.content, "body", "") for e in await kit.get_timeline(room.id)]
        assert texts == ["hello bot", "size:m"], "the retried update is stored once"
        await kit.send_event(room.id, TextContent(body="Got it"))
    await kit.close()
    assert [(m["chat"]["id"], m["text"]) for m in wire.messages()] == [(int(CHAT), "Got it")]
