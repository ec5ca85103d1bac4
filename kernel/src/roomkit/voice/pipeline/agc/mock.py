"""A pass-through AGC for tests."""

from __future__ import annotations

from roomkit.voice.audio_frame import AudioFrame
from roomkit.voice.pipeline.agc.base import AGCProvider
from roomkit.voice.pipeline.mockbase import MockStage

__all__ = ["MockAGCProvider"]


class MockAGCProvider(MockStage, AGCProvider):
    """Returns every frame unchanged and records it."""

    def __init__(self) -> None:
        self._init_record()

    @property
    def name(self) -> str:
        return "MockAGCProvider"

    def process(self, frame: AudioFrame) -> AudioFrame:
        self._record(frame)
        return frame
