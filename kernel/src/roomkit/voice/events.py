"""Voice events: what the audio pipeline and a voice channel report about a session.

Each is a small frozen dataclass carrying the :class:`~roomkit.voice.base.VoiceSession` it is
about and a UTC timestamp. The names and fields are RoomKit 0.6.7's; ``SpeechStartEvent`` and
``SpeechEndEvent`` are new (0.6.7 only had the raw VAD event), and ``AudioLevelEvent`` gained a
``direction``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Literal, TypeAlias

from roomkit.models.enums import ChannelType
from roomkit.voice.audio_frame import AudioFrame
from roomkit.voice.base import VoiceSession

__all__ = [
    "AudioLevelEvent",
    "BackchannelEvent",
    "BargeInEvent",
    "DTMFDetectedEvent",
    "PartialTranscriptionEvent",
    "RecordingStartedEvent",
    "RecordingStoppedEvent",
    "SessionStartedEvent",
    "SpeakerChangeEvent",
    "SpeechEndEvent",
    "SpeechStartEvent",
    "TTSCancelledEvent",
    "TurnCompleteEvent",
    "TurnIncompleteEvent",
    "VADAudioLevelEvent",
    "VADSilenceEvent",
    "VoiceEvent",
]


def _utcnow() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True, slots=True)
class SpeechStartEvent:
    """The VAD heard speech begin.

    ``preroll``: the utterance's audio from before the frame that confirmed speech (the
    pipeline's ``speech_pad_ms`` ring, or the onset the VAD heard before confirming it), so
    a consumer that streams the utterance (streaming STT) starts at its real beginning.
    """

    session: VoiceSession
    confidence: float | None = None
    timestamp: datetime = field(default_factory=_utcnow)
    preroll: AudioFrame | None = None


@dataclass(frozen=True, slots=True)
class SpeechEndEvent:
    """The VAD heard speech end; ``audio`` is the whole utterance (pre-roll included)."""

    session: VoiceSession
    audio: AudioFrame
    duration_ms: float
    timestamp: datetime = field(default_factory=_utcnow)


@dataclass(frozen=True, slots=True)
class VADSilenceEvent:
    """Silence detected after speech."""

    session: VoiceSession
    silence_duration_ms: int
    timestamp: datetime = field(default_factory=_utcnow)


@dataclass(frozen=True, slots=True)
class VADAudioLevelEvent:
    """Periodic level from the VAD (for UI meters)."""

    session: VoiceSession
    level_db: float
    is_speech: bool
    timestamp: datetime = field(default_factory=_utcnow)


@dataclass(frozen=True, slots=True)
class AudioLevelEvent:
    """Periodic level of the session's inbound (microphone) or outbound (playback) audio."""

    session: VoiceSession
    level_db: float
    timestamp: datetime = field(default_factory=_utcnow)
    direction: Literal["inbound", "outbound"] = "inbound"


@dataclass(frozen=True, slots=True)
class SpeakerChangeEvent:
    """Diarization found a different speaker."""

    session: VoiceSession
    speaker_id: str
    confidence: float
    is_new_speaker: bool
    timestamp: datetime = field(default_factory=_utcnow)


@dataclass(frozen=True, slots=True)
class DTMFDetectedEvent:
    """A DTMF key press was detected in the audio or signalled by the transport."""

    session: VoiceSession
    digit: str
    duration_ms: float
    confidence: float = 1.0
    timestamp: datetime = field(default_factory=_utcnow)


@dataclass(frozen=True, slots=True)
class RecordingStartedEvent:
    """Recording of the session started; ``id`` is the recording's id."""

    session: VoiceSession
    id: str
    timestamp: datetime = field(default_factory=_utcnow)


@dataclass(frozen=True, slots=True)
class RecordingStoppedEvent:
    """Recording of the session stopped; ``urls`` say where the audio is."""

    session: VoiceSession
    id: str
    urls: tuple[str, ...] = ()
    duration_seconds: float = 0.0
    timestamp: datetime = field(default_factory=_utcnow)


@dataclass(frozen=True, slots=True)
class BargeInEvent:
    """The user spoke over playback and the playback was interrupted."""

    session: VoiceSession
    interrupted_text: str
    audio_position_ms: int
    timestamp: datetime = field(default_factory=_utcnow)


@dataclass(frozen=True, slots=True)
class TTSCancelledEvent:
    """Speech playback was cancelled before it finished."""

    session: VoiceSession
    reason: Literal["barge_in", "explicit", "disconnect", "error"]
    text: str
    audio_position_ms: int
    timestamp: datetime = field(default_factory=_utcnow)


@dataclass(frozen=True, slots=True)
class PartialTranscriptionEvent:
    """An interim transcription while the user is still speaking."""

    session: VoiceSession
    text: str
    confidence: float
    is_stable: bool
    timestamp: datetime = field(default_factory=_utcnow)


@dataclass(frozen=True, slots=True)
class BackchannelEvent:
    """A short acknowledgement ("uh-huh", "yeah") that is not an interruption."""

    session: VoiceSession
    text: str
    confidence: float = 1.0
    timestamp: datetime = field(default_factory=_utcnow)


@dataclass(frozen=True, slots=True)
class TurnCompleteEvent:
    """The user's turn is complete: the transcript goes to the room."""

    session: VoiceSession
    text: str
    confidence: float = 1.0
    timestamp: datetime = field(default_factory=_utcnow)


@dataclass(frozen=True, slots=True)
class TurnIncompleteEvent:
    """The user paused mid-turn: the transcript is held until the turn completes."""

    session: VoiceSession
    text: str
    confidence: float = 1.0
    timestamp: datetime = field(default_factory=_utcnow)


@dataclass(frozen=True, slots=True)
class SessionStartedEvent:
    """A session started on a channel; for voice, its audio path is live."""

    room_id: str
    channel_id: str
    channel_type: ChannelType
    participant_id: str
    session: Any | None = None
    timestamp: datetime = field(default_factory=_utcnow)


#: Every event the audio pipeline emits through ``AudioPipeline.on_event`` (``AudioLevelEvent``
#: comes through ``on_input_level`` / ``on_output_level`` instead).
VoiceEvent: TypeAlias = (
    SpeechStartEvent
    | SpeechEndEvent
    | VADSilenceEvent
    | VADAudioLevelEvent
    | SpeakerChangeEvent
    | DTMFDetectedEvent
    | RecordingStartedEvent
    | RecordingStoppedEvent
)
