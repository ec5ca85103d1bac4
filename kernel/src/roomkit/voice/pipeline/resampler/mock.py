"""A pass-through resampler that records what it was asked to do."""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass

from roomkit.voice.audio_frame import AudioFrame
from roomkit.voice.pipeline.mockbase import KEEP_FRAMES, MockStage
from roomkit.voice.pipeline.resampler.base import ResamplerProvider

__all__ = ["MockResamplerProvider", "ResampleCall"]


@dataclass(frozen=True, slots=True)
class ResampleCall:
    """One :meth:`MockResamplerProvider.resample` call."""

    frame: AudioFrame
    target_rate: int
    target_channels: int
    target_width: int


class MockResamplerProvider(MockStage, ResamplerProvider):
    """Returns frames unchanged; ``calls`` records the latest requests (all sessions)."""

    shared_records = ("calls",)

    def __init__(self) -> None:
        self._init_record()
        self.calls: deque[ResampleCall] = deque(maxlen=KEEP_FRAMES)

    @property
    def name(self) -> str:
        return "MockResamplerProvider"

    def resample(
        self, frame: AudioFrame, target_rate: int, target_channels: int, target_width: int
    ) -> AudioFrame:
        self._record(frame)
        self.calls.append(ResampleCall(frame, target_rate, target_channels, target_width))
        return frame
