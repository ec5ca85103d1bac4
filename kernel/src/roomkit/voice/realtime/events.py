"""Events of a speech-to-speech (realtime voice) session, RoomKit 0.6.7's names and fields."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Literal

from roomkit.voice.base import VoiceSession

__all__ = [
    "RealtimeErrorEvent",
    "RealtimeSpeechEvent",
    "RealtimeToolCallEvent",
    "RealtimeTranscriptionEvent",
]


def _utcnow() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True, slots=True)
class RealtimeTranscriptionEvent:
    """What the provider heard (``role="user"``) or said (``role="assistant"``)."""

    session: VoiceSession
    text: str
    role: Literal["user", "assistant"] | str
    is_final: bool
    item_id: str | None = None
    timestamp: datetime = field(default_factory=_utcnow)


@dataclass(frozen=True, slots=True)
class RealtimeSpeechEvent:
    """The provider's own VAD: the user started (``type="start"``) or stopped speaking."""

    session: VoiceSession
    type: Literal["start", "end"] | str
    timestamp: datetime = field(default_factory=_utcnow)


@dataclass(frozen=True, slots=True)
class RealtimeToolCallEvent:
    """The model asked for a tool; answer with ``submit_tool_result``."""

    session: VoiceSession
    tool_call_id: str
    name: str
    arguments: dict[str, Any]
    timestamp: datetime = field(default_factory=_utcnow)


@dataclass(frozen=True, slots=True)
class RealtimeErrorEvent:
    """The provider reported an error (``code`` is the provider's)."""

    session: VoiceSession
    code: str
    message: str
    timestamp: datetime = field(default_factory=_utcnow)
