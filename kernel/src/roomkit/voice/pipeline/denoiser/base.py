"""Noise reduction of the caller's audio."""

from __future__ import annotations

from abc import abstractmethod

from roomkit.voice.audio_frame import AudioFrame
from roomkit.voice.stage import AudioStage

__all__ = ["DenoiserProvider"]


class DenoiserProvider(AudioStage):
    """Removes background noise from one session's inbound audio."""

    @abstractmethod
    def process(self, frame: AudioFrame) -> AudioFrame:
        """Return the denoised frame (same rate and channels)."""
