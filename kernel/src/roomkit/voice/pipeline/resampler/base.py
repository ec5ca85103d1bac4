"""Sample-rate and channel conversion between the transport and the pipeline."""

from __future__ import annotations

from abc import abstractmethod

from roomkit.voice.audio_frame import AudioFrame
from roomkit.voice.stage import AudioStage

__all__ = ["ResamplerProvider"]


class ResamplerProvider(AudioStage):
    """Converts one stream's frames to a target rate and channel count.

    The pipeline uses two instances per session (inbound and outbound), so a streaming
    resampler may keep filter state between frames. ``target_width`` is always 2 (PCM16).
    """

    @abstractmethod
    def resample(
        self, frame: AudioFrame, target_rate: int, target_channels: int, target_width: int
    ) -> AudioFrame:
        """Return ``frame`` converted to ``target_rate`` Hz and ``target_channels``."""

    def flush(self, target_rate: int, target_channels: int, target_width: int) -> AudioFrame | None:
        """End of stream: return samples still held in the filter, if any."""
        return None
