"""A pass-through outbound post-processor for tests."""

from __future__ import annotations

from roomkit.voice.audio_frame import AudioFrame
from roomkit.voice.pcm import samples, to_bytes
from roomkit.voice.pipeline.mockbase import MockStage
from roomkit.voice.pipeline.postprocessor.base import AudioPostProcessor

__all__ = ["MockAudioPostProcessor"]


class MockAudioPostProcessor(MockStage, AudioPostProcessor):
    """Returns every frame unchanged (or with ``gain`` applied) and records it."""

    def __init__(self, *, gain: float = 1.0) -> None:
        self._gain = gain
        self._init_record()

    @property
    def name(self) -> str:
        return "MockAudioPostProcessor"

    def process(self, frame: AudioFrame) -> AudioFrame:
        self._record(frame)
        if self._gain == 1.0:
            return frame
        scaled = [round(v * self._gain) for v in samples(frame.data)]
        return frame.with_data(to_bytes(scaled))
