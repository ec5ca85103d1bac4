"""Acoustic echo cancellation: removes the agent's own playback from the microphone signal."""

from __future__ import annotations

from abc import abstractmethod

from roomkit.voice.audio_frame import AudioFrame
from roomkit.voice.stage import AudioStage

__all__ = ["AECProvider"]


class AECProvider(AudioStage):
    """Cancels echo in one session's inbound audio.

    The pipeline feeds every outbound (played) frame to :meth:`feed_reference` and every
    inbound frame through :meth:`process`. Skipped when the backend declares
    ``VoiceCapability.NATIVE_AEC``.
    """

    #: False while bypassed (:meth:`set_active`); implementations return frames unchanged then.
    active: bool = True

    @abstractmethod
    def process(self, frame: AudioFrame) -> AudioFrame:
        """Return the inbound frame with the echo of the reference signal removed."""

    @abstractmethod
    def feed_reference(self, frame: AudioFrame) -> None:
        """Record a frame of playback audio: the echo to look for in later inbound frames."""

    def set_active(self, active: bool) -> None:
        """Enable or bypass echo cancellation."""
        self.active = active
