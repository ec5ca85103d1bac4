"""A deterministic text-to-speech provider for tests."""

from __future__ import annotations

import zlib
from collections.abc import AsyncIterator, Sequence
from typing import Any

from roomkit.models.content import AudioContent
from roomkit.voice.base import AudioChunk
from roomkit.voice.pcm import tone
from roomkit.voice.scripted import ErrorScript
from roomkit.voice.tts.base import TTSProvider
from roomkit.voice.wav import audio_content_from_pcm

__all__ = ["MockTTSProvider"]


class MockTTSProvider(TTSProvider):
    """Speaks each word as a short tone: real PCM16, the same bytes for the same text.

    Each word lasts ``ms_per_char`` per character at ``sample_rate``, with a pitch derived
    from the word. :meth:`synthesize_stream` yields one chunk per word (the last one
    ``is_final``); :meth:`synthesize` returns the whole utterance as an inline WAV.
    ``calls`` records ``{"text", "voice"}`` of each request; ``errors`` works as in
    :class:`~roomkit.voice.stt.mock.MockSTTProvider`.
    """

    def __init__(
        self,
        voice: str = "mock-voice",
        *,
        sample_rate: int = 16000,
        ms_per_char: int = 10,
        errors: BaseException | Sequence[BaseException | None] | None = None,
    ) -> None:
        self._default_voice = voice
        self.sample_rate = sample_rate
        self.ms_per_char = ms_per_char
        self.calls: list[dict[str, Any]] = []
        self._errors = ErrorScript(errors)

    @property
    def name(self) -> str:
        return "MockTTSProvider"

    @property
    def default_voice(self) -> str:
        return self._default_voice

    def _start(self, text: str, voice: str | None) -> list[bytes]:
        self.calls.append({"text": text, "voice": voice or self._default_voice})
        self._errors.check()
        return [self.word_audio(word) for word in text.split()]

    def word_audio(self, word: str) -> bytes:
        """The PCM16 this mock speaks for ``word``."""
        pitch = 200 + zlib.crc32(word.encode()) % 600
        return tone(pitch, len(word) * self.ms_per_char, self.sample_rate, amplitude=0.3)

    async def synthesize(self, text: str, *, voice: str | None = None) -> AudioContent:
        words = self._start(text, voice)
        return audio_content_from_pcm(b"".join(words), self.sample_rate, transcript=text)

    async def synthesize_stream(
        self, text: str, *, voice: str | None = None
    ) -> AsyncIterator[AudioChunk]:
        words = self._start(text, voice)
        for index, pcm in enumerate(words):
            yield AudioChunk(pcm, self.sample_rate, is_final=index == len(words) - 1)
