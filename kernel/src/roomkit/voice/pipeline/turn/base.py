"""Turn detection: after a transcript, decide whether the user finished their turn."""

from __future__ import annotations

from abc import abstractmethod
from dataclasses import dataclass, field
from typing import Any

from roomkit.voice.stage import AudioStage

__all__ = ["TurnContext", "TurnDecision", "TurnDetector", "TurnEntry"]


@dataclass(frozen=True, slots=True)
class TurnEntry:
    """One earlier utterance of the conversation."""

    text: str
    role: str | None = None
    duration_ms: float | None = None


@dataclass
class TurnContext:
    """What a turn detector sees: the transcript so far, timing, history and audio."""

    conversation_history: list[TurnEntry] = field(default_factory=list)
    silence_duration_ms: float = 0.0
    transcript: str = ""
    is_final: bool = False
    speech_duration_ms: float = 0.0
    session_id: str = ""
    metadata: dict[str, Any] = field(default_factory=dict)
    audio_bytes: bytes | None = None
    audio_sample_rate: int = 16000


@dataclass(frozen=True, slots=True)
class TurnDecision:
    """Whether the turn is complete; ``suggested_wait_ms`` before asking again if not."""

    is_complete: bool
    confidence: float = 1.0
    reason: str | None = None
    suggested_wait_ms: float | None = None


class TurnDetector(AudioStage):
    """Decides turn completion for one session (set ``blocking = True`` for model inference)."""

    @abstractmethod
    def evaluate(self, context: TurnContext) -> TurnDecision:
        """Is the user's turn complete?"""
