"""A scripted VAD for tests."""

from __future__ import annotations

from collections.abc import Sequence

from roomkit.voice.audio_frame import AudioFrame
from roomkit.voice.pipeline.mockbase import MockStage
from roomkit.voice.pipeline.vad.base import VADEvent, VADEventType, VADProvider

__all__ = ["MockVADProvider"]


class MockVADProvider(MockStage, VADProvider):
    """Returns ``events[i]`` for the i-th frame of each session, then ``None``.

    :meth:`flush` returns ``flush_event`` when given, otherwise ``SPEECH_END`` if the script
    left speech open (like a real VAD at end of input; the script's own end of that utterance
    is then skipped). :meth:`reset` restarts the script.
    """

    def __init__(
        self,
        events: Sequence[VADEvent | None] | None = None,
        *,
        flush_event: VADEvent | None = None,
    ) -> None:
        self._flush_event = flush_event
        self._in_speech = False
        self._flushed = False
        self._init_record(events or ())

    @property
    def name(self) -> str:
        return "MockVADProvider"

    def process(self, frame: AudioFrame) -> VADEvent | None:
        self._record(frame)
        result: VADEvent | None = self._next()
        if result is not None:
            if result.type is VADEventType.SPEECH_START:
                self._in_speech = True
                self._flushed = False
            elif result.type is VADEventType.SPEECH_END:
                if self._flushed and not self._in_speech:
                    self._flushed = False
                    return None  # flush() already ended this scripted utterance
                self._in_speech = False
        return result

    def flush(self) -> VADEvent | None:
        if self._flush_event is not None:
            return self._flush_event
        if self._in_speech:
            self._in_speech = False
            self._flushed = True
            return VADEvent(VADEventType.SPEECH_END)
        return None

    def reset(self) -> None:
        super().reset()
        self._in_speech = False
        self._flushed = False
