"""Custom transforms of outbound audio (before it is recorded and played)."""

from __future__ import annotations

from abc import abstractmethod

from roomkit.voice.audio_frame import AudioFrame
from roomkit.voice.stage import AudioStage

__all__ = ["AudioPostProcessor"]


class AudioPostProcessor(AudioStage):
    """Transforms one session's outbound (TTS) audio; post-processors run in list order."""

    @abstractmethod
    def process(self, frame: AudioFrame) -> AudioFrame:
        """Return the transformed frame."""
