"""The STT and TTS suites pass correct providers and catch broken ones."""

from __future__ import annotations

from pathlib import Path

import pytest

from roomkit.models.content import AudioContent
from roomkit.voice.audio_frame import AudioFrame
from roomkit.voice.base import AudioChunk, TranscriptionResult
from roomkit.voice.pcm import rms
from roomkit.voice.stt import MockSTTProvider, STTProvider
from roomkit.voice.stt.base import as_frame
from roomkit.voice.tts import MockTTSProvider
from roomkit_conformance.runner import Target, run_target
from roomkit_conformance.suites import SUITES
from roomkit_conformance.suites.stt import STTHarness, STTProviderSuite
from roomkit_conformance.suites.tts import TTSProviderSuite


class LoudnessSTT(STTProvider):
    """A correct batch-only provider that 'hears' a word when the audio is not silent."""

    async def transcribe(
        self, audio: AudioContent | AudioChunk | AudioFrame
    ) -> TranscriptionResult:
        frame = as_frame(audio)
        return TranscriptionResult("sound" if rms(frame.data) > 100 else "", confidence=0.9)


class TestLoudnessSTT(STTProviderSuite):
    capabilities = frozenset({"analyses_audio"})

    @pytest.fixture
    def component(self) -> STTHarness:
        return STTHarness(LoudnessSTT(), expected_text="sound")


class TestStreamingMockSTT(STTProviderSuite):
    capabilities = frozenset({"streaming"})

    @pytest.fixture
    def component(self) -> STTHarness:
        provider = MockSTTProvider(["book a table"], streaming=True, partials=True)
        return STTHarness(provider, expected_text="book a table")


class TestMockTTS(TTSProviderSuite):
    capabilities = frozenset({"deterministic"})

    @pytest.fixture
    def component(self) -> MockTTSProvider:
        return MockTTSProvider(sample_rate=22050)


BROKEN = """
from roomkit.voice.base import AudioChunk, TranscriptionResult
from roomkit.voice.stt.base import STTProvider
from roomkit.voice.tts.base import TTSProvider


class SloppySTT(STTProvider):
    async def transcribe(self, audio):
        if getattr(audio, "format", "pcm_s16le") != "pcm_s16le" or hasattr(audio, "url"):
            raise ValueError("cannot read that")           # untyped error
        return TranscriptionResult("words", is_final=False)  # never final

    async def transcribe_stream(self, audio_stream):
        async for _ in audio_stream:
            pass
        yield TranscriptionResult("words", is_final=True)
        yield TranscriptionResult("more", is_final=False)    # a partial after the final


class SloppyTTS(TTSProvider):
    async def synthesize_stream(self, text, *, voice=None):
        for word in text.split():
            yield AudioChunk(b"\\x01\\x00" * 800, 16000, is_final=True)  # every chunk "final"


def sloppy_stt():
    return SloppySTT()


def sloppy_tts():
    return SloppyTTS()
"""


def _failures(tmp_path: Path, kind: str, factory: str) -> str:
    (tmp_path / "broken_speech.py").write_text(BROKEN)
    target = Target("test", kind, factory, f"broken_speech:{factory}", SUITES[kind])
    result = run_target(target, workdir=tmp_path / "work", extra_pythonpath=[str(tmp_path)])
    assert result.status == "failed", result.detail
    return " ".join(result.failures)


def test_a_sloppy_stt_fails(tmp_path: Path) -> None:
    failures = _failures(tmp_path, "stt", "sloppy_stt")
    for name in (
        "test_transcribes_an_utterance",
        "test_unreadable_input_is_a_typed_error",
        "test_stream_ends_with_one_final_result",
    ):
        assert name in failures


def test_a_sloppy_tts_fails(tmp_path: Path) -> None:
    failures = _failures(tmp_path, "tts", "sloppy_tts")
    assert "test_stream_is_pcm16_with_audio" in failures
    assert "is_final on a chunk that is not the last" in failures
