"""Speech-to-text: the contract."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import AsyncIterator

from roomkit.errors import AudioFormatError
from roomkit.models.content import AudioContent
from roomkit.voice.audio_frame import AudioFrame
from roomkit.voice.base import AudioChunk, TranscriptionResult
from roomkit.voice.wav import frame_from_audio_content

__all__ = ["STTProvider", "as_frame"]

#: Longest stream the default :meth:`STTProvider.transcribe_stream` buffers (seconds).
MAX_BUFFERED_SECONDS = 600


def as_frame(audio: AudioContent | AudioChunk | AudioFrame) -> AudioFrame:
    """The PCM16 audio of any STT input as one frame (typed error for what cannot be read)."""
    if isinstance(audio, AudioFrame):
        return audio
    if isinstance(audio, AudioChunk):
        if not audio.is_pcm:
            raise AudioFormatError(
                f"cannot transcribe {audio.format!r} chunks: decode them to pcm_s16le first"
            )
        return AudioFrame(audio.data, audio.sample_rate, audio.channels)
    if isinstance(audio, AudioContent):
        return frame_from_audio_content(audio)
    raise AudioFormatError(
        f"STT input must be an AudioFrame, AudioChunk or AudioContent, got {type(audio).__name__}"
    )


class STTProvider(ABC):
    """Turns speech into text.

    Implement :meth:`transcribe` (one whole utterance). Override :meth:`transcribe_stream` for
    real streaming (partial results while the user speaks); the default buffers the stream and
    transcribes it once at the end.

    One provider object serves every session concurrently: keep per-utterance state in local
    variables of the call (or of the ``transcribe_stream`` generator), never on ``self``.
    Model inference is CPU-heavy: run it in a worker thread (``await asyncio.to_thread(...)``)
    so the event loop keeps moving audio for the other sessions.
    """

    @property
    def name(self) -> str:
        """A short name for logs (the class name unless overridden)."""
        return type(self).__name__

    @property
    def supports_streaming(self) -> bool:
        """Whether :meth:`transcribe_stream` gives results before the audio ends."""
        return type(self).transcribe_stream is not STTProvider.transcribe_stream

    @abstractmethod
    async def transcribe(
        self, audio: AudioContent | AudioChunk | AudioFrame
    ) -> TranscriptionResult:
        """Transcribe a complete utterance (use :func:`as_frame` to read any input kind)."""

    async def transcribe_stream(
        self, audio_stream: AsyncIterator[AudioChunk]
    ) -> AsyncIterator[TranscriptionResult]:
        """Transcribe a stream of chunks, yielding partial results and a final one.

        Default: collect the PCM chunks (same rate and channels, at most
        ``MAX_BUFFERED_SECONDS``), then yield the single result of :meth:`transcribe`.
        """
        parts: list[bytes] = []
        rate = channels = 0
        size = 0
        async for chunk in audio_stream:
            frame = as_frame(chunk)
            if not rate:
                rate, channels = frame.sample_rate, frame.channels
            elif (frame.sample_rate, frame.channels) != (rate, channels):
                raise AudioFormatError(
                    f"audio stream changed format from {rate} Hz x {channels} to "
                    f"{frame.sample_rate} Hz x {frame.channels}"
                )
            size += len(frame.data)
            if size > MAX_BUFFERED_SECONDS * rate * channels * 2:
                raise AudioFormatError(
                    f"audio stream longer than {MAX_BUFFERED_SECONDS} s; split it into utterances"
                )
            parts.append(frame.data)
        yield await self.transcribe(AudioFrame(b"".join(parts), rate or 16000, channels or 1))

    async def warmup(self) -> None:  # noqa: B027 - optional hook
        """Load models ahead of the first call (optional)."""

    async def close(self) -> None:  # noqa: B027 - optional hook
        """Release resources (optional)."""
