"""Whisper tiny.en on espeak-ng speech: batch, other rates, streaming partials, bad input."""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator

import pytest
from roomkit_whisper import WhisperConfig, WhisperSTTProvider
from roomkit_whisper.testing import shared_tiny_en

from roomkit.errors import AudioFormatError, ConfigurationError
from roomkit.voice.audio_frame import AudioFrame
from roomkit.voice.base import AudioChunk
from roomkit.voice.wav import audio_content_from_pcm
from roomkit_conformance.speech import spoken


def _words(text: str) -> list[str]:
    return re.findall(r"[a-z0-9']+", text.lower())


async def _chunks(frame: AudioFrame, ms: int = 20) -> AsyncIterator[AudioChunk]:
    step = frame.sample_rate * ms // 1000 * 2
    for offset in range(0, len(frame.data), step):
        yield AudioChunk(frame.data[offset : offset + step], frame.sample_rate)


@pytest.mark.parametrize("rate", [8000, 16000, 48000])
async def test_transcribes_a_spoken_sentence_at_any_rate(rate: int) -> None:
    result = await shared_tiny_en().transcribe(spoken("Please call me tomorrow morning", rate))
    assert _words(result.text) == ["please", "call", "me", "tomorrow", "morning"]
    assert result.is_final
    assert result.language == "en"
    assert result.confidence is not None
    assert 0.3 < result.confidence <= 1.0


async def test_reads_inline_wav_content() -> None:
    audio = spoken("Thank you for calling")
    content = audio_content_from_pcm(audio.data, audio.sample_rate)
    result = await shared_tiny_en().transcribe(content)
    assert _words(result.text) == ["thank", "you", "for", "calling"]


async def test_stream_gives_growing_partials_then_the_final() -> None:
    sentence = "I want to speak to an agent. Please call me tomorrow morning."
    speech = spoken(sentence)
    results = [r async for r in shared_tiny_en().transcribe_stream(_chunks(speech))]
    partials, final = results[:-1], results[-1]
    assert len(partials) >= 2
    assert not any(r.is_final for r in partials)
    assert final.is_final
    assert _words(final.text) == _words(sentence)
    assert len(_words(partials[0].text)) < len(_words(final.text))


async def test_concurrent_streams_each_hear_their_own_sentence() -> None:
    provider = shared_tiny_en()
    sentences = ["Thank you for calling", "Goodbye now", "I want to speak to an agent"]
    finals = await asyncio.gather(
        *(_last(provider.transcribe_stream(_chunks(spoken(s)))) for s in sentences)
    )
    assert [_words(f.text) for f in finals] == [_words(s) for s in sentences]


async def _last(stream: AsyncIterator[object]) -> object:
    last = None
    async for item in stream:
        last = item
    return last


async def test_bad_input_and_config() -> None:
    provider = shared_tiny_en()
    with pytest.raises(AudioFormatError):
        await provider.transcribe(AudioChunk(b"\x00\x01\x02", format="mp3"))

    async def changing() -> AsyncIterator[AudioChunk]:
        yield AudioChunk(bytes(320), 16000)
        yield AudioChunk(bytes(320), 8000)

    with pytest.raises(AudioFormatError, match="changed format"):
        async for _ in provider.transcribe_stream(changing()):
            pass
    with pytest.raises(ConfigurationError, match="beam_size"):
        WhisperConfig(beam_size=0)
    missing = WhisperSTTProvider(WhisperConfig(model="/nonexistent/whisper-model"))
    with pytest.raises(ConfigurationError, match="cannot load"):
        await missing.warmup()
