"""A developer talks to a room's agent through LocalAudioBackend (fake sound card).

Speech fed to the fake microphone goes through VoiceChannel (VAD -> STT -> the room -> the
agent -> TTS) and the reply comes out of the fake speaker; plugin discovery and
create-by-name work like every other component.
"""

from __future__ import annotations

import asyncio

import pytest
from roomkit_local_audio import LocalAudioBackend
from roomkit_local_audio.testing import FakeStreamFactory
from roomkit_local_audio.testing import wait_until as until

from roomkit import Agent, ChannelCategory, EventType, MockAIProvider, RoomKit, VoiceChannel
from roomkit.plugins.factory import create_component
from roomkit.testing import MockSTTProvider, MockTTSProvider
from roomkit.voice.audio_frame import AudioFrame
from roomkit.voice.base import VoiceSessionState
from roomkit.voice.pcm import rms, silence, tone
from roomkit.voice.pipeline import AudioPipelineConfig
from roomkit.voice.pipeline.vad.base import VADEvent, VADEventType, VADProvider

pytestmark = pytest.mark.asyncio


class LevelVAD(VADProvider):
    """Speech while the frame is louder than ``threshold``, ended after 3 quiet frames."""

    def __init__(self, threshold: float = 500.0) -> None:
        self.threshold = threshold
        self.speaking = False
        self.quiet = 0

    def process(self, frame: AudioFrame) -> VADEvent | None:
        if rms(frame.data) > self.threshold:
            self.quiet = 0
            if not self.speaking:
                self.speaking = True
                return VADEvent(VADEventType.SPEECH_START, confidence=1.0)
            return None
        if self.speaking:
            self.quiet += 1
            if self.quiet >= 3:
                self.speaking = False
                self.quiet = 0
                return VADEvent(VADEventType.SPEECH_END)
        return None

    def reset(self) -> None:
        self.speaking = False
        self.quiet = 0


async def test_speech_into_the_microphone_gets_the_agent_reply_on_the_speaker() -> None:
    factory = FakeStreamFactory(autoplay=True)
    backend = LocalAudioBackend(
        output_sample_rate=16000, mute_mic_during_playback=False, stream_factory=factory
    )
    tts = MockTTSProvider(sample_rate=16000)
    voice = VoiceChannel(
        "voice",
        stt=MockSTTProvider(["what are your opening hours"]),
        tts=tts,
        backend=backend,
        pipeline=AudioPipelineConfig(vad=LevelVAD()),
    )
    kit = RoomKit()
    kit.register_channel(voice)
    agent = Agent("agent", provider=MockAIProvider(responses=["We open at nine."]))
    kit.register_channel(agent)
    await kit.create_room(room_id="room")
    await kit.attach_channel("room", "voice")
    await kit.attach_channel("room", "agent", category=ChannelCategory.INTELLIGENCE)

    session = await kit.connect_voice("room", "developer", "voice")
    await backend.start_listening(session)
    (mic,) = factory.of_kind("input")
    await asyncio.to_thread(mic.feed, tone(300, 300, 16000) + silence(200, 16000))

    async def texts() -> list[str]:
        events = await kit.store.list_events("room")
        return [voice.extract_text(e) for e in events if e.type is EventType.MESSAGE]

    heard: list[str] = []

    async def refresh() -> None:
        heard[:] = await texts()

    async with asyncio.timeout(20):
        while "We open at nine." not in heard:
            await refresh()
            await asyncio.sleep(0.01)
    assert heard[0] == "what are your opening hours"
    await until(lambda: backend.stats(session)["bytes_played"] > 0, "reply played")
    await voice.drain(session)
    assert [c["text"] for c in tts.calls] == ["We open at nine."]
    (speaker,) = factory.of_kind("output")
    assert rms(bytes(speaker.played)) > 0
    assert backend.stats(session)["frames_dropped"] == 0

    await kit.disconnect_voice(session)
    assert session.state is VoiceSessionState.ENDED
    assert mic.closed
    assert speaker.closed
    await kit.close()


async def test_the_plugin_registers_voice_backend_local() -> None:
    factory = FakeStreamFactory()
    backend = create_component(
        "voice_backend", "local", {"output_sample_rate": 48000, "stream_factory": factory}
    )
    assert isinstance(backend, LocalAudioBackend)
    assert backend.output_sample_rate == 48000
    import roomkit

    assert roomkit.LocalAudioBackend is LocalAudioBackend
