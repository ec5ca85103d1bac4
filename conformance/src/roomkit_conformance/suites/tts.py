"""The text-to-speech conformance suite (kind ``tts``).

Subclass :class:`TTSProviderSuite` and provide a ``component`` fixture yielding a
:class:`~roomkit.voice.tts.base.TTSProvider` (or a :class:`TTSHarness` naming voices to try).
Capability ``deterministic``: the same text gives the same audio, so two concurrent
syntheses must equal the same syntheses run alone.

Covered: PCM16 chunk invariants (whole samples, one rate, ``is_final`` only last), the batch
result, empty text, long text, streamed text input, cancellation mid-utterance, concurrent
requests kept apart, time to first audio, reported (never asserted).
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass, field
from typing import Any

import pytest

from roomkit.errors import RoomKitError
from roomkit.models.content import AudioContent
from roomkit.voice.base import AudioChunk
from roomkit.voice.tts.base import TTSProvider
from roomkit_conformance.base import SuiteBase, requires

__all__ = ["TTSHarness", "TTSProviderSuite"]

WAIT = 120.0
TEXT = "Hello from RoomKit. Your table is booked for eight."
OTHER = "Thank you for calling, goodbye."


@dataclass
class TTSHarness:
    """A provider plus voices the suite should try (``None`` is the default voice)."""

    provider: TTSProvider
    voices: Sequence[str | None] = field(default_factory=lambda: [None])


def check_chunks(chunks: list[Any]) -> bytes:
    """Assert the stream invariants; return the PCM."""
    rates = set()
    for index, chunk in enumerate(chunks):
        assert isinstance(chunk, AudioChunk), f"got {chunk!r:.80}"
        assert chunk.is_pcm, f"chunk {index} is {chunk.format!r}, not pcm_s16le"
        assert len(chunk.data) % (2 * chunk.channels) == 0
        rates.add((chunk.sample_rate, chunk.channels))
        if chunk.is_final:
            assert index == len(chunks) - 1, "is_final on a chunk that is not the last"
    assert len(rates) <= 1, f"the stream changed format: {sorted(rates)}"
    return b"".join(c.data for c in chunks)


async def _close(stream: AsyncIterator[Any]) -> None:
    aclose = getattr(stream, "aclose", None)
    if aclose is not None:
        await aclose()


class TTSProviderSuite(SuiteBase):
    """Conformance tests every :class:`TTSProvider` plugin must pass."""

    @pytest.fixture
    def harness(self, component: Any) -> TTSHarness:
        return component if isinstance(component, TTSHarness) else TTSHarness(component)

    @pytest.fixture
    def provider(self, harness: TTSHarness) -> TTSProvider:
        return harness.provider

    async def _stream(self, provider: TTSProvider, text: str, voice: str | None = None) -> bytes:
        async with asyncio.timeout(WAIT):
            return check_chunks([c async for c in provider.synthesize_stream(text, voice=voice)])

    def test_is_a_tts_provider(self, provider: TTSProvider) -> None:
        assert isinstance(provider, TTSProvider)
        assert isinstance(provider.name, str)
        assert provider.name

    @pytest.mark.asyncio
    async def test_stream_is_pcm16_with_audio(
        self, provider: TTSProvider, harness: TTSHarness
    ) -> None:
        for voice in harness.voices:
            audio = await self._stream(provider, TEXT, voice)
            assert len(audio) >= 2 * 1600, f"less than 0.1 s of audio for voice {voice!r}"

    @pytest.mark.asyncio
    async def test_batch_result(self, provider: TTSProvider) -> None:
        async with asyncio.timeout(WAIT):
            content = await provider.synthesize(TEXT)
        assert isinstance(content, AudioContent)
        assert content.url
        if content.duration_seconds is not None:
            assert content.duration_seconds > 0
        if content.url.startswith("data:audio/wav"):
            from roomkit.voice.wav import frame_from_audio_content

            assert frame_from_audio_content(content).num_samples > 0

    @pytest.mark.asyncio
    @pytest.mark.parametrize("text", ["", "   "])
    async def test_empty_text(self, provider: TTSProvider, text: str) -> None:
        with contextlib.suppress(RoomKitError):
            audio = await self._stream(provider, text)
            assert len(audio) <= 2 * 48000 * 2, "more than a second of audio for no text"

    @pytest.mark.asyncio
    async def test_long_text(self, provider: TTSProvider) -> None:
        audio = await self._stream(provider, " ".join([TEXT] * 6))
        assert audio

    @pytest.mark.asyncio
    async def test_streamed_text_input(self, provider: TTSProvider) -> None:
        async def tokens() -> AsyncIterator[str]:
            for token in TEXT.split(" "):
                yield token + " "

        async with asyncio.timeout(WAIT):
            chunks = [c async for c in provider.synthesize_stream_input(tokens())]
        assert check_chunks(chunks)

    @pytest.mark.asyncio
    async def test_cancellation_mid_utterance_leaves_the_provider_usable(
        self, provider: TTSProvider
    ) -> None:
        stream = provider.synthesize_stream(" ".join([TEXT] * 3))
        async with asyncio.timeout(WAIT):
            first = await anext(stream)
        assert isinstance(first, AudioChunk)
        await _close(stream)  # what a barge-in does to playback
        assert await self._stream(provider, OTHER)

    @pytest.mark.asyncio
    async def test_concurrent_requests_are_kept_apart(self, provider: TTSProvider) -> None:
        together = await asyncio.gather(self._stream(provider, TEXT), self._stream(provider, OTHER))
        assert all(together)
        if "deterministic" in self.capabilities:
            alone = [await self._stream(provider, TEXT), await self._stream(provider, OTHER)]
            assert list(together) == alone, "concurrent syntheses changed each other's audio"

    @pytest.mark.asyncio
    @requires("deterministic")
    async def test_same_text_same_audio(self, provider: TTSProvider) -> None:
        assert await self._stream(provider, OTHER) == await self._stream(provider, OTHER)

    @pytest.mark.asyncio
    async def test_time_to_first_audio_is_reported(
        self, provider: TTSProvider, request: pytest.FixtureRequest
    ) -> None:
        started = time.perf_counter()
        stream = provider.synthesize_stream(TEXT)
        async with asyncio.timeout(WAIT):
            await anext(stream)
        first = time.perf_counter() - started
        await _close(stream)
        request.node.user_properties.append(("tts_first_audio_ms", round(first * 1000, 2)))
        print(f"TTS first audio after {first * 1000:.1f} ms")
