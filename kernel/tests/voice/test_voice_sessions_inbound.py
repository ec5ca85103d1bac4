"""parse_voice_session + process_inbound connect a session; auth helpers."""

from __future__ import annotations

import pytest

from roomkit import HookTrigger, auth_context, parse_voice_session
from roomkit.errors import RoomNotFoundError, VoiceSessionError
from roomkit.voice import VoiceSession
from roomkit.voice.auth import authenticate

from .voicekit import make_voice_kit


async def test_process_inbound_of_a_session_connects_it_and_stores_nothing() -> None:
    vk = make_voice_kit()
    await vk.kit.create_room(room_id="room-1")
    await vk.kit.attach_channel("room-1", "voice")
    vk.record_hooks(HookTrigger.ON_SESSION_STARTED)
    session = vk.backend.track_session(VoiceSession.new("room-1", "caller", "voice"))
    message = parse_voice_session(session, "voice", metadata={"from": "+15551234567"})
    assert message.session is session
    assert message.metadata["from"] == "+15551234567"
    result = await vk.kit.process_inbound(message)
    assert result.room_id == "room-1"
    assert result.event is None
    assert vk.voice.sessions("room-1") == [session]
    assert vk.fired() == ["on_session_started"]
    assert await vk.kit.store.list_events("room-1") == []
    assert "session" not in message.model_dump()


async def test_a_session_without_a_room_needs_a_router() -> None:
    vk = make_voice_kit()
    session = VoiceSession.new("", "caller", "voice")
    with pytest.raises(RoomNotFoundError, match="room_router"):
        await vk.kit.process_inbound(parse_voice_session(session, "voice"))
    with pytest.raises(VoiceSessionError):
        parse_voice_session("nope", "voice")  # type: ignore[arg-type]


async def test_authenticate_and_auth_context() -> None:
    async def allow(credentials):  # type: ignore[no-untyped-def]
        return {"user": credentials["token"]} if credentials.get("token") else None

    assert await authenticate(allow, {"token": "t-1"}) == {"user": "t-1"}
    with pytest.raises(VoiceSessionError, match="refused"):
        await authenticate(allow, {})
    assert auth_context.get() is None
    token = auth_context.set({"user": "t-1"})
    try:
        assert auth_context.get() == {"user": "t-1"}
    finally:
        auth_context.reset(token)


async def test_hooks_of_a_turn_see_the_session_auth_context() -> None:
    vk = make_voice_kit(transcripts=["hello"])
    await vk.kit.create_room(room_id="room-1")
    await vk.kit.attach_channel("room-1", "voice")
    seen: list[object] = []

    async def who(event, ctx):  # type: ignore[no-untyped-def]
        seen.append(auth_context.get())

    vk.kit.add_hook(HookTrigger.BEFORE_BROADCAST, who)
    session = await vk.kit.connect_voice(
        "room-1", "caller", "voice", metadata={"auth": {"user": "alice"}}
    )
    await vk.speak(session)
    await vk.voice.drain(session)
    assert seen == [{"user": "alice"}]
    assert auth_context.get() is None
