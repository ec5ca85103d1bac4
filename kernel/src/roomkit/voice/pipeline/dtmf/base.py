"""DTMF (touch-tone) detection in the audio, run beside the main chain."""

from __future__ import annotations

from abc import abstractmethod
from dataclasses import dataclass

from roomkit.errors import ConfigurationError
from roomkit.voice.audio_frame import AudioFrame
from roomkit.voice.stage import AudioStage

__all__ = ["DTMF_DIGITS", "DTMFDetector", "DTMFEvent"]

#: The sixteen DTMF symbols.
DTMF_DIGITS = frozenset("0123456789*#ABCD")


@dataclass(frozen=True, slots=True)
class DTMFEvent:
    """One detected key press."""

    digit: str
    duration_ms: float
    confidence: float = 1.0

    def __post_init__(self) -> None:
        if self.digit not in DTMF_DIGITS:
            raise ConfigurationError(f"DTMF digit must be one of 0-9 * # A-D, got {self.digit!r}")


class DTMFDetector(AudioStage):
    """Detects key presses in one session's inbound audio.

    Runs on the resampled frame before echo cancellation, denoising and VAD (they can damage
    tones). Report each press once, when it is recognised.
    """

    @abstractmethod
    def process(self, frame: AudioFrame) -> DTMFEvent | None:
        """Analyse one frame; return the press completed in it, if any."""
