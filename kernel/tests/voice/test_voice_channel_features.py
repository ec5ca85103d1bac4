"""VoiceChannel features beyond the plain round trip: streaming STT, turn detection, DTMF,
recordings, levels, batch mode, rate limits, greetings, streamed replies, kit helpers."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from roomkit import AIChannel, ChannelCategory, HookTrigger, MockAIProvider, RoomKit
from roomkit.errors import ConfigurationError, VoiceNotConfiguredError
from roomkit.models.enums import EventType
from roomkit.testing import MockSTTProvider, MockTTSProvider
from roomkit.voice import AudioFrame
from roomkit.voice.events import (
    AudioLevelEvent,
    DTMFDetectedEvent,
    PartialTranscriptionEvent,
    RecordingStartedEvent,
    RecordingStoppedEvent,
    TurnCompleteEvent,
    TurnIncompleteEvent,
)
from roomkit.voice.interruption import InterruptionStrategy
from roomkit.voice.pcm import tone
from roomkit.voice.pipeline import (
    AudioPipelineConfig,
    DTMFEvent,
    MockAudioRecorder,
    MockDTMFDetector,
    MockTurnDetector,
    MockVADProvider,
    RecordingConfig,
    TurnDecision,
    VADConfig,
    VADEvent,
    VADEventType,
)

from .conftest import ThresholdVAD, loud, quiet
from .voicekit import VoiceKit, make_voice_kit, seed_agents


async def room(vk: VoiceKit) -> None:
    await vk.kit.create_room(room_id="room-1")
    await vk.kit.attach_channel("room-1", "voice")


async def messages(vk: VoiceKit) -> list[str]:
    events = await vk.kit.store.list_events("room-1")
    return [vk.voice.extract_text(e) for e in events if e.type is EventType.MESSAGE]


async def test_streaming_stt_fires_partials_and_routes_the_final_transcript() -> None:
    stt = MockSTTProvider(["book a table for two"], streaming=True, partials=True)
    vk = make_voice_kit(stt=stt)
    await room(vk)
    vk.record_hooks(HookTrigger.ON_PARTIAL_TRANSCRIPTION, HookTrigger.ON_TRANSCRIPTION)
    session = await vk.kit.connect_voice("room-1", "caller", "voice")
    await vk.speak(session)
    await vk.voice.drain(session)
    partials = [p for name, p in vk.hooks if name == "on_partial_transcription"]
    assert [p.text for p in partials] == [
        "book",
        "book a",
        "book a table",
        "book a table for",
        "book a table for two",
    ]
    assert all(isinstance(p, PartialTranscriptionEvent) for p in partials)
    assert vk.fired()[-1] == "on_transcription"
    assert await messages(vk) == ["book a table for two"]


async def test_streaming_stt_hears_the_onset_the_vad_confirmed_late() -> None:
    """A VAD that confirms speech on the third loud frame hands the first two (its onset)
    with SPEECH_START; the stream gets them first, then the rest: the whole utterance, once."""
    onset = [AudioFrame(bytes([n]) * 640) for n in (1, 2)]
    later = [AudioFrame(bytes([n]) * 640) for n in (3, 4, 5)]
    start = VADEvent(VADEventType.SPEECH_START, audio_bytes=b"".join(f.data for f in onset))
    vad = MockVADProvider([None, None, start, None, VADEvent(VADEventType.SPEECH_END)])
    stt = MockSTTProvider(["hello"], streaming=True)
    pipeline = AudioPipelineConfig(vad=vad, vad_config=VADConfig(speech_pad_ms=0))
    vk = make_voice_kit(stt=stt, pipeline=pipeline)
    await room(vk)
    session = await vk.kit.connect_voice("room-1", "caller", "voice")
    for frame in onset + later:
        await vk.backend.simulate_audio_received(session, frame)
    await vk.voice.drain(session)
    streamed = b"".join(chunk.data for chunk in stt.calls)
    assert streamed == b"".join(f.data for f in onset + later)
    assert await messages(vk) == ["hello"]


async def test_an_incomplete_turn_is_held_and_joined_with_the_next() -> None:
    turn = MockTurnDetector([TurnDecision(is_complete=False, confidence=0.4)])
    pipeline = AudioPipelineConfig(vad=ThresholdVAD(), turn_detector=turn)
    vk = make_voice_kit(transcripts=["I would like", "a large pizza"], pipeline=pipeline)
    await room(vk)
    vk.record_hooks(HookTrigger.ON_TURN_INCOMPLETE, HookTrigger.ON_TURN_COMPLETE)
    session = await vk.kit.connect_voice("room-1", "caller", "voice")
    await vk.speak(session)
    await vk.voice.drain(session)
    assert await messages(vk) == []
    (held,) = [p for _, p in vk.hooks]
    assert isinstance(held, TurnIncompleteEvent)
    assert held.text == "I would like"
    await vk.speak(session)
    await vk.voice.drain(session)
    assert await messages(vk) == ["I would like a large pizza"]
    assert isinstance(vk.hooks[-1][1], TurnCompleteEvent)
    assert turn.evaluations[-1].transcript == "I would like a large pizza"


async def test_a_held_turn_is_sent_when_the_hold_time_passes_on_the_clock() -> None:
    turn = MockTurnDetector([TurnDecision(is_complete=False)])
    pipeline = AudioPipelineConfig(vad=ThresholdVAD(), turn_detector=turn)
    vk = make_voice_kit(transcripts=["so um"], pipeline=pipeline, max_hold_ms=2000)
    await room(vk)
    session = await vk.kit.connect_voice("room-1", "caller", "voice")
    await vk.speak(session)
    await vk.voice.drain(session)
    await vk.backend.simulate_audio_received(session, quiet())
    assert await messages(vk) == []  # 0 ms held
    vk.clock.advance(2.5)
    await vk.backend.simulate_audio_received(session, quiet())
    assert await messages(vk) == ["so um"]


async def test_dtmf_and_recordings_fire_hooks_and_are_stored_unbroadcast() -> None:
    dtmf = MockDTMFDetector([None, DTMFEvent("5", 80.0)])
    recorder = MockAudioRecorder()
    pipeline = AudioPipelineConfig(
        vad=ThresholdVAD(), dtmf=dtmf, recorder=recorder, recording_config=RecordingConfig()
    )
    vk = make_voice_kit(pipeline=pipeline)
    await room(vk)
    vk.record_hooks(
        HookTrigger.ON_DTMF, HookTrigger.ON_RECORDING_STARTED, HookTrigger.ON_RECORDING_STOPPED
    )
    session = await vk.kit.connect_voice("room-1", "caller", "voice")
    await vk.backend.simulate_audio_received(session, quiet())
    await vk.backend.simulate_audio_received(session, quiet())
    await vk.kit.disconnect_voice(session)
    kinds = [type(p) for _, p in vk.hooks]
    assert kinds == [RecordingStartedEvent, DTMFDetectedEvent, RecordingStoppedEvent]
    assert vk.hooks[1][1].digit == "5"
    events = await vk.kit.store.list_events("room-1")
    stored = [(e.type, e.content.data) for e in events]
    assert [t for t, _ in stored] == [
        EventType.RECORDING_STARTED,
        EventType.DTMF,
        EventType.RECORDING_STOPPED,
    ]
    assert stored[1][1]["digit"] == "5"
    assert all(e.visibility == "none" for e in events)


async def test_input_and_output_levels_fire_their_hooks() -> None:
    vk = make_voice_kit()
    await room(vk)
    vk.record_hooks(HookTrigger.ON_INPUT_AUDIO_LEVEL, HookTrigger.ON_OUTPUT_AUDIO_LEVEL)
    session = await vk.kit.connect_voice("room-1", "caller", "voice")
    for _ in range(10):  # 200 ms in: two level reports
        await vk.backend.simulate_audio_received(session, loud())
    await vk.voice.say(session, "Hello there, nice to meet you.")
    await vk.voice.pipeline.drain()
    levels = [p for _, p in vk.hooks]
    assert all(isinstance(p, AudioLevelEvent) for p in levels)
    directions = {p.direction for p in levels}
    assert directions == {"inbound", "outbound"}
    assert vk.fired().count("on_input_audio_level") == 2


async def test_batch_mode_buffers_until_flush_stt() -> None:
    vk = make_voice_kit(transcripts=["batched words"], batch_mode=True)
    await room(vk)
    session = await vk.kit.connect_voice("room-1", "caller", "voice")
    for _ in range(5):
        await vk.backend.simulate_audio_received(session, loud())
    assert vk.voice.stt_buffer_size(session) == 5 * 640
    assert vk.stt.calls == []
    assert await vk.voice.flush_stt(session) == "batched words"
    assert vk.voice.stt_buffer_size(session) == 0
    assert await messages(vk) == []  # not routed
    for _ in range(2):
        await vk.backend.simulate_audio_received(session, loud())
    await vk.voice.flush_stt(session, route=True)
    assert await messages(vk) == ["batched words"]
    vk.voice.clear_stt_buffer(session)
    assert await vk.voice.flush_stt(session) == ""


async def test_frames_beyond_the_rate_limit_are_dropped() -> None:
    vk = make_voice_kit(batch_mode=True, max_audio_frames_per_second=3)
    await room(vk)
    session = await vk.kit.connect_voice("room-1", "caller", "voice")
    for _ in range(5):
        await vk.backend.simulate_audio_received(session, loud())
    assert vk.voice.stt_buffer_size(session) == 3 * 640
    vk.clock.advance(1.0)
    await vk.backend.simulate_audio_received(session, loud())
    assert vk.voice.stt_buffer_size(session) == 4 * 640


async def test_auto_greet_speaks_the_active_agents_greeting() -> None:
    vk = make_voice_kit()
    triage, advisor = await seed_agents(vk)
    advisor.greeting = None
    triage.greeting = "Greet the caller."
    triage.provider = MockAIProvider(["Welcome to the bank."])
    session = await vk.kit.connect_voice("room-1", "caller", "voice", auto_greet=True)
    await vk.voice.drain(session)
    assert vk.tts.calls == [{"text": "Welcome to the bank.", "voice": "voice-triage"}]


async def test_deliver_stream_speaks_each_sentence_as_it_completes() -> None:
    vk = make_voice_kit()
    await room(vk)
    session = await vk.kit.connect_voice("room-1", "caller", "voice")
    context = await vk.kit.build_context("room-1")
    binding = await vk.kit.get_binding("room-1", "voice")
    spoken_before_end: list[int] = []

    async def tokens() -> AsyncIterator[str]:
        for piece in ["The first sentence ", "is here. ", "And the second one ", "follows."]:
            yield piece
        spoken_before_end.append(len(vk.tts.calls) + vk.voice._live[session.id].player.queued)

    from roomkit import RoomEvent, TextContent
    from roomkit.models.enums import ChannelDirection, ChannelType
    from roomkit.models.event import EventSource

    event = RoomEvent(
        room_id="room-1",
        source=EventSource(
            channel_id="ai", channel_type=ChannelType.AI, direction=ChannelDirection.OUTBOUND
        ),
        content=TextContent(body=""),
    )
    await vk.voice.deliver_stream(tokens(), event, binding, context)
    await vk.voice.drain(session)
    assert spoken_before_end[0] >= 1  # the first sentence was queued before the stream ended
    assert [c["text"] for c in vk.tts.calls] == [
        "The first sentence is here.",
        "And the second one follows.",
    ]


async def test_kit_transcribe_synthesize_and_component_checks() -> None:
    stt, tts = MockSTTProvider(["hi"]), MockTTSProvider()
    kit = RoomKit(stt=stt, tts=tts)
    assert (kit.stt, kit.tts, kit.voice) == (stt, tts, None)
    assert (await kit.transcribe(AudioFrame(tone(440, 100, 16000)))).text == "hi"
    audio = await kit.synthesize("hello", voice="v1")
    assert audio.transcript == "hello"
    assert tts.calls == [{"text": "hello", "voice": "v1"}]
    with pytest.raises(VoiceNotConfiguredError):
        await RoomKit().transcribe(AudioFrame(tone(440, 100, 16000)))
    with pytest.raises(ConfigurationError, match="stt must be"):
        RoomKit(stt=tts)  # type: ignore[arg-type]


async def test_a_voice_binding_in_two_rooms_keeps_their_sessions_apart() -> None:
    vk = make_voice_kit(transcripts=["hello"])
    kit = vk.kit
    for rid in ("room-a", "room-b"):
        await kit.create_room(room_id=rid)
        await kit.attach_channel(rid, "voice")
        kit.register_channel(AIChannel(f"ai-{rid}", provider=MockAIProvider([f"in {rid}"])))
        await kit.attach_channel(rid, f"ai-{rid}", category=ChannelCategory.INTELLIGENCE)
    a = await kit.connect_voice("room-a", "x", "voice")
    b = await kit.connect_voice("room-b", "y", "voice")
    await vk.speak(a)
    await vk.voice.drain()
    assert [sid for sid, _ in vk.backend.sent_audio] == [a.id]
    assert b.id not in {sid for sid, _ in vk.backend.sent_audio}


async def test_a_voice_channel_is_built_by_name_from_named_components() -> None:
    from roomkit.plugins import create_component

    channel = create_component(
        "channel",
        "voice",
        {"channel_id": "phone", "stt": "mock", "tts": "mock", "backend": "mock",
         "stt_config": {"transcripts": ["by name"]}, "interruption": "immediate"},
    )  # fmt: skip
    assert channel.interruption.strategy is InterruptionStrategy.IMMEDIATE
    assert (channel.stt.name, channel.tts.name, channel.backend.name) == (
        "MockSTTProvider",
        "MockTTSProvider",
        "MockVoiceBackend",
    )
    with pytest.raises(ConfigurationError):
        create_component("channel", "voice", {"channel_id": "phone", "interruption": "loud"})


async def test_vad_silence_vad_level_and_speaker_change_fire_their_hooks() -> None:
    from roomkit.voice.events import SpeakerChangeEvent, VADAudioLevelEvent, VADSilenceEvent
    from roomkit.voice.pipeline import (
        DiarizationResult,
        MockDiarizationProvider,
        MockVADProvider,
        VADEvent,
        VADEventType,
    )

    vad = MockVADProvider(
        [
            VADEvent(VADEventType.AUDIO_LEVEL, level_db=-20.0),
            VADEvent(VADEventType.SPEECH_START),
            VADEvent(VADEventType.SPEECH_END),
            VADEvent(VADEventType.SILENCE, duration_ms=600.0),
        ]
    )
    diarizer = MockDiarizationProvider([None, DiarizationResult("spk-1", 0.9, True)])
    vk = make_voice_kit(pipeline=AudioPipelineConfig(vad=vad, diarization=diarizer))
    await room(vk)
    vk.record_hooks(
        HookTrigger.ON_VAD_AUDIO_LEVEL,
        HookTrigger.ON_SPEAKER_CHANGE,
        HookTrigger.ON_VAD_SILENCE,
    )
    session = await vk.kit.connect_voice("room-1", "caller", "voice")
    for _ in range(4):
        await vk.backend.simulate_audio_received(session, loud())
    await vk.voice.drain(session)
    kinds = [type(p) for _, p in vk.hooks]
    assert kinds == [VADAudioLevelEvent, SpeakerChangeEvent, VADSilenceEvent]
    level, speaker, silence_event = (p for _, p in vk.hooks)
    assert level.level_db == -20.0
    assert (speaker.speaker_id, speaker.is_new_speaker) == ("spk-1", True)
    assert silence_event.silence_duration_ms == 600
    assert all(p.session is session for _, p in vk.hooks)


async def test_a_streaming_stt_hears_the_pre_roll_and_the_whole_utterance() -> None:
    stt = MockSTTProvider(["hello"], streaming=True)
    vk = make_voice_kit(stt=stt)
    await room(vk)
    vk.record_hooks(HookTrigger.ON_SPEECH_END)
    session = await vk.kit.connect_voice("room-1", "caller", "voice")
    for _ in range(20):  # 400 ms of silence before the caller speaks
        await vk.backend.simulate_audio_received(session, quiet())
    await vk.speak(session)
    await vk.voice.drain(session)
    (end,) = [p for _, p in vk.hooks]
    streamed = b"".join(chunk.data for chunk in stt.calls)
    assert streamed == end.audio.data  # pre-roll (300 ms) + speech + hangover, in order
    assert len(streamed) == (15 + 10 + 3) * 640
