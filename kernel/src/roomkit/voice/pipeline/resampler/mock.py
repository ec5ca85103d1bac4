"""A recording resampler for tests: converts like the linear resampler and logs each call."""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass

from roomkit.voice.audio_frame import AudioFrame
from roomkit.voice.pipeline.mockbase import KEEP_FRAMES, MockStage
from roomkit.voice.pipeline.resampler.linear import LinearResamplerProvider

__all__ = ["MockResamplerProvider", "ResampleCall"]


@dataclass(frozen=True, slots=True)
class ResampleCall:
    """One :meth:`MockResamplerProvider.resample` call."""

    frame: AudioFrame
    target_rate: int
    target_channels: int
    target_width: int


class MockResamplerProvider(MockStage, LinearResamplerProvider):
    """Returns frames already in the target format unchanged and converts others by linear
    interpolation (RoomKit 0.6.7's mock passed every frame through, even at the wrong rate);
    ``calls`` records the latest requests of all sessions."""

    shared_records = ("calls",)

    def __init__(self) -> None:
        super().__init__()
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
        return super().resample(frame, target_rate, target_channels, target_width)

    def reset(self) -> None:
        MockStage.reset(self)
        LinearResamplerProvider.reset(self)
