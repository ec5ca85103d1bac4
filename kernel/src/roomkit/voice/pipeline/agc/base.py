"""Automatic gain control: brings the caller's level to a steady target."""

from __future__ import annotations

from abc import abstractmethod
from dataclasses import dataclass, field

from roomkit.voice.audio_frame import AudioFrame
from roomkit.voice.stage import AudioStage

__all__ = ["AGCConfig", "AGCProvider"]


@dataclass
class AGCConfig:
    """Gain control targets, handed to each per-session AGC (:meth:`AGCProvider.configure`)."""

    target_level_dbfs: float = -3.0
    max_gain_db: float = 30.0
    attack_ms: float = 10.0
    release_ms: float = 100.0
    metadata: dict[str, object] = field(default_factory=dict)


class AGCProvider(AudioStage):
    """Adjusts the gain of one session's inbound audio.

    Skipped when the backend declares ``VoiceCapability.NATIVE_AGC``.
    """

    config: AGCConfig | None = None

    @abstractmethod
    def process(self, frame: AudioFrame) -> AudioFrame:
        """Return the frame with gain applied."""

    def configure(self, config: AGCConfig) -> None:
        """Receive the pipeline's :class:`AGCConfig` (called on each per-session instance)."""
        self.config = config
