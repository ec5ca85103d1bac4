"""Speaker diarization: who is speaking."""

from __future__ import annotations

from abc import abstractmethod
from dataclasses import dataclass

from roomkit.voice.audio_frame import AudioFrame
from roomkit.voice.stage import AudioStage

__all__ = ["DiarizationProvider", "DiarizationResult"]


@dataclass(frozen=True, slots=True)
class DiarizationResult:
    """The speaker heard in a frame; ``is_new_speaker`` when first heard in this session."""

    speaker_id: str
    confidence: float
    is_new_speaker: bool


class DiarizationProvider(AudioStage):
    """Identifies speakers in one session's audio.

    The pipeline reports a speaker change when the returned ``speaker_id`` differs from the
    previous one; return ``None`` when the frame says nothing (silence, too short).
    """

    @abstractmethod
    def process(self, frame: AudioFrame) -> DiarizationResult | None:
        """Analyse one frame."""
