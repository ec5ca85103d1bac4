"""The live state of one voice session on a voice channel."""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field

from roomkit.channels.voice.playback import Player
from roomkit.channels.voice.turns import SpeechStream, TurnTaker
from roomkit.errors import AudioFormatError
from roomkit.models.room import ChannelBinding
from roomkit.voice.audio_frame import AudioFrame
from roomkit.voice.base import VoiceSession
from roomkit.voice.interruption import InterruptionHandler

__all__ = ["LiveSession"]

#: Turn latencies kept per session (end of speech -> first audio byte of the reply).
LATENCY_SAMPLES = 256


@dataclass
class LiveSession:
    """Everything a voice channel keeps for one session; nothing here is shared."""

    session: VoiceSession
    room_id: str
    binding: ChannelBinding | None
    player: Player
    turns: TurnTaker
    interruption: InterruptionHandler
    stream: SpeechStream | None = None
    in_speech: bool = False
    #: CONFIRMED barge-in: speech over playback is being timed.
    confirming: bool = False
    #: SEMANTIC barge-in: the transcript of the current speech decides.
    awaiting_transcript: bool = False
    speech_ms: float = 0.0
    speech_ended_at: float | None = None
    latencies_ms: deque[float] = field(default_factory=lambda: deque(maxlen=LATENCY_SAMPLES))
    #: Inbound rate limit: start of the current one-second window and its frame count.
    window_start: float = 0.0
    window_frames: int = 0
    dropped_frames: int = 0
    #: Consecutive frames the pipeline refused (reported once per streak).
    format_errors: int = 0
    #: Batch mode: PCM buffered until ``flush_stt``, with its (rate, channels).
    batch: bytearray = field(default_factory=bytearray)
    batch_format: tuple[int, int] | None = None

    def admit(self, now: float, per_second: int) -> bool:
        """Count an inbound frame against the per-second limit; False when it must be dropped."""
        if now - self.window_start >= 1.0:
            self.window_start, self.window_frames = now, 0
        self.window_frames += 1
        if self.window_frames > per_second:
            self.dropped_frames += 1
            return False
        return True

    def buffer(self, frame: AudioFrame, max_seconds: int) -> None:
        """Batch mode: keep ``frame`` for ``flush_stt`` (at most ``max_seconds``; beyond, frames
        are dropped and counted). A frame in another format raises
        :class:`~roomkit.errors.AudioFormatError`."""
        fmt = (frame.sample_rate, frame.channels)
        if self.batch_format is None:
            self.batch_format = fmt
        elif self.batch_format != fmt:
            raise AudioFormatError(
                f"voice session {self.session.id!r}: audio changed from {self.batch_format} to "
                f"{fmt} (rate, channels) within one batch; flush_stt() first"
            )
        if len(self.batch) + len(frame.data) > max_seconds * fmt[0] * fmt[1] * 2:
            self.dropped_frames += 1
            return
        self.batch += frame.data
