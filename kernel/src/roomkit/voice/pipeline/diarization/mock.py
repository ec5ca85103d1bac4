"""A scripted diarizer for tests."""

from __future__ import annotations

from collections.abc import Sequence

from roomkit.voice.audio_frame import AudioFrame
from roomkit.voice.pipeline.diarization.base import DiarizationProvider, DiarizationResult
from roomkit.voice.pipeline.mockbase import MockStage

__all__ = ["MockDiarizationProvider"]


class MockDiarizationProvider(MockStage, DiarizationProvider):
    """Returns ``results[i]`` for the i-th frame of each session, then ``None``."""

    def __init__(self, results: Sequence[DiarizationResult | None] | None = None) -> None:
        self._init_record(results or ())

    @property
    def name(self) -> str:
        return "MockDiarizationProvider"

    def process(self, frame: AudioFrame) -> DiarizationResult | None:
        self._record(frame)
        result: DiarizationResult | None = self._next()
        return result
