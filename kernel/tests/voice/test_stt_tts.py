"""STT and TTS contracts: the derived methods, the mocks, the sentence splitter."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from roomkit.errors import AudioFormatError, ProviderError
from roomkit.models.content import AudioContent
from roomkit.voice import AudioChunk, AudioFrame, TranscriptionResult
from roomkit.voice.stt import MockSTTProvider, STTProvider
from roomkit.voice.tts import MockTTSProvider, TTSProvider, split_sentences
from roomkit.voice.wav import audio_content_from_pcm, frame_from_audio_content

from .conftest import frame


async def chunks(*parts: bytes, rate: int = 16000) -> AsyncIterator[AudioChunk]:
    for part in parts:
        yield AudioChunk(part, rate)


class LengthSTT(STTProvider):
    """Batch only: 'transcribes' the number of samples."""

    async def transcribe(
        self, audio: AudioContent | AudioChunk | AudioFrame
    ) -> TranscriptionResult:
        from roomkit.voice.stt.base import as_frame

        audio_frame = as_frame(audio)
        return TranscriptionResult(f"{audio_frame.num_samples}@{audio_frame.sample_rate}")


async def test_batch_stt_gets_a_buffered_streaming_default() -> None:
    stt = LengthSTT()
    assert not stt.supports_streaming
    assert stt.name == "LengthSTT"
    results = [r async for r in stt.transcribe_stream(chunks(b"\x00\x00" * 10, b"\x00\x00" * 5))]
    assert [r.text for r in results] == ["15@16000"]


async def test_the_buffered_default_refuses_mixed_formats_and_encoded_audio() -> None:
    async def mixed() -> AsyncIterator[AudioChunk]:
        yield AudioChunk(b"\x00\x00", 16000)
        yield AudioChunk(b"\x00\x00", 8000)

    with pytest.raises(AudioFormatError, match="changed format"):
        [r async for r in LengthSTT().transcribe_stream(mixed())]

    async def mp3() -> AsyncIterator[AudioChunk]:
        yield AudioChunk(b"\xff", format="mp3")

    with pytest.raises(AudioFormatError, match="decode them"):
        [r async for r in LengthSTT().transcribe_stream(mp3())]


async def test_stt_reads_inline_audio_content() -> None:
    content = audio_content_from_pcm(b"\x00\x00" * 8, 8000)
    assert (await LengthSTT().transcribe(content)).text == "8@8000"
    with pytest.raises(AudioFormatError):
        await LengthSTT().transcribe(AudioContent(url="https://x.test/a.wav"))
    with pytest.raises(AudioFormatError):
        await LengthSTT().transcribe(b"raw")  # type: ignore[arg-type]


async def test_mock_stt_cycles_its_script_and_records_calls() -> None:
    stt = MockSTTProvider(["one", "two"])
    texts = [(await stt.transcribe(frame())).text for _ in range(3)]
    assert texts == ["one", "two", "one"]
    assert len(stt.calls) == 3
    assert (await MockSTTProvider().transcribe(frame())).text == "Hello"


async def test_mock_stt_streams_partials_then_the_final() -> None:
    stt = MockSTTProvider(["book a table"], streaming=True, partials=True)
    assert stt.supports_streaming
    results = [r async for r in stt.transcribe_stream(chunks(*[b"\x00\x00"] * 5))]
    assert [(r.text, r.is_final) for r in results] == [
        ("book", False),
        ("book a", False),
        ("book a table", False),
        ("book a table", True),
    ]


async def test_mock_stt_scripted_errors() -> None:
    stt = MockSTTProvider(errors=[None, ProviderError("down", retryable=True)])
    await stt.transcribe(frame())
    with pytest.raises(ProviderError):
        await stt.transcribe(frame())
    await stt.transcribe(frame())
    with pytest.raises(ProviderError):
        await MockSTTProvider(errors=ProviderError("always")).transcribe(frame())


async def test_mock_tts_is_deterministic_pcm() -> None:
    tts = MockTTSProvider(sample_rate=8000)
    first = [c async for c in tts.synthesize_stream("hello big world")]
    second = [c async for c in tts.synthesize_stream("hello big world")]
    assert [c.data for c in first] == [c.data for c in second]
    assert [c.is_final for c in first] == [False, False, True]
    assert all(c.sample_rate == 8000 and len(c.data) % 2 == 0 for c in first)
    assert len(first[0].data) == 5 * 10 * 8 * 2  # 5 chars x 10 ms at 8 kHz
    assert tts.calls[0] == {"text": "hello big world", "voice": "mock-voice"}
    content = await tts.synthesize("hello big world", voice="other")
    assert content.transcript == "hello big world"
    assert frame_from_audio_content(content).data == b"".join(c.data for c in first)
    assert tts.calls[-1]["voice"] == "other"
    assert [c async for c in tts.synthesize_stream("")] == []


async def test_batch_tts_gets_a_streaming_default_and_stream_tts_a_batch_default() -> None:
    class Batch(TTSProvider):
        async def synthesize(self, text: str, *, voice: str | None = None) -> AudioContent:
            return audio_content_from_pcm(b"\x01\x00" * 3200, 16000, transcript=text)

    class Stream(TTSProvider):
        async def synthesize_stream(
            self, text: str, *, voice: str | None = None
        ) -> AsyncIterator[AudioChunk]:
            yield AudioChunk(b"\x01\x00" * 10)
            yield AudioChunk(b"\x02\x00" * 10, is_final=True)

    streamed = [c async for c in Batch().synthesize_stream("x")]
    assert [len(c.data) for c in streamed] == [3200, 3200]  # 100-ms chunks
    assert [c.is_final for c in streamed] == [False, True]
    collected = frame_from_audio_content(await Stream().synthesize("x"))
    assert collected.data == b"\x01\x00" * 10 + b"\x02\x00" * 10

    class Neither(TTSProvider):
        pass

    with pytest.raises(NotImplementedError, match="synthesize"):
        await Neither().synthesize("x")
    with pytest.raises(NotImplementedError):
        [c async for c in Neither().synthesize_stream("x")]


async def test_streamed_text_is_spoken_sentence_by_sentence() -> None:
    tts = MockTTSProvider()

    async def tokens() -> AsyncIterator[str]:
        for token in ["Your table ", "is booked for ", "eight. See you", " then!"]:
            yield token

    out = [c async for c in tts.synthesize_stream_input(tokens())]
    assert [call["text"] for call in tts.calls] == [
        "Your table is booked for eight.",
        "See you then!",
    ]
    assert [c.is_final for c in out].count(True) == 1
    assert out[-1].is_final


async def test_sentence_splitter() -> None:
    async def stream(*tokens: str) -> AsyncIterator[str]:
        for token in tokens:
            yield token

    split = [
        s async for s in split_sentences(stream("Hi. ", "Yes! ", "Dr. Who is here. ", "Ok"), 0)
    ]
    assert split == ["Hi.", "Yes!", "Dr. Who is here.", "Ok"]
    joined = [s async for s in split_sentences(stream("Hi. ", "Yes! ", "Fine"))]
    assert joined == ["Hi. Yes! Fine"]
    long_run = "word " * 200
    pieces = [s async for s in split_sentences(stream(long_run))]
    assert len(pieces) >= 2
    assert " ".join(pieces).split() == long_run.split()
