"""The silero VAD (sherpa-onnx) on real speech: segments, pre-roll, sessions, bad input."""

from __future__ import annotations

import asyncio

import numpy as np
import pytest
from roomkit_sherpa_onnx import SherpaOnnxVADConfig, SherpaOnnxVADProvider

from roomkit.errors import AudioFormatError, ConfigurationError
from roomkit.voice.audio_frame import AudioFrame, split_frames
from roomkit.voice.base import VoiceSession
from roomkit.voice.pcm import silence, tone
from roomkit.voice.pipeline import AudioPipeline, AudioPipelineConfig
from roomkit.voice.stage import bind_stage
from roomkit_conformance.speech import spoken


def _session(name: str = "s") -> VoiceSession:
    return VoiceSession.new("room", f"caller-{name}", "voice")


def _events(vad: SherpaOnnxVADProvider, data: bytes) -> list[tuple[str, int, int]]:
    out = []
    for index, frame in enumerate(split_frames(data, 16000, frame_ms=20)):
        event = vad.process(frame)
        if event is not None:
            out.append((event.type.value, index, len(event.audio_bytes or b"")))
    end = vad.flush()
    if end is not None:
        out.append((end.type.value, -1, len(end.audio_bytes or b"")))
    return out


@pytest.fixture(scope="module")
def template() -> SherpaOnnxVADProvider:
    return SherpaOnnxVADProvider(SherpaOnnxVADConfig.silero())


def test_finds_the_spoken_sentence(template: SherpaOnnxVADProvider) -> None:
    speech = spoken("Your table is booked for eight", pad_ms=1000)
    events = _events(bind_stage(template, _session()), speech.data)
    assert [e[0] for e in events] == ["speech_start", "speech_end"]
    voiced_ms = len(speech.data) / 32 - 2000
    start_ms = events[0][1] * 20
    assert 1000 <= start_ms <= 1400  # onset confirmed soon after the 1 s of silence
    utterance_ms = events[1][2] / 32
    assert voiced_ms - 100 <= utterance_ms <= voiced_ms + 300 + 100 + 500 + 100


def test_a_pure_tone_and_silence_are_not_speech(template: SherpaOnnxVADProvider) -> None:
    vad = bind_stage(template, _session())
    assert _events(vad, silence(1000) + tone(1000, 1500, amplitude=0.3) + silence(800)) == []


def test_two_utterances_and_reuse_of_a_closed_sessions_detector(
    template: SherpaOnnxVADProvider,
) -> None:
    first = spoken("Hello there", pad_ms=0)
    second = spoken("Goodbye now", pad_ms=0)
    audio = silence(500) + first.data + silence(1000) + second.data + silence(1000)
    vad = bind_stage(template, _session("a"))
    events = _events(vad, audio)
    assert [e[0] for e in events] == ["speech_start", "speech_end"] * 2
    vad.close()  # its detector goes back to the pool, reset
    again = bind_stage(template, _session("b"))
    assert [e[:2] for e in _events(again, audio)] == [e[:2] for e in events]


def test_rejects_other_rates_and_bad_configs(template: SherpaOnnxVADProvider) -> None:
    vad = bind_stage(template, _session())
    with pytest.raises(AudioFormatError, match="16000 Hz"):
        vad.process(AudioFrame(silence(20, 8000), 8000))
    with pytest.raises(ConfigurationError, match="model_type"):
        SherpaOnnxVADConfig(model_type="webrtc")
    with pytest.raises(ConfigurationError, match="does not exist"):
        SherpaOnnxVADProvider(SherpaOnnxVADConfig(model="/nonexistent.onnx", model_type="silero"))
    with pytest.raises(ConfigurationError, match="SherpaOnnxVADConfig"):
        SherpaOnnxVADProvider("silero")  # type: ignore[arg-type]


async def test_concurrent_sessions_through_the_pipeline_keep_their_own_speech(
    template: SherpaOnnxVADProvider,
) -> None:
    """Eight calls interleaved frame by frame, each with its own sentence and timing."""
    pipeline = AudioPipeline(AudioPipelineConfig(vad=template))
    heard: dict[str, list[bytes]] = {}
    pipeline.on_speech_end(lambda session, audio: heard.setdefault(session.id, []).append(audio))
    sessions = [_session(str(n)) for n in range(8)]
    streams = []
    for n, session in enumerate(sessions):
        pipeline.on_session_active(session)
        sentence = spoken(f"Please call me at {n + 2} o'clock", pad_ms=0)
        data = silence(200 + 100 * n) + sentence.data + silence(900)
        streams.append((sentence.data, list(split_frames(data, 16000, frame_ms=20))))
    for step in range(max(len(frames) for _, frames in streams)):
        for session, (_, frames) in zip(sessions, streams, strict=True):
            if step < len(frames):
                await pipeline.process_inbound_async(session, frames[step])
    await asyncio.sleep(0)
    for session, (voiced, _) in zip(sessions, streams, strict=True):
        assert len(heard.get(session.id, [])) == 1, session.participant_id
        utterance = np.frombuffer(heard[session.id][0], "<i2")
        marker = np.frombuffer(voiced, "<i2")[3200:4800]
        windows = np.lib.stride_tricks.sliding_window_view(utterance, len(marker))
        assert (windows == marker).all(axis=1).any(), "another call's audio in this utterance"
    for session in sessions:
        pipeline.on_session_ended(session)
