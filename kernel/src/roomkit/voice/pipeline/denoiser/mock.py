"""A pass-through denoiser for tests."""

from __future__ import annotations

from roomkit.voice.audio_frame import AudioFrame
from roomkit.voice.pipeline.denoiser.base import DenoiserProvider
from roomkit.voice.pipeline.mockbase import MockStage

__all__ = ["MockDenoiserProvider"]


class MockDenoiserProvider(MockStage, DenoiserProvider):
    """Returns every frame unchanged and records it."""

    def __init__(self) -> None:
        self._init_record()

    @property
    def name(self) -> str:
        return "MockDenoiserProvider"

    def process(self, frame: AudioFrame) -> AudioFrame:
        self._record(frame)
        return frame
