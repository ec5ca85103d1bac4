"""The local speech plugins together, with real models: speech made by espeak-ng goes through
the audio pipeline (soxr + AGC + silero VAD) to Whisper, and Piper's speech is transcribed
back by Whisper."""

from __future__ import annotations

import asyncio
import re

import pytest

from roomkit.voice.audio_frame import AudioFrame, split_frames
from roomkit.voice.base import VoiceSession
from roomkit.voice.pcm import silence
from roomkit.voice.pipeline import AudioFormat, AudioPipeline, AudioPipelineConfig
from roomkit.voice.pipeline.config import AudioPipelineContract
from roomkit.voice.wav import frame_from_audio_content
from roomkit_conformance.speech import spoken

roomkit_audio = pytest.importorskip("roomkit_audio")
sherpa = pytest.importorskip("roomkit_sherpa_onnx")
whisper_testing = pytest.importorskip("roomkit_whisper.testing")
sherpa_testing = pytest.importorskip("roomkit_sherpa_onnx.testing")


def _words(text: str) -> list[str]:
    return re.findall(r"[a-z0-9']+", text.lower())


async def test_spoken_calls_at_48k_are_segmented_and_transcribed() -> None:
    """Three calls at 48 kHz, interleaved: each utterance the pipeline cuts is that call's."""
    sentences = ["I want to speak to an agent", "Thank you for calling", "Goodbye now"]
    config = AudioPipelineConfig(
        resampler=roomkit_audio.SoxrResamplerProvider(),
        agc=roomkit_audio.EnergyAGCProvider(),
        vad=sherpa.SherpaOnnxVADProvider(sherpa.SherpaOnnxVADConfig.silero()),
        contract=AudioPipelineContract(
            transport_inbound_format=AudioFormat(48000), internal_format=AudioFormat(16000)
        ),
    )
    pipeline = AudioPipeline(config)
    utterances: dict[str, list[bytes]] = {}
    pipeline.on_speech_end(lambda s, audio: utterances.setdefault(s.id, []).append(audio))
    calls = [VoiceSession.new("room", f"caller-{n}", "voice") for n in range(3)]
    streams = []
    for call, sentence in zip(calls, sentences, strict=True):
        pipeline.on_session_active(call)
        audio = spoken(sentence, 48000, pad_ms=400).data + silence(1000, 48000)
        streams.append(list(split_frames(audio, 48000, frame_ms=20)))
    for step in range(max(len(s) for s in streams)):
        for call, frames in zip(calls, streams, strict=True):
            if step < len(frames):
                await pipeline.process_inbound_async(call, frames[step])
    stt = whisper_testing.shared_tiny_en()
    heard = await asyncio.gather(
        *(stt.transcribe(AudioFrame(utterances[c.id][0], 16000)) for c in calls)
    )
    assert [len(utterances[c.id]) for c in calls] == [1, 1, 1]
    assert [_words(r.text) for r in heard] == [_words(s) for s in sentences]


async def test_piper_speech_is_heard_back_by_whisper() -> None:
    tts = sherpa_testing.deterministic_piper_tts()  # no sampling noise: a stable test
    stt = whisper_testing.shared_tiny_en()
    text = "Your table is booked for tonight. See you soon!"
    content = await tts.synthesize(text)
    frame = frame_from_audio_content(content)
    assert frame.sample_rate == 22050
    result = await stt.transcribe(frame)
    assert _words(result.text) == _words(text)
