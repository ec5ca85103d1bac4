"""A scripted DTMF detector for tests."""

from __future__ import annotations

from collections.abc import Sequence

from roomkit.voice.audio_frame import AudioFrame
from roomkit.voice.pipeline.dtmf.base import DTMFDetector, DTMFEvent
from roomkit.voice.pipeline.mockbase import MockStage

__all__ = ["MockDTMFDetector"]


class MockDTMFDetector(MockStage, DTMFDetector):
    """Returns ``events[i]`` for the i-th frame of each session, then ``None``."""

    def __init__(self, events: Sequence[DTMFEvent | None] | None = None) -> None:
        self._init_record(events or ())

    @property
    def name(self) -> str:
        return "MockDTMFDetector"

    def process(self, frame: AudioFrame) -> DTMFEvent | None:
        self._record(frame)
        result: DTMFEvent | None = self._next()
        return result
