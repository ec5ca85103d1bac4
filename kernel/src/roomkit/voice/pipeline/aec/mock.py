"""A pass-through echo canceller for tests."""

from __future__ import annotations

from collections import deque

from roomkit.voice.audio_frame import AudioFrame
from roomkit.voice.pipeline.aec.base import AECProvider
from roomkit.voice.pipeline.mockbase import KEEP_FRAMES, MockStage

__all__ = ["MockAECProvider"]


class MockAECProvider(MockStage, AECProvider):
    """Returns inbound frames unchanged; records them and the reference (playback) frames."""

    reference_frames: deque[AudioFrame]

    shared_records = ("reference_frames",)

    def __init__(self) -> None:
        self._init_record()
        self.reference_frames = deque(maxlen=KEEP_FRAMES)

    @property
    def name(self) -> str:
        return "MockAECProvider"

    def process(self, frame: AudioFrame) -> AudioFrame:
        self._record(frame)
        return frame

    def feed_reference(self, frame: AudioFrame) -> None:
        self.reference_frames.append(frame)
