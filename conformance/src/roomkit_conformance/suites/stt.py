"""The speech-to-text conformance suite (kind ``stt``).

Subclass :class:`STTProviderSuite` and provide a ``component`` fixture yielding an
:class:`~roomkit.voice.stt.base.STTProvider`, or an :class:`STTHarness` with real speech and
its expected transcript::

    class TestWhisper(STTProviderSuite):
        capabilities = {"streaming", "analyses_audio"}

        @pytest.fixture
        def component(self):
            return STTHarness(WhisperSTTProvider(model), speech=read("order.wav"),
                              expected_text="I'd like to order a pizza")

Capabilities: ``streaming`` (partial results arrive before the audio ends), ``analyses_audio``
(a real model: digital silence gives no words). Covered: result shape, empty and silent
input, sample rates, unreadable input as typed errors, streaming with a final result last,
the end of a stream that stops mid-utterance, cancellation mid-utterance, two concurrent
streams kept apart, and the real-time factor, reported (never asserted).
"""

from __future__ import annotations

import asyncio
import contextlib
import re
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import pytest

from roomkit.errors import AudioFormatError, RoomKitError
from roomkit.models.content import AudioContent
from roomkit.voice.audio_frame import AudioFrame
from roomkit.voice.base import AudioChunk, TranscriptionResult
from roomkit.voice.stt.base import STTProvider
from roomkit_conformance.base import SuiteBase, requires
from roomkit_conformance.suites.voice_common import silence_frames, utterance_frames

__all__ = ["STTHarness", "STTProviderSuite"]

WAIT = 120.0  # bound on one transcription in these tests (models are slow on CI)


@dataclass
class STTHarness:
    """A provider plus real speech (one utterance as a frame) and what it says."""

    provider: STTProvider
    speech: AudioFrame | None = None
    expected_text: str | None = None


def _words(text: str) -> list[str]:
    return re.findall(r"[a-z0-9']+", text.lower())


def _check(result: Any, *, final: bool | None = None) -> TranscriptionResult:
    assert isinstance(result, TranscriptionResult), f"got {result!r:.80}"
    assert isinstance(result.text, str)
    if final is not None:
        assert result.is_final is final
    if result.confidence is not None:
        assert 0.0 <= result.confidence <= 1.0
    return result


async def _chunks(frame: AudioFrame, chunk_ms: int = 20) -> AsyncIterator[AudioChunk]:
    step = frame.sample_rate * chunk_ms // 1000 * 2 * frame.channels
    for offset in range(0, len(frame.data), step):
        yield AudioChunk(frame.data[offset : offset + step], frame.sample_rate, frame.channels)


class STTProviderSuite(SuiteBase):
    """Conformance tests every :class:`STTProvider` plugin must pass."""

    @pytest.fixture
    def harness(self, component: Any) -> STTHarness:
        return component if isinstance(component, STTHarness) else STTHarness(component)

    @pytest.fixture
    def provider(self, harness: STTHarness) -> STTProvider:
        return harness.provider

    @pytest.fixture
    def speech(self, harness: STTHarness) -> AudioFrame:
        if harness.speech is not None:
            return harness.speech
        return AudioFrame(b"".join(f.data for f in utterance_frames()), 16000)

    async def _transcribe(self, provider: STTProvider, audio: Any) -> TranscriptionResult:
        async with asyncio.timeout(WAIT):
            return _check(await provider.transcribe(audio))

    async def _stream(self, provider: STTProvider, frame: AudioFrame) -> list[TranscriptionResult]:
        async with asyncio.timeout(WAIT):
            return [_check(r) async for r in provider.transcribe_stream(_chunks(frame))]

    def test_is_an_stt_provider(self, provider: STTProvider) -> None:
        assert isinstance(provider, STTProvider)
        assert isinstance(provider.name, str)
        assert provider.name
        assert isinstance(provider.supports_streaming, bool)

    @pytest.mark.asyncio
    async def test_transcribes_an_utterance(
        self, provider: STTProvider, speech: AudioFrame, harness: STTHarness
    ) -> None:
        result = await self._transcribe(provider, speech)
        assert result.is_final
        if harness.expected_text is not None:
            assert _words(result.text) == _words(harness.expected_text)

    @pytest.mark.asyncio
    async def test_empty_audio(self, provider: STTProvider) -> None:
        with contextlib.suppress(AudioFormatError):
            await self._transcribe(provider, AudioFrame(b"", 16000))

    @pytest.mark.asyncio
    async def test_silent_input(self, provider: STTProvider) -> None:
        quiet = AudioFrame(b"".join(f.data for f in silence_frames(1000)), 16000)
        result = await self._transcribe(provider, quiet)
        if "analyses_audio" in self.capabilities:
            assert _words(result.text) == [], f"heard {result.text!r} in digital silence"

    @pytest.mark.asyncio
    @pytest.mark.parametrize("rate", [8000, 16000, 48000])
    async def test_sample_rates(self, provider: STTProvider, rate: int) -> None:
        audio = AudioFrame(b"".join(f.data for f in utterance_frames(rate)), rate)
        with contextlib.suppress(AudioFormatError):
            await self._transcribe(provider, audio)

    @pytest.mark.asyncio
    async def test_unreadable_input_is_a_typed_error(self, provider: STTProvider) -> None:
        with pytest.raises(RoomKitError):
            await self._transcribe(provider, AudioChunk(b"\xff\xfb\x90\x00", format="mp3"))
        with pytest.raises(RoomKitError):
            await self._transcribe(provider, AudioContent(url="https://example.invalid/a.wav"))

    @pytest.mark.asyncio
    async def test_stream_ends_with_one_final_result(
        self, provider: STTProvider, speech: AudioFrame, harness: STTHarness
    ) -> None:
        results = await self._stream(provider, speech)
        assert results, "transcribe_stream yielded nothing"
        assert results[-1].is_final
        assert all(not r.is_final for r in results[:-1])
        if harness.expected_text is not None:
            assert _words(results[-1].text) == _words(harness.expected_text)

    @pytest.mark.asyncio
    async def test_stream_stopping_mid_utterance_still_ends_with_a_final(
        self, provider: STTProvider, speech: AudioFrame
    ) -> None:
        half = speech.with_data(speech.data[: len(speech.data) // 4 * 2])
        results = await self._stream(provider, half)
        assert results
        assert results[-1].is_final

    @pytest.mark.asyncio
    @requires("streaming")
    async def test_partial_results_arrive_before_the_audio_ends(
        self, provider: STTProvider, speech: AudioFrame
    ) -> None:
        more = asyncio.Event()

        async def source() -> AsyncIterator[AudioChunk]:
            async for chunk in _chunks(speech):
                yield chunk
            await more.wait()  # the audio has not ended until the test says so

        stream = provider.transcribe_stream(source())
        async with asyncio.timeout(WAIT):
            first = _check(await anext(stream))
        assert not first.is_final, "the only result came before the audio ended, yet final"
        more.set()
        async with asyncio.timeout(WAIT):
            rest = [_check(r) async for r in stream]
        assert rest
        assert rest[-1].is_final

    @pytest.mark.asyncio
    async def test_cancellation_mid_utterance_leaves_the_provider_usable(
        self, provider: STTProvider, speech: AudioFrame
    ) -> None:
        started = asyncio.Event()
        never = asyncio.Event()

        async def source() -> AsyncIterator[AudioChunk]:
            async for chunk in _chunks(speech.with_data(speech.data[: len(speech.data) // 4 * 2])):
                yield chunk
            started.set()
            await never.wait()

        async def consume() -> None:
            async for _ in provider.transcribe_stream(source()):
                pass

        task = asyncio.create_task(consume())
        async with asyncio.timeout(WAIT):
            await started.wait()
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
        assert (await self._transcribe(provider, speech)).is_final

    @pytest.mark.asyncio
    async def test_concurrent_streams_are_kept_apart(
        self, provider: STTProvider, speech: AudioFrame, harness: STTHarness
    ) -> None:
        quiet = AudioFrame(b"".join(f.data for f in silence_frames(1000)), 16000)
        talking, silent = await asyncio.gather(
            self._stream(provider, speech), self._stream(provider, quiet)
        )
        assert talking[-1].is_final
        assert silent[-1].is_final
        if harness.expected_text is not None:
            assert _words(talking[-1].text) == _words(harness.expected_text)
        if "analyses_audio" in self.capabilities:
            assert _words(silent[-1].text) == []

    @pytest.mark.asyncio
    async def test_real_time_factor_is_reported(
        self, provider: STTProvider, speech: AudioFrame, request: pytest.FixtureRequest
    ) -> None:
        started = time.perf_counter()
        await self._transcribe(provider, speech)
        factor = (time.perf_counter() - started) / max(speech.duration_ms / 1000, 1e-3)
        request.node.user_properties.append(("stt_real_time_factor", round(factor, 4)))
        print(f"STT real-time factor: {factor:.3f}")
