"""roomkit-teams against real counterparts: botbuilder's own adapter runs the turns and its
own JWT validation is the reference for ours; outbound calls go over real sockets to the Bot
Framework wire fake (tokens, keys and the Bot Connector REST API)."""

from __future__ import annotations

import asyncio
import json
import re
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from botbuilder.core.adapters import TestAdapter
from botbuilder.schema import (
    Activity,
    ChannelAccount,
    ConversationAccount,
    MessageReaction,
)
from botframework.connector.auth import (
    ChannelValidation,
    JwtTokenValidation,
    SimpleCredentialProvider,
)
from roomkit_server import ServerSettings, WebhookServer
from roomkit_server.testing import serve_app
from roomkit_teams import (
    BotFrameworkTeamsProvider,
    InMemoryConversationReferenceStore,
    SQLiteConversationReferenceStore,
    TeamsConfig,
    is_bot_added,
    parse_teams_activity,
    parse_teams_reactions,
    parse_teams_webhook,
)
from roomkit_teams.testing import HOOK_URL, teams_config

from roomkit import RoomKit
from roomkit.channels import AIChannel, TeamsChannel
from roomkit.errors import WebhookError, WebhookSignatureError
from roomkit.messaging.webhook import WebhookRequest
from roomkit.models.content import MediaContent, RichButton, RichCard, RichContent, TextContent
from roomkit.models.enums import DeliveryStatus, EphemeralEventType, EventStatus
from roomkit.models.event import EphemeralEvent
from roomkit.models.room import RetryPolicy
from roomkit.realtime.memory import InMemoryRealtime
from roomkit.testing import MockAIProvider
from roomkit_conformance.wire.botframework import BotConnectorWire, new_rsa_key

BOT = "28:00000000-0000-0000-0000-0000000b0751"


@pytest.fixture
async def wire() -> AsyncIterator[BotConnectorWire]:
    async with BotConnectorWire() as server:
        assert isinstance(server, BotConnectorWire)
        yield server


@pytest.fixture
async def provider(wire: BotConnectorWire) -> AsyncIterator[BotFrameworkTeamsProvider]:
    found = BotFrameworkTeamsProvider(teams_config(wire))
    yield found
    await found.close()


def _request(wire: BotConnectorWire, activity: dict[str, Any], **token: Any) -> WebhookRequest:
    return WebhookRequest(
        "POST", HOOK_URL, wire.authorization(activity, **token), json.dumps(activity).encode()
    )


async def _botbuilder_accepts(wire: BotConnectorWire, request: WebhookRequest) -> bool:
    """botbuilder's own validation of the same request (its default path for Teams)."""
    activity = Activity().deserialize(json.loads(request.body))
    credentials = SimpleCredentialProvider(wire.app_id, wire.app_password)
    try:
        await JwtTokenValidation.authenticate_request(
            activity, request.header("authorization") or "", credentials
        )
    except Exception:
        return False
    return True


# -- inbound tokens -------------------------------------------------------------------------
async def test_tokens_are_judged_as_botbuilder_judges_them(
    wire: BotConnectorWire, provider: BotFrameworkTeamsProvider, monkeypatch: pytest.MonkeyPatch
) -> None:
    # botbuilder reads its OpenID endpoint from a class setting: point it at the fake.
    monkeypatch.setattr(ChannelValidation, "open_id_metadata_endpoint", wire.openid_url)
    verifier = provider.webhook_endpoints()[""].verifier
    activity = wire.message_activity("a:chat-1", "29:ada", "hello")
    stranger = new_rsa_key()
    cases = {
        "valid": (_request(wire, activity), True),
        "another bot": (_request(wire, activity, audience="someone-else"), False),
        "another issuer": (_request(wire, activity, issuer="https://evil.example.com"), False),
        "forged key": (_request(wire, activity, key=stranger), False),
        "expired": (_request(wire, activity, issued_at=time.time() - 7200), False),
        "other serviceUrl": (
            WebhookRequest(
                "POST",
                HOOK_URL,
                wire.authorization({"serviceUrl": "https://attacker.example.com/"}),
                json.dumps(activity).encode(),
            ),
            False,
        ),
    }
    for name, (request, expected) in cases.items():
        assert await _botbuilder_accepts(wire, request) is expected, f"botbuilder: {name}"
        if expected:
            verifier.verify(request)
        else:
            with pytest.raises(WebhookSignatureError) as refused:
                verifier.verify(request)
            assert refused.value.status_code == 403, name
    with pytest.raises(WebhookSignatureError) as missing:
        verifier.verify(WebhookRequest("POST", HOOK_URL, {}, json.dumps(activity).encode()))
    assert missing.value.reason == "missing"
    expired = cases["expired"][0]
    with pytest.raises(WebhookSignatureError) as late:
        verifier.verify(expired)
    assert late.value.reason == "expired"
    token = cases["valid"][0].header("authorization") or ""
    assert provider.verify_signature(cases["valid"][0].body, token)
    assert not provider.verify_signature(cases["valid"][0].body, "Bearer not.a.token")


async def test_a_key_not_endorsed_for_the_channel_is_refused(wire: BotConnectorWire) -> None:
    wire.endorsements = ["webchat"]
    provider = BotFrameworkTeamsProvider(teams_config(wire))
    try:
        activity = wire.message_activity("a:chat-2", "29:ada", "hello")
        with pytest.raises(WebhookSignatureError, match="endorsed"):
            provider.webhook_endpoints()[""].verifier.verify(_request(wire, activity))
    finally:
        await provider.close()


async def test_unreachable_keys_are_a_503_not_a_pass(wire: BotConnectorWire) -> None:
    provider = BotFrameworkTeamsProvider(
        teams_config(wire, openid_metadata_url=wire.url + "/nowhere")
    )
    try:
        activity = wire.message_activity("a:chat-3", "29:ada", "hello")
        with pytest.raises(WebhookError) as failed:
            provider.webhook_endpoints()[""].verifier.verify(_request(wire, activity))
        assert failed.value.status_code == 503
    finally:
        await provider.close()


# -- botbuilder's adapter turning real activities --------------------------------------------
def _teams_template(wire: BotConnectorWire, conversation: str, user: str) -> Activity:
    return Activity(
        channel_id="msteams",
        service_url=wire.service_url,
        from_property=ChannelAccount(id=user, name="Ada"),
        recipient=ChannelAccount(id=BOT, name="RoomKit bot"),
        conversation=ConversationAccount(
            id=conversation, conversation_type="personal", tenant_id="wire-tenant"
        ),
    )


async def test_a_botbuilder_turn_reaches_the_room_and_the_agent_answers_in_teams(
    wire: BotConnectorWire, provider: BotFrameworkTeamsProvider
) -> None:
    kit = RoomKit()
    kit.register_channel(TeamsChannel("teams", provider=provider))
    kit.register_channel(AIChannel("ai", provider=MockAIProvider(responses=["MARKER-agent"])))
    wire.add_conversation("a:turn-chat")
    handler = provider.turn_handler(kit, "teams")
    adapter = TestAdapter(handler, _teams_template(wire, "a:turn-chat", "29:ada"))
    try:
        await adapter.send("hello from Teams")
        (result,) = handler.results
        assert result.room_id is not None
        await kit.attach_channel(result.room_id, "ai")
        seen: list[EphemeralEvent] = []

        async def record(event: EphemeralEvent) -> None:
            seen.append(event)

        await kit.subscribe_room(result.room_id, record)
        await adapter.send("what is my order status?")
        replies = [a for a in wire.activities("a:turn-chat") if a.get("type") == "message"]
        assert [a["text"] for a in replies] == ["MARKER-agent"]
        assert replies[0]["recipient"]["id"] == "29:ada"
        assert replies[0]["from"]["id"] == BOT
        reference = await provider.conversation_store.get("a:turn-chat")
        assert reference is not None
        assert reference["serviceUrl"] == wire.service_url
        # typing and a reaction to the agent's message cross as ephemeral events
        await adapter.send(Activity(type="typing"))
        sent_id = (await kit.get_timeline(result.room_id))[-1].id
        teams_id = next(
            k[len("sent:") :]
            for k in kit.get_channel("teams").message_index.keys("sent:")  # type: ignore[union-attr]
        )
        await adapter.send(
            Activity(
                type="messageReaction",
                reply_to_id=teams_id,
                reactions_added=[MessageReaction(type="like")],
            )
        )
        realtime = kit.realtime
        assert isinstance(realtime, InMemoryRealtime)
        await kit.drain(timeout=10)
        kinds = [e.type for e in seen]
        assert EphemeralEventType.TYPING_START in kinds
        reaction = next(e for e in seen if e.type == EphemeralEventType.REACTION)
        assert reaction.data["emoji"] == "like"
        assert reaction.data["target_event_id"] == sent_id
    finally:
        await kit.close()


# -- proactive messages, failures -------------------------------------------------------------
async def test_a_proactive_message_reaches_a_user_who_never_wrote(
    wire: BotConnectorWire, provider: BotFrameworkTeamsProvider
) -> None:
    conversation = await provider.create_personal_conversation(
        wire.service_url, "29:new-user", tenant_id="wire-tenant"
    )
    created = wire.requests[-1].json()
    assert created["members"] == [{"id": "29:new-user"}]
    assert created["channelData"]["tenant"]["id"] == "wire-tenant"
    kit = RoomKit()
    kit.register_channel(TeamsChannel("teams", provider=provider))
    try:
        room = await kit.create_room()
        await kit.attach_channel(room.id, "teams", metadata={"teams_conversation_id": conversation})
        result = await kit.send_event(room.id, TextContent(body="Your order shipped"))
        assert result.event is not None
        assert result.event.status == EventStatus.DELIVERED
        (activity,) = wire.activities(conversation)
        assert activity["text"] == "Your order shipped"
        assert activity["recipient"] == {"id": "29:new-user"}
        # the user's id reaches the same chat
        sent = await provider.send(result.event, "29:new-user")
        assert sent.success
    finally:
        await kit.close()


async def test_unknown_conversations_fail_permanently_and_once(
    wire: BotConnectorWire, provider: BotFrameworkTeamsProvider
) -> None:
    event_kit = RoomKit()
    event_kit.register_channel(TeamsChannel("teams", provider=provider))
    try:
        room = await event_kit.create_room()
        await event_kit.attach_channel(
            room.id,
            "teams",
            metadata={"teams_conversation_id": "a:never-seen"},
            retry_policy=RetryPolicy(max_retries=3, base_delay_seconds=0),
        )
        result = await event_kit.send_event(room.id, TextContent(body="hello?"))
        assert result.event is not None
        stored = await event_kit.get_event(result.event.id)
        assert stored is not None
        record = stored.delivery_results["teams"]
        assert record.status == DeliveryStatus.FAILED
        assert "no_conversation_reference" in (record.error or "")
        assert wire.requests == [], "nothing is sent without a reference"
        # a reference the service no longer knows (the bot was removed): 404, not retried
        await provider.save_conversation_reference(
            {**wire.message_activity("a:gone", "29:bob", "hi"), "conversation": {"id": "a:gone2"}}
        )
        outcome = await provider.send(result.event, "a:gone2")
        assert (outcome.success, outcome.retryable, outcome.status_code) == (False, False, 404)
        assert "ConversationNotFound" in (outcome.error or "")
    finally:
        await event_kit.close()


async def test_a_429_is_retried_after_the_vendors_retry_after_and_sent_once(
    wire: BotConnectorWire, provider: BotFrameworkTeamsProvider
) -> None:
    await provider.save_conversation_reference(wire.message_activity("a:busy", "29:ada", "hi"))
    assert (await provider.send(_event("warm the token"), "a:busy")).success
    kit = RoomKit()
    kit.register_channel(TeamsChannel("teams", provider=provider))
    try:
        room = await kit.create_room()
        await kit.attach_channel(
            room.id,
            "teams",
            metadata={"teams_conversation_id": "a:busy"},
            retry_policy=RetryPolicy(max_retries=2, base_delay_seconds=0.01),
        )
        wire.reset()
        wire.fail(429, retry_after=1)
        started = time.monotonic()
        result = await kit.send_event(room.id, TextContent(body="MARKER-throttled"))
        await kit.drain(timeout=30)
        elapsed = time.monotonic() - started
        posts = [a for a in wire.activities("a:busy") if a.get("text") == "MARKER-throttled"]
        assert len(posts) == 2, "the refused attempt and the accepted one, nothing more"
        assert elapsed >= 1.0, "the retry waited for Retry-After"
        assert result.event is not None
        stored = await kit.get_event(result.event.id)
        assert stored is not None
        assert stored.status == EventStatus.DELIVERED
        assert "teams" not in stored.delivery_results, "no failure recorded"
    finally:
        await kit.close()


def _event(text: str) -> Any:
    from roomkit_conformance.suites.messaging import sample_event

    return sample_event(TextContent(body=text))


async def test_rich_content_goes_as_an_adaptive_card_and_a_press_comes_back_as_text(
    wire: BotConnectorWire, provider: BotFrameworkTeamsProvider
) -> None:
    from roomkit_conformance.suites.messaging import sample_event

    await provider.save_conversation_reference(wire.message_activity("a:cards", "29:ada", "hi"))
    rich = RichContent(
        body="Pick a size",
        buttons=[
            RichButton(label="Small", value="size-s"),
            RichButton(label="Help", url="https://help.example.com"),
        ],
        cards=[RichCard(title="Tee", body="Cotton", image_url="https://img.example.com/t.png")],
        quick_replies=["Later"],
    )
    assert (await provider.send(sample_event(rich), "a:cards")).success
    media = MediaContent(
        url="https://img.example.com/cat.png", mime_type="image/png", caption="a cat"
    )
    assert (await provider.send(sample_event(media), "a:cards")).success
    card_activity, media_activity = wire.activities("a:cards")
    (attachment,) = card_activity["attachments"]
    assert attachment["contentType"] == "application/vnd.microsoft.card.adaptive"
    card = attachment["content"]
    assert card["type"] == "AdaptiveCard"
    assert {"type": "Action.Submit", "title": "Small", "data": {"value": "size-s"}} in card[
        "actions"
    ]
    assert any(a["type"] == "Action.OpenUrl" for a in card["actions"])
    assert card_activity["suggestedActions"]["actions"][0]["value"] == "Later"
    assert media_activity["attachments"][0]["contentUrl"] == "https://img.example.com/cat.png"
    assert media_activity["text"] == "a cat"
    # the user presses "Small": Teams posts a message whose value is the button's data
    press = wire.message_activity("a:cards", "29:ada", "", value={"value": "size-s"})
    (message,) = parse_teams_webhook(press, "teams")
    assert isinstance(message.content, TextContent)
    assert message.content.body == "size-s"


# -- the webhook route through roomkit-server -------------------------------------------------
async def test_the_webhook_route_checks_tokens_dedupes_and_keeps_bot_added_references(
    wire: BotConnectorWire, provider: BotFrameworkTeamsProvider
) -> None:
    kit = RoomKit()
    kit.register_channel(TeamsChannel("teams", provider=provider))
    server = WebhookServer(kit, ServerSettings())
    server.add_channel("teams")
    try:
        async with serve_app(server.app) as (url, _), httpx.AsyncClient() as client:
            hook = url + "/webhooks/teams"

            async def post(activity: dict[str, Any], **token: Any) -> httpx.Response:
                headers = wire.authorization(activity, **token)
                return await client.post(hook, content=json.dumps(activity), headers=headers)

            # installed by a user who has not written yet: only a conversationUpdate arrives
            added = wire.conversation_update("a:installed", "29:quiet")
            assert is_bot_added(added)
            assert (await post(added)).status_code == 200
            message = wire.message_activity("a:chat-x", "29:ada", "MARKER-in", activity_id="act-1")
            assert (await post(message)).status_code == 200
            assert (await post(message)).status_code == 200  # redelivered: deduplicated
            forged = await client.post(
                hook,
                content=json.dumps(message),
                headers=wire.authorization(message, key=new_rsa_key()),
            )
            assert forged.status_code == 403
            missing = await client.post(
                hook, content=json.dumps(message), headers={"content-type": "application/json"}
            )
            assert missing.status_code == 403
            assert missing.json()["error"] == "signature"

            async def stored() -> int:
                rooms = await kit.list_rooms()
                events = [e for r in rooms for e in await kit.get_timeline(r.id)]
                return sum(getattr(e.content, "body", "") == "MARKER-in" for e in events)

            for _ in range(200):
                if await stored():
                    break
                await asyncio.sleep(0.02)
            assert await stored() == 1
        # the bot-added reference allows a proactive message to the quiet user
        outcome = await provider.send(_event("Welcome!"), "a:installed")
        assert outcome.success, outcome.error
        assert [a["text"] for a in wire.activities("a:installed")] == ["Welcome!"]
    finally:
        await kit.close()


# -- certificate authentication ---------------------------------------------------------------
async def test_certificate_authentication_gets_a_token() -> None:
    from cryptography.hazmat.primitives import serialization

    key = new_rsa_key()
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()
    async with BotConnectorWire(certificate_key=key) as wire:
        assert isinstance(wire, BotConnectorWire)
        config = teams_config(
            wire, app_password=None, certificate_thumbprint="AB" * 20, certificate_private_key=pem
        )
        assert config.uses_certificate_auth
        provider = BotFrameworkTeamsProvider(config)
        try:
            await provider.save_conversation_reference(wire.message_activity("a:c", "29:a", "x"))
            assert (await provider.send(_event("signed in"), "a:c")).success
            form = wire.requests[0].form()
            assert "client_secret" not in form
            assert form["client_assertion_type"].endswith("jwt-bearer")
        finally:
            await provider.close()


# -- references, parsers, configuration ---------------------------------------------------------
async def test_reference_stores(tmp_path: Any) -> None:
    memory = InMemoryConversationReferenceStore(max_entries=2)
    for n in range(3):
        await memory.save(f"c{n}", {"conversation": {"id": f"c{n}"}})
    assert sorted(await memory.list_all()) == ["c1", "c2"]
    await memory.delete("nope")
    path = tmp_path / "refs.sqlite3"
    first = SQLiteConversationReferenceStore(path)
    await first.save("a:1", {"serviceUrl": "https://s/", "conversation": {"id": "a:1"}})
    await first.save("a:1", {"serviceUrl": "https://t/", "conversation": {"id": "a:1"}})
    await first.close()
    again = SQLiteConversationReferenceStore(path)
    try:
        assert await again.get("a:1") == {"serviceUrl": "https://t/", "conversation": {"id": "a:1"}}
        assert list(await again.list_all()) == ["a:1"]
        await again.delete("a:1")
        assert await again.get("a:1") is None
    finally:
        await again.close()


def test_0_6_7_parsers() -> None:
    payload = {
        "type": "message",
        "id": "act-1",
        "serviceUrl": "https://smba.trafficmanager.net/amer/",
        "channelId": "msteams",
        "from": {"id": "29:user", "name": "Ada"},
        "conversation": {"id": "a:conv1", "conversationType": "personal", "tenantId": "t1"},
        "recipient": {"id": "28:bot", "name": "Bot"},
        "text": "<at>Bot</at> hello",
        "channelData": {"tenant": {"id": "t1"}},
    }
    facts = parse_teams_activity(payload)
    assert facts["conversation_id"] == "a:conv1"
    assert (facts["sender_id"], facts["bot_id"], facts["tenant_id"]) == ("29:user", "28:bot", "t1")
    assert facts["is_group"] is False
    (message,) = parse_teams_webhook(payload, "teams")
    assert message.idempotency_key == "act-1"
    assert message.metadata["bot_mentioned"] is True
    update = dict(payload, type="conversationUpdate", membersAdded=[{"id": "28:bot"}])
    assert is_bot_added(update)
    assert not is_bot_added(update, "28:other")
    assert parse_teams_webhook(update, "teams") == []
    reaction = dict(
        payload,
        type="messageReaction",
        replyToId="m-9",
        reactionsAdded=[{"type": "like"}],
        reactionsRemoved=[{"type": "heart"}],
    )
    assert [
        (r["action"], r["emoji"], r["target_activity_id"]) for r in parse_teams_reactions(reaction)
    ] == [
        ("add", "like", "m-9"),
        ("remove", "heart", "m-9"),
    ]


def test_config_needs_credentials_and_hides_them() -> None:
    with pytest.raises(ValueError, match="app_password"):
        TeamsConfig(app_id="app")
    config = TeamsConfig(app_id="app", app_password="s3cret-value")
    assert "s3cret-value" not in repr(config)
    assert (
        config.token_url == "https://login.microsoftonline.com/botframework.com/oauth2/v2.0/token"
    )
    with pytest.raises(ValueError, match="https"):
        TeamsConfig(app_id="app", app_password="x", login_url="http://login.example.com")


def test_names_resolve_from_roomkit() -> None:
    import roomkit

    assert roomkit.BotFrameworkTeamsProvider is BotFrameworkTeamsProvider
    assert roomkit.TeamsConfig is TeamsConfig
    assert roomkit.parse_teams_webhook is parse_teams_webhook


_ROOT = Path(__file__).resolve().parents[3]
_SAMPLES = {
    page: re.findall(r"```python\n(.*?)```", (_ROOT / page).read_text(encoding="utf-8"), re.S)[0]
    for page in ("plugins/roomkit-teams/README.md", "docs/providers/teams.md")
}


@pytest.mark.parametrize("page", sorted(_SAMPLES))
async def test_the_first_sample_builds_the_channel(
    page: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Any
) -> None:
    sample = _SAMPLES[page]
    monkeypatch.setenv("TEAMS_APP_PASSWORD", "from-the-environment")
    monkeypatch.chdir(tmp_path)
    namespace: dict[str, Any] = {}
    exec(sample, namespace)
    kit = namespace["kit"]
    built = kit.get_channel("teams").provider
    assert isinstance(built, BotFrameworkTeamsProvider)
    assert isinstance(built.conversation_store, SQLiteConversationReferenceStore)
    await built.conversation_store.close()
    await kit.close()


async def test_a_channel_thread_and_the_botbuilder_adapter(
    wire: BotConnectorWire, provider: BotFrameworkTeamsProvider
) -> None:
    from botbuilder.core import BotFrameworkAdapter

    conversation = await provider.create_channel_conversation(
        wire.service_url, "19:general@thread.tacv2", tenant_id="wire-tenant", text="Deploy done"
    )
    created = wire.requests[-1].json()
    assert created["isGroup"] is True
    assert created["channelData"]["channel"]["id"] == "19:general@thread.tacv2"
    assert created["activity"]["text"] == "Deploy done"
    outcome = await provider.send(_event("follow-up in the thread"), conversation)
    assert outcome.success, outcome.error
    reference = await provider.conversation_store.get(conversation)
    assert reference is not None
    assert reference["conversation"]["conversationType"] == "channel"
    assert isinstance(provider.adapter, BotFrameworkAdapter)
    assert provider.adapter is provider.adapter
