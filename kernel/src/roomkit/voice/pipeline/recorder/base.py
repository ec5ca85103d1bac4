"""Recording of a session's inbound and outbound audio."""

from __future__ import annotations

from abc import abstractmethod
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING

from roomkit.voice.audio_frame import AudioFrame
from roomkit.voice.stage import AudioStage

if TYPE_CHECKING:
    from roomkit.voice.base import VoiceSession

__all__ = [
    "AudioRecorder",
    "RecordingChannelMode",
    "RecordingConfig",
    "RecordingHandle",
    "RecordingMode",
    "RecordingResult",
    "RecordingTrigger",
]


class RecordingMode(StrEnum):
    """Which directions are recorded."""

    INBOUND_ONLY = "inbound_only"
    OUTBOUND_ONLY = "outbound_only"
    BOTH = "both"


class RecordingTrigger(StrEnum):
    """When inbound audio is recorded: always, or only while the caller speaks."""

    ALWAYS = "always"
    SPEECH_ONLY = "speech_only"


class RecordingChannelMode(StrEnum):
    """How the two directions are laid out in the recording."""

    MIXED = "mixed"
    SEPARATE = "separate"
    STEREO = "stereo"


@dataclass
class RecordingConfig:
    """What to record and where (``storage`` is a directory or URL prefix for the recorder)."""

    mode: RecordingMode = RecordingMode.BOTH
    trigger: RecordingTrigger = RecordingTrigger.ALWAYS
    channels: RecordingChannelMode = RecordingChannelMode.MIXED
    format: str = "wav"
    storage: str = ""
    retention_days: int | None = None
    metadata: dict[str, object] = field(default_factory=dict)


@dataclass
class RecordingHandle:
    """An active recording of one session."""

    id: str
    session_id: str
    state: str = "recording"
    started_at: datetime | None = None
    path: str = ""


@dataclass
class RecordingResult:
    """A finished recording."""

    id: str
    urls: list[str] = field(default_factory=list)
    duration_seconds: float = 0.0
    format: str = "wav"
    mode: RecordingChannelMode = RecordingChannelMode.MIXED
    size_bytes: int = 0
    metadata: dict[str, object] = field(default_factory=dict)


class AudioRecorder(AudioStage):
    """Records one session: started when the session becomes active, stopped when it ends."""

    @abstractmethod
    def start(self, session: VoiceSession, config: RecordingConfig) -> RecordingHandle:
        """Begin recording ``session``."""

    @abstractmethod
    def stop(self, handle: RecordingHandle) -> RecordingResult:
        """Finish the recording and say where it is."""

    @abstractmethod
    def tap_inbound(self, handle: RecordingHandle, frame: AudioFrame) -> None:
        """Add a frame of the caller's audio."""

    @abstractmethod
    def tap_outbound(self, handle: RecordingHandle, frame: AudioFrame) -> None:
        """Add a frame of the agent's (played) audio."""
