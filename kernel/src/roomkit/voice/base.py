"""Core voice types: audio chunks, transcription results, sessions and backend capabilities.

These keep RoomKit 0.6.7's names and constructor shapes (``roomkit.voice.base``).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import Flag, StrEnum
from typing import TYPE_CHECKING, Any

from roomkit.errors import AudioFormatError
from roomkit.voice.pcm import check_pcm16

if TYPE_CHECKING:
    from roomkit.voice.audio_frame import AudioFrame

__all__ = [
    "PCM_S16LE",
    "AudioChunk",
    "AudioPlayedCallback",
    "AudioReceivedCallback",
    "BargeInCallback",
    "SessionReadyCallback",
    "SpeakerChangeCallback",
    "TranscriptionResult",
    "TransportDisconnectCallback",
    "VoiceCapability",
    "VoiceSession",
    "VoiceSessionState",
]

#: The ``format`` of raw PCM16 chunks (the only one the pipeline processes).
PCM_S16LE = "pcm_s16le"


def _utcnow() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True, slots=True)
class AudioChunk:
    """A piece of a stream of audio (TTS output, STT streaming input).

    With the default ``format="pcm_s16le"`` the data is validated like an
    :class:`~roomkit.voice.audio_frame.AudioFrame` (whole 16-bit samples, positive rate);
    other formats (``"mp3"``, ``"mulaw"`` ...) are carried as opaque bytes. ``is_final`` marks
    the last chunk of a stream.
    """

    data: bytes
    sample_rate: int = 16000
    channels: int = 1
    format: str = PCM_S16LE
    timestamp_ms: int | None = None
    is_final: bool = False

    def __post_init__(self) -> None:
        data = self.data
        if type(data) is not bytes and isinstance(data, bytearray | memoryview):
            object.__setattr__(self, "data", bytes(data))
        if self.format == PCM_S16LE:
            check_pcm16(self.data, self.sample_rate, self.channels, what="audio chunk")
            return
        # Encoded audio (mp3, mulaw ...): opaque bytes, but the format fields must still hold.
        check_pcm16(b"", self.sample_rate, self.channels, what="audio chunk")
        if not isinstance(self.data, bytes) or not isinstance(self.format, str) or not self.format:
            raise AudioFormatError(
                f"audio chunk: data must be bytes and format a codec name, got "
                f"{type(self.data).__name__} / {self.format!r}"
            )

    @property
    def is_pcm(self) -> bool:
        """Whether the chunk holds raw PCM16 (the pipeline's format)."""
        return self.format == PCM_S16LE


@dataclass(slots=True)
class TranscriptionResult:
    """What a speech-to-text provider heard.

    ``is_final`` is false for interim (partial) results of a streaming transcription;
    ``words`` holds per-word details when the provider gives them (``{"word", "start",
    "end", "confidence"}``).
    """

    text: str
    is_final: bool = True
    confidence: float | None = None
    language: str | None = None
    words: list[dict[str, Any]] = field(default_factory=list)
    is_speech_start: bool = False


class VoiceCapability(Flag):
    """What a voice backend does itself, so the pipeline can skip the matching stage.

    ``NATIVE_AEC`` / ``NATIVE_AGC``: the transport already cancels echo / controls gain (the
    pipeline skips its AEC / AGC stage). ``INTERRUPTION`` / ``BARGE_IN``: it can stop playback
    / detects the caller talking over playback. ``DTMF_INBAND`` / ``DTMF_SIGNALING``: it
    reports DTMF from the audio / from signalling (RFC 4733, SIP INFO).
    """

    NONE = 0
    INTERRUPTION = 1
    BARGE_IN = 2
    NATIVE_AEC = 4
    NATIVE_AGC = 8
    DTMF_INBAND = 16
    DTMF_SIGNALING = 32


class VoiceSessionState(StrEnum):
    """Life cycle of a voice session."""

    CONNECTING = "connecting"
    ACTIVE = "active"
    PAUSED = "paused"
    ENDED = "ended"


@dataclass
class VoiceSession:
    """One participant's live audio connection through a voice backend.

    Every per-session resource (pipeline stage instances, buffers, recordings) is keyed by
    ``id``; nothing is shared between two sessions.
    """

    id: str
    room_id: str
    participant_id: str
    channel_id: str
    state: VoiceSessionState = VoiceSessionState.CONNECTING
    provider_session_id: str | None = None
    created_at: datetime = field(default_factory=_utcnow)
    metadata: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def new(
        cls,
        room_id: str,
        participant_id: str,
        channel_id: str,
        *,
        metadata: dict[str, Any] | None = None,
        state: VoiceSessionState = VoiceSessionState.ACTIVE,
    ) -> VoiceSession:
        """A session with a fresh random id (what backends hand out from ``connect``)."""
        return cls(
            id=uuid.uuid4().hex,
            room_id=room_id,
            participant_id=participant_id,
            channel_id=channel_id,
            state=state,
            metadata=dict(metadata or {}),
        )

    @property
    def is_active(self) -> bool:
        """Whether audio may flow (the session has not ended)."""
        return self.state is not VoiceSessionState.ENDED


#: ``callback(session, frame)``: a backend received an inbound audio frame.
AudioReceivedCallback = Callable[[VoiceSession, "AudioFrame"], Any]
#: ``callback(session)``: the backend detected the caller talking over playback.
BargeInCallback = Callable[[VoiceSession], Any]
#: ``callback(session)``: the session's audio path is live.
SessionReadyCallback = Callable[[VoiceSession], Any]
#: ``callback(session)``: the remote side hung up or the transport dropped.
TransportDisconnectCallback = Callable[[VoiceSession], Any]
#: ``callback(session, speaker)``: the backend itself reports a new active speaker.
SpeakerChangeCallback = Callable[[VoiceSession, Any], Any]
#: ``callback(session, frame)``: a frame of outbound audio was actually played.
AudioPlayedCallback = Callable[[VoiceSession, "AudioFrame"], Any]
