"""Text-to-speech: the contract."""

from __future__ import annotations

from abc import ABC
from collections.abc import AsyncIterator

from roomkit.errors import AudioFormatError
from roomkit.models.content import AudioContent
from roomkit.voice.base import AudioChunk
from roomkit.voice.pcm import SAMPLE_WIDTH
from roomkit.voice.tts.sentence_splitter import split_sentences
from roomkit.voice.wav import audio_content_from_pcm, frame_from_audio_content

__all__ = ["TTSProvider"]

#: Length of the chunks the default :meth:`TTSProvider.synthesize_stream` cuts audio into.
CHUNK_MS = 100


class TTSProvider(ABC):  # noqa: B024 - implement synthesize() or synthesize_stream()
    """Turns text into speech.

    Implement **one** of the two synthesis methods; the base class derives the other:

    * :meth:`synthesize_stream` -- yield PCM16 :class:`~roomkit.voice.base.AudioChunk` objects
      as audio is generated (what a voice channel plays; the natural fit for local models
      and streaming APIs). :meth:`synthesize` then collects them into an inline WAV.
    * :meth:`synthesize` -- return the whole utterance as an
      :class:`~roomkit.models.AudioContent`. For :meth:`synthesize_stream` to derive from it,
      the content must be inline (a ``data:audio/wav`` URL, see
      :func:`roomkit.voice.wav.audio_content_from_pcm`).

    :meth:`synthesize_stream_input` speaks a stream of text (LLM tokens) sentence by sentence.
    One provider object serves every session concurrently: keep per-request state local to
    the call. Run model inference in a worker thread (``asyncio.to_thread``).
    """

    @property
    def name(self) -> str:
        """A short name for logs (the class name unless overridden)."""
        return type(self).__name__

    @property
    def default_voice(self) -> str | None:
        """The voice used when a call gives none."""
        return None

    @property
    def supports_streaming_input(self) -> bool:
        """Whether the provider consumes streamed text natively (else sentences are split)."""
        return False

    async def synthesize(self, text: str, *, voice: str | None = None) -> AudioContent:
        """The whole utterance as audio content (default: :meth:`synthesize_stream` collected)."""
        if type(self).synthesize_stream is TTSProvider.synthesize_stream:
            raise NotImplementedError(
                f"{self.name} must implement synthesize() or synthesize_stream()"
            )
        parts: list[bytes] = []
        rate = channels = 0
        async for chunk in self.synthesize_stream(text, voice=voice):
            if not chunk.is_pcm:
                raise AudioFormatError(f"{self.name} streamed {chunk.format!r}, not PCM16")
            if not rate:
                rate, channels = chunk.sample_rate, chunk.channels
            parts.append(chunk.data)
        return audio_content_from_pcm(
            b"".join(parts), rate or 16000, channels or 1, transcript=text
        )

    async def synthesize_stream(
        self, text: str, *, voice: str | None = None
    ) -> AsyncIterator[AudioChunk]:
        """Audio chunks as they are generated; the last has ``is_final=True``.

        Default: decode :meth:`synthesize`'s inline WAV into ``CHUNK_MS`` chunks.
        """
        if type(self).synthesize is TTSProvider.synthesize:
            raise NotImplementedError(
                f"{self.name} must implement synthesize() or synthesize_stream()"
            )
        frame = frame_from_audio_content(await self.synthesize(text, voice=voice))
        step = max(1, frame.sample_rate * CHUNK_MS // 1000) * SAMPLE_WIDTH * frame.channels
        data = frame.data
        offsets = range(0, len(data), step) if data else range(1)
        last = offsets[-1]
        for offset in offsets:
            yield AudioChunk(
                data[offset : offset + step],
                frame.sample_rate,
                frame.channels,
                is_final=offset == last,
            )

    async def synthesize_stream_input(
        self, text_stream: AsyncIterator[str], *, voice: str | None = None
    ) -> AsyncIterator[AudioChunk]:
        """Speak streamed text: each complete sentence is synthesised as soon as it ends.

        Only the very last chunk has ``is_final=True``.
        """
        held: AudioChunk | None = None
        async for sentence in split_sentences(text_stream):
            async for chunk in self.synthesize_stream(sentence, voice=voice):
                if held is not None:
                    yield _not_final(held)
                held = chunk
        if held is not None:
            yield held if held.is_final else _final(held)

    async def warmup(self) -> None:  # noqa: B027 - optional hook
        """Load models ahead of the first call (optional)."""

    async def close(self) -> None:  # noqa: B027 - optional hook
        """Release resources (optional)."""


def _not_final(chunk: AudioChunk) -> AudioChunk:
    if not chunk.is_final:
        return chunk
    return AudioChunk(
        chunk.data, chunk.sample_rate, chunk.channels, chunk.format, chunk.timestamp_ms
    )


def _final(chunk: AudioChunk) -> AudioChunk:
    return AudioChunk(
        chunk.data, chunk.sample_rate, chunk.channels, chunk.format, chunk.timestamp_ms, True
    )
