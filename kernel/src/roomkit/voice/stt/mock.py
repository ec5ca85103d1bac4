"""A scripted speech-to-text provider for tests."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from typing import Any

from roomkit.models.content import AudioContent
from roomkit.voice.audio_frame import AudioFrame
from roomkit.voice.base import AudioChunk, TranscriptionResult
from roomkit.voice.scripted import ErrorScript
from roomkit.voice.stt.base import STTProvider, as_frame

__all__ = ["MockSTTProvider"]


class MockSTTProvider(STTProvider):
    """Answers each transcription with the next of ``transcripts`` (cycling; default
    ``"Hello"``), whatever the audio.

    * ``streaming``: claim streaming; :meth:`transcribe_stream` then yields, with
      ``partials``, one growing partial result per chunk received (word by word) before the
      final one.
    * ``errors``: an exception raised on every call, or a list consumed one per call
      (``None`` entries mean "answer normally").

    ``calls`` records every input (the frame, chunk or content given).
    """

    def __init__(
        self,
        transcripts: Sequence[str] | None = None,
        *,
        streaming: bool = False,
        partials: bool = False,
        errors: BaseException | Sequence[BaseException | None] | None = None,
    ) -> None:
        self.transcripts = list(transcripts) if transcripts else ["Hello"]
        self.calls: list[Any] = []
        self._index = 0
        self._streaming = streaming
        self._partials = partials
        self._errors = ErrorScript(errors)

    @property
    def name(self) -> str:
        return "MockSTTProvider"

    @property
    def supports_streaming(self) -> bool:
        return self._streaming

    def _next_text(self) -> str:
        self._errors.check()
        text = self.transcripts[self._index % len(self.transcripts)]
        self._index += 1
        return text

    async def transcribe(
        self, audio: AudioContent | AudioChunk | AudioFrame
    ) -> TranscriptionResult:
        as_frame(audio)  # bad input fails the same way it would with a real provider
        self.calls.append(audio)
        return TranscriptionResult(text=self._next_text(), is_final=True, confidence=1.0)

    async def transcribe_stream(
        self, audio_stream: AsyncIterator[AudioChunk]
    ) -> AsyncIterator[TranscriptionResult]:
        text = self._next_text()
        words = text.split()
        heard = 0
        async for chunk in audio_stream:
            as_frame(chunk)
            self.calls.append(chunk)
            if self._partials and heard < len(words):
                heard += 1
                partial = " ".join(words[:heard])
                yield TranscriptionResult(text=partial, is_final=False, confidence=0.5)
        yield TranscriptionResult(text=text, is_final=True, confidence=1.0)
