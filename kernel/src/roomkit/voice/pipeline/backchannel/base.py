"""Backchannel detection: tell "uh-huh" apart from a real interruption."""

from __future__ import annotations

from abc import abstractmethod
from dataclasses import dataclass, field
from typing import Any

from roomkit.voice.stage import AudioStage

__all__ = ["BackchannelContext", "BackchannelDecision", "BackchannelDetector"]


@dataclass
class BackchannelContext:
    """What the user said (or its audio) while the agent was speaking.

    ``bot_speech_progress`` is the fraction (0-1) of the agent's utterance already played.
    """

    transcript: str | None = None
    speech_duration_ms: float = 0.0
    audio_bytes: bytes | None = None
    bot_speech_progress: float = 0.0
    session_id: str = ""
    metadata: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class BackchannelDecision:
    """Whether the utterance is a backchannel (and should not interrupt)."""

    is_backchannel: bool
    confidence: float = 1.0
    label: str | None = None


class BackchannelDetector(AudioStage):
    """Classifies speech heard during playback, for one session."""

    @abstractmethod
    def classify(self, context: BackchannelContext) -> BackchannelDecision:
        """Is this utterance a backchannel?"""
