"""RealtimeVoiceChannel with the mock provider and transport: audio both ways, transcripts
stored, tool calls answered, handoffs reconfigure the live session."""

from __future__ import annotations

from typing import Any

import pytest

from roomkit import (
    HookExecution,
    HookTrigger,
    MockRealtimeProvider,
    MockRealtimeTransport,
    RealtimeToolCallEvent,
    RealtimeVoiceChannel,
    RoomKit,
)
from roomkit.errors import VoiceSessionError
from roomkit.models.enums import EventType
from roomkit.voice.pcm import tone


async def realtime_kit(**kwargs: Any) -> tuple[RoomKit, RealtimeVoiceChannel, Any, Any, list]:
    provider, transport = MockRealtimeProvider(), MockRealtimeTransport()
    channel = RealtimeVoiceChannel(
        "rt",
        provider=provider,
        transport=transport,
        system_prompt="Be brief.",
        voice="alloy",
        **kwargs,
    )
    kit = RoomKit()
    kit.register_channel(channel)
    await kit.create_room(room_id="room-1")
    await kit.attach_channel("room-1", "rt")
    fired: list = []
    for trigger in (
        HookTrigger.ON_SESSION_STARTED,
        HookTrigger.ON_SPEECH_START,
        HookTrigger.ON_TRANSCRIPTION,
        HookTrigger.ON_REALTIME_TOOL_CALL,
        HookTrigger.ON_REALTIME_TEXT_INJECTED,
        HookTrigger.ON_ERROR,
    ):

        async def hook(payload: Any, ctx: Any, trigger: HookTrigger = trigger) -> None:
            fired.append((str(trigger), payload))

        kit.add_hook(trigger, hook, execution=HookExecution.SYNC, name=f"r-{trigger}")
    return kit, channel, provider, transport, fired


async def test_a_spoken_conversation_through_the_realtime_provider() -> None:
    kit, channel, provider, transport, fired = await realtime_kit()
    session = await kit.connect_realtime_voice("room-1", "caller", "rt", connection="ws-1")
    assert provider.sessions[session.id]["system_prompt"] == "Be brief."
    assert provider.sessions[session.id]["voice"] == "alloy"
    caller = tone(440, 20, 16000)
    await transport.simulate_client_audio(session, caller)
    assert provider.sent_audio == [(session.id, caller)]
    await provider.simulate_speech_start(session)
    await provider.simulate_transcription(session, "What is my balance?", "user")
    answer = tone(300, 40, 16000)
    await provider.simulate_audio(session, answer)
    await provider.simulate_transcription(session, "Your balance is 42 dollars.", "assistant")
    assert transport.sent_audio == [(session.id, answer)]
    events = await kit.store.list_events("room-1")
    texts = [
        (e.source.participant_id, channel.extract_text(e))
        for e in events
        if e.type is EventType.MESSAGE
    ]
    assert texts == [("caller", "What is my balance?"), (None, "Your balance is 42 dollars.")]
    assert [name for name, _ in fired] == [
        "on_session_started",
        "on_speech_start",
        "on_transcription",
        "on_transcription",
    ]
    await kit.disconnect_realtime_voice(session)
    assert session.id not in provider.sessions
    assert channel.get_room_sessions("room-1") == []


async def test_tool_calls_are_answered_by_the_handler_and_truncated() -> None:
    async def handler(session: Any, name: str, arguments: dict[str, Any]) -> Any:
        return {"balance": 42, "account": arguments["account"], "pad": "x" * 100}

    kit, _channel, provider, _transport, fired = await realtime_kit(
        tool_handler=handler, tool_result_max_length=40
    )
    session = await kit.connect_realtime_voice("room-1", "caller", "rt", connection=None)
    await provider.simulate_tool_call(session, "call-7", "get_balance", {"account": "A1"})
    (call,) = [c for c in provider.calls if c.method == "submit_tool_result"]
    assert call.args["call_id"] == "call-7"
    assert call.args["result"].startswith('{"balance": 42, "account": "A1"')
    assert len(call.args["result"]) == 40
    tool = [p for name, p in fired if name == "on_realtime_tool_call"]
    assert isinstance(tool[0], RealtimeToolCallEvent)
    assert tool[0].arguments == {"account": "A1"}


async def test_a_failing_tool_is_reported_and_answered_with_an_error() -> None:
    async def handler(session: Any, name: str, arguments: dict[str, Any]) -> Any:
        raise RuntimeError("database down")

    kit, _channel, provider, _transport, fired = await realtime_kit(tool_handler=handler)
    session = await kit.connect_realtime_voice("room-1", "caller", "rt", connection=None)
    await provider.simulate_tool_call(session, "c1", "lookup")
    (call,) = [c for c in provider.calls if c.method == "submit_tool_result"]
    assert "failed" in call.args["result"]
    assert "on_error" in [name for name, _ in fired]


async def test_inject_text_handoff_and_client_hangup() -> None:
    kit, channel, provider, transport, fired = await realtime_kit()
    session = await kit.connect_realtime_voice("room-1", "caller", "rt", connection=None)
    await channel.inject_text(session, "The caller is a VIP.", role="system")
    assert "on_realtime_text_injected" in [name for name, _ in fired]

    class Advisor:
        channel_id = "agent-advisor"
        greeting = "Introduce yourself as the advisor."

    await channel.apply_agent_handoff(
        "room-1",
        Advisor(),
        system_prompt="You advise.",
        voice="verse",
        greet=True,  # type: ignore[arg-type]
    )
    assert provider.sessions[session.id]["voice"] == "verse"
    assert provider.sessions[session.id]["system_prompt"] == "You advise."
    assert provider.calls[-1].args == {"text": Advisor.greeting, "role": "system"}
    await transport.simulate_client_disconnect(session)
    assert session.id not in provider.sessions
    with pytest.raises(VoiceSessionError):
        await channel.inject_text(session, "still there?")


async def test_audio_at_the_wrong_rate_is_reported_once_and_dropped() -> None:
    kit, _channel, provider, transport, fired = await realtime_kit()
    session = await kit.connect_realtime_voice("room-1", "caller", "rt", connection=None)
    from roomkit.voice import AudioFrame

    for _ in range(3):
        await transport.deliver_audio(session, AudioFrame(tone(440, 20, 8000), 8000))
    assert provider.sent_audio == []
    assert [name for name, _ in fired].count("on_error") == 1
