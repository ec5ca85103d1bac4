"""Shared pieces of the voice tests: sessions, frames, a content-driven VAD and a recorder."""

from __future__ import annotations

from typing import Any

import pytest

from roomkit.voice import AudioFrame, VoiceSession
from roomkit.voice.pcm import rms, silence, tone
from roomkit.voice.pipeline import AudioPipeline, VADEvent, VADEventType, VADProvider


class ThresholdVAD(VADProvider):
    """A real (if simple) stateful VAD: speech while RMS > ``threshold``, ended after
    ``hangover`` quiet frames. It keeps its state on ``self``, as plugins do."""

    def __init__(self, threshold: float = 500.0, hangover: int = 3) -> None:
        self.threshold = threshold
        self.hangover = hangover
        self.in_speech = False
        self.quiet = 0

    def process(self, frame: AudioFrame) -> VADEvent | None:
        loud = rms(frame.data) > self.threshold
        if loud:
            self.quiet = 0
            if not self.in_speech:
                self.in_speech = True
                return VADEvent(VADEventType.SPEECH_START, confidence=1.0)
            return None
        if self.in_speech:
            self.quiet += 1
            if self.quiet >= self.hangover:
                self.in_speech = False
                self.quiet = 0
                return VADEvent(VADEventType.SPEECH_END)
        return None

    def reset(self) -> None:
        self.in_speech = False
        self.quiet = 0


class Log:
    """Records pipeline callbacks as ``(kind, session_id, payload)``."""

    def __init__(self, pipeline: AudioPipeline | None = None) -> None:
        self.items: list[tuple[str, str, Any]] = []
        if pipeline is not None:
            self.attach(pipeline)

    def attach(self, pipeline: AudioPipeline) -> None:
        pipeline.on_event(lambda s, e: self.items.append(("event", s.id, e)))
        pipeline.on_error(lambda s, e: self.items.append(("error", s.id, e)))
        pipeline.on_speech_end(lambda s, b: self.items.append(("speech_end", s.id, b)))
        pipeline.on_vad_event(lambda s, e: self.items.append(("vad", s.id, e)))

    def of(self, kind: str, session_id: str | None = None) -> list[Any]:
        return [p for k, sid, p in self.items if k == kind and (session_id in (None, sid))]

    def event_names(self, session_id: str | None = None) -> list[str]:
        return [type(e).__name__ for e in self.of("event", session_id)]


def make_session(name: str = "s1") -> VoiceSession:
    return VoiceSession(id=name, room_id="room", participant_id=f"p-{name}", channel_id="voice")


def frame(
    value: int = 1, samples: int = 320, rate: int = 16000, ts: float | None = None
) -> AudioFrame:
    return AudioFrame(value.to_bytes(2, "little", signed=True) * samples, rate, timestamp_ms=ts)


def quiet(ms: float = 20.0, rate: int = 16000) -> AudioFrame:
    return AudioFrame(silence(ms, rate), rate)


def loud(freq: float = 440.0, ms: float = 20.0, rate: int = 16000) -> AudioFrame:
    return AudioFrame(tone(freq, ms, rate, amplitude=0.5), rate)


@pytest.fixture
def session() -> VoiceSession:
    return make_session()
