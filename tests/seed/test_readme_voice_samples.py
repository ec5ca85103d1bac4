"""The voice samples of the RoomKit 0.6.7 README ("Audio Pipeline", "Voice Orchestration"),
run against this project with the kernel's mock speech components standing in for the names
the README leaves to the reader (``my_vad``, ``stt``, ``backend`` ...)."""

from __future__ import annotations

from roomkit import (
    Agent,
    ChannelCategory,
    ConversationPipeline,
    ConversationState,
    MockAIProvider,
    PipelineStage,
    RoomKit,
    set_conversation_state,
)
from roomkit.models.enums import EventType
from roomkit.testing import (
    MockAECProvider,
    MockAGCProvider,
    MockAudioRecorder,
    MockDenoiserProvider,
    MockDiarizationProvider,
    MockDTMFDetector,
    MockSTTProvider,
    MockTTSProvider,
    MockTurnDetector,
    MockVADProvider,
    MockVoiceBackend,
)
from roomkit.voice import AudioFrame
from roomkit.voice.pcm import tone
from roomkit.voice.pipeline import VADEvent, VADEventType


async def test_audio_pipeline_sample_builds_a_voice_channel_that_hears_and_speaks() -> None:
    # what the README leaves to the reader
    my_vad = MockVADProvider(
        [None, VADEvent(VADEventType.SPEECH_START), None, VADEvent(VADEventType.SPEECH_END)]
    )
    my_denoiser, my_aec, my_agc = MockDenoiserProvider(), MockAECProvider(), MockAGCProvider()
    my_diarizer, my_dtmf, my_recorder = (
        MockDiarizationProvider(),
        MockDTMFDetector(),
        MockAudioRecorder(),
    )
    my_turn_detector = MockTurnDetector()
    stt, tts, backend = MockSTTProvider(["Hello there"]), MockTTSProvider(), MockVoiceBackend()

    # --- the README sample, as written ---
    from roomkit import VoiceChannel
    from roomkit.voice.interruption import InterruptionConfig, InterruptionStrategy
    from roomkit.voice.pipeline import AudioPipelineConfig, VADConfig

    pipeline = AudioPipelineConfig(
        vad=my_vad, denoiser=my_denoiser, aec=my_aec,
        agc=my_agc, diarization=my_diarizer, dtmf=my_dtmf,
        recorder=my_recorder, turn_detector=my_turn_detector,
        vad_config=VADConfig(silence_threshold_ms=500),
    )  # fmt: skip
    voice = VoiceChannel(
        "voice", stt=stt, tts=tts, backend=backend,
        pipeline=pipeline,
        interruption=InterruptionConfig(strategy=InterruptionStrategy.CONFIRMED, min_speech_ms=300),
    )  # fmt: skip
    # --- end of the sample ---

    kit = RoomKit()
    kit.register_channel(voice)
    kit.register_channel(Agent("agent", provider=MockAIProvider(["Hi! How can I help?"])))
    await kit.create_room(room_id="call")
    await kit.attach_channel("call", "voice")
    await kit.attach_channel("call", "agent", category=ChannelCategory.INTELLIGENCE)
    session = await kit.connect_voice("call", "caller", "voice")
    for _ in range(4):
        await backend.simulate_audio_received(session, AudioFrame(tone(440, 20, 16000)))
    await voice.drain(session)
    events = await kit.store.list_events("call")
    texts = [voice.extract_text(e) for e in events if e.type is EventType.MESSAGE]
    assert texts == ["Hello there", "Hi! How can I help?"]
    assert tts.calls == [{"text": "Hi! How can I help?", "voice": "mock-voice"}]
    assert len(my_turn_detector.evaluations) == 1


async def test_voice_orchestration_handoff_on_a_live_call_keeps_the_session() -> None:
    backend = MockVoiceBackend()
    tts = MockTTSProvider()
    from roomkit import VoiceChannel

    voice = VoiceChannel("voice", stt=MockSTTProvider(), tts=tts, backend=backend)
    kit = RoomKit()
    kit.register_channel(voice)
    triage = Agent("agent-triage", role="Triage receptionist", voice="Zephyr")
    advisor = Agent(
        "agent-advisor",
        provider=MockAIProvider(responses=["Advisor here, how can I help?"]),
        role="Advisor",
        voice="Puck",
        greeting="Introduce yourself.",
    )
    kit.register_channel(triage)
    kit.register_channel(advisor)
    pipeline = ConversationPipeline(
        stages=[
            PipelineStage(phase="intake", agent_id="agent-triage", next="handling"),
            PipelineStage(phase="handling", agent_id="agent-advisor", next=None),
        ]
    )
    router, handler = pipeline.install(  # noqa: RUF059 - as the README writes it
        kit, [triage, advisor], greet_on_handoff=True, voice_channel_id="voice"
    )
    await kit.create_room(room_id="room-1")
    await kit.attach_channel("room-1", "voice")
    await kit.attach_channel("room-1", "agent-triage", category=ChannelCategory.INTELLIGENCE)
    await kit.attach_channel("room-1", "agent-advisor", category=ChannelCategory.INTELLIGENCE)
    room = await kit.get_room("room-1")
    room = set_conversation_state(
        room, ConversationState(phase="intake", active_agent_id="agent-triage")
    )
    await kit.store.update_room(room)
    session = await kit.connect_voice("room-1", "caller", "voice")
    result = await handler.handle(
        room_id="room-1",
        calling_agent_id="agent-triage",
        arguments={"target": "agent-advisor", "reason": "needs advice"},
    )
    assert result.accepted
    await voice.drain(session)
    # the same session heard the new agent's greeting in the new agent's voice
    assert tts.calls == [{"text": "Advisor here, how can I help?", "voice": "Puck"}]
    assert voice.sessions("room-1") == [session]
    await handler.set_language("room-1", "French", channel_id="voice")
