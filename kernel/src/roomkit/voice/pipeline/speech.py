"""Utterance buffering for one session: pre-roll before speech, the speech itself, a bound.

The VAD says *when* speech starts and ends; this keeps the audio. Frames heard while idle go
to a pre-roll ring of ``speech_pad_ms`` (so the first syllable is not cut); from
``SPEECH_START`` every frame is kept until ``SPEECH_END`` or until ``max_speech_duration_ms``
is reached (the caller then ends the utterance and starts a new one).
"""

from __future__ import annotations

from collections import deque

from roomkit.voice.audio_frame import AudioFrame
from roomkit.voice.pcm import SAMPLE_WIDTH
from roomkit.voice.pipeline.vad.base import VADConfig

__all__ = ["SpeechSegmenter"]


class SpeechSegmenter:
    """Pre-roll ring and utterance buffer of one session."""

    __slots__ = (
        "_chunks",
        "_limit",
        "_max_ms",
        "_pad_ms",
        "_preroll",
        "_preroll_bytes",
        "in_speech",
        "speech_bytes",
        "started_at_ms",
    )

    def __init__(self, config: VADConfig | None) -> None:
        config = config or VADConfig()
        self._pad_ms = config.speech_pad_ms
        self._max_ms = config.max_speech_duration_ms
        self._preroll: deque[AudioFrame] = deque()
        self._preroll_bytes = 0
        self._limit: tuple[int, int, int] = (0, 0, 0)  # (rate, channels, bytes) of the ring
        self._chunks: list[bytes] = []
        self.in_speech = False
        self.speech_bytes = 0
        self.started_at_ms: float | None = None

    def idle(self, frame: AudioFrame) -> None:
        """Keep ``frame`` in the pre-roll ring, dropping what is older than ``speech_pad_ms``."""
        if self._pad_ms <= 0:
            return
        ring = self._preroll
        ring.append(frame)
        size = self._preroll_bytes + len(frame.data)
        rate, channels, limit = self._limit
        if rate != frame.sample_rate or channels != frame.channels:
            rate, channels = frame.sample_rate, frame.channels
            limit = self._pad_ms * rate * channels * SAMPLE_WIDTH // 1000
            self._limit = (rate, channels, limit)
        while size - len(ring[0].data) >= limit:
            size -= len(ring.popleft().data)
        self._preroll_bytes = size

    def start(self, frame: AudioFrame, preroll: bytes | None = None) -> None:
        """Speech began at ``frame``; ``preroll`` replaces the ring when the VAD supplies it."""
        if preroll is not None:
            self._chunks = [preroll]
            self.started_at_ms = frame.timestamp_ms
        else:
            ring = self._preroll
            self._chunks = [f.data for f in ring]
            self.started_at_ms = ring[0].timestamp_ms if ring else frame.timestamp_ms
        self._chunks.append(frame.data)
        self.speech_bytes = sum(len(c) for c in self._chunks)
        self._preroll.clear()
        self._preroll_bytes = 0
        self.in_speech = True

    def add(self, frame: AudioFrame) -> bool:
        """Keep a frame of ongoing speech; True when the utterance reached its length bound."""
        self._chunks.append(frame.data)
        self.speech_bytes += len(frame.data)
        bound = self._max_ms * frame.sample_rate * frame.channels * SAMPLE_WIDTH // 1000
        return self.speech_bytes >= bound

    def end(self) -> bytes:
        """Speech ended: return the utterance and go idle."""
        audio = b"".join(self._chunks)
        self.clear()
        return audio

    def clear(self) -> None:
        """Drop everything buffered (session reset or end)."""
        self._chunks = []
        self.speech_bytes = 0
        self.in_speech = False
        self.started_at_ms = None
        self._preroll.clear()
        self._preroll_bytes = 0
