"""A spoken round trip through VoiceChannel with the seed's triage -> advisor agents."""

from __future__ import annotations

from roomkit import HookTrigger
from roomkit.models.enums import ChannelDirection, EventType
from roomkit.voice.events import SessionStartedEvent, SpeechEndEvent, SpeechStartEvent

from .voicekit import make_voice_kit, seed_agents

TRIAGE_REPLY = "Let me transfer you to our advisor."
GREETING = "Hello, I am your financial advisor."


async def test_speech_in_agents_reply_spoken_with_their_voices() -> None:
    vk = make_voice_kit()
    await seed_agents(vk)
    vk.record_hooks(
        HookTrigger.ON_SESSION_STARTED,
        HookTrigger.ON_SPEECH_START,
        HookTrigger.ON_SPEECH_END,
        HookTrigger.ON_TRANSCRIPTION,
        HookTrigger.ON_TURN_COMPLETE,
        HookTrigger.BEFORE_TTS,
        HookTrigger.AFTER_TTS,
    )
    session = await vk.kit.connect_voice("room-1", "caller", "voice")
    await vk.speak(session)
    await vk.voice.drain(session)

    # stored: the transcript from the voice channel, the triage reply, the advisor's greeting
    events = await vk.kit.store.list_events("room-1")
    messages = [e for e in events if e.type is EventType.MESSAGE]
    assert [(e.source.channel_id, vk.voice.extract_text(e)) for e in messages] == [
        ("voice", "I need investment advice"),
        ("agent-triage", TRIAGE_REPLY),
        ("agent-advisor", GREETING),
    ]
    inbound = messages[0]
    assert inbound.source.direction is ChannelDirection.INBOUND
    assert inbound.source.participant_id == "caller"
    assert inbound.metadata["voice_session_id"] == session.id
    # the utterance went to STT once, the replies to TTS with each agent's own voice
    assert len(vk.stt.calls) == 1
    assert vk.tts.calls == [
        {"text": TRIAGE_REPLY, "voice": "voice-triage"},
        {"text": GREETING, "voice": "voice-advisor"},
    ]
    # what the backend played is exactly the synthesised speech, in order
    played = b"".join(pcm for sid, pcm in vk.backend.sent_audio if sid == session.id)
    expected = b"".join(vk.tts.word_audio(w) for w in f"{TRIAGE_REPLY} {GREETING}".split())
    assert played == expected
    # every hook fired once per step, in order, with its typed event
    assert vk.fired() == [
        "on_session_started",
        "on_speech_start",
        "on_speech_end",
        "on_transcription",
        "on_turn_complete",
        "before_tts",
        "after_tts",
        "before_tts",
        "after_tts",
    ]
    payloads = dict(vk.hooks[:3])
    assert isinstance(payloads["on_session_started"], SessionStartedEvent)
    assert isinstance(payloads["on_speech_start"], SpeechStartEvent)
    end = payloads["on_speech_end"]
    assert isinstance(end, SpeechEndEvent)
    assert end.session is session
    assert end.duration_ms >= 200  # the ten loud 20-ms frames (plus pre-roll and hangover)
    before = [p for name, p in vk.hooks if name == "before_tts"]
    assert [vk.voice.extract_text(p) for p in before] == [TRIAGE_REPLY, GREETING]
    assert before[0].metadata["agent_id"] == "agent-triage"


async def test_turn_latency_is_measured_on_the_injected_clock() -> None:
    vk = make_voice_kit()
    await seed_agents(vk)
    session = await vk.kit.connect_voice("room-1", "caller", "voice")
    await vk.speak(session)
    await vk.voice.drain(session)
    # nothing advanced the fake clock: the reply's first byte came "instantly"
    assert vk.voice.turn_latencies_ms(session) == [0.0]


async def test_disconnect_voice_ends_the_session_on_the_backend() -> None:
    vk = make_voice_kit()
    await seed_agents(vk)
    session = await vk.kit.connect_voice("room-1", "caller", "voice")
    assert vk.voice.sessions("room-1") == [session]
    await vk.kit.disconnect_voice(session)
    assert vk.voice.sessions("room-1") == []
    assert not session.is_active
    assert [c.method for c in vk.backend.calls] == ["connect", "disconnect"]
