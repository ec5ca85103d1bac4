"""Utterance buffering for one session: pre-roll before speech, the speech itself, a bound.

The VAD says *when* speech starts and ends; this keeps the audio. Frames heard while idle go
to a pre-roll ring of ``speech_pad_ms`` (so the first syllable is not cut); from
``SPEECH_START`` every frame is kept until ``SPEECH_END`` or until ``max_speech_duration_ms``
is reached (the caller then ends the utterance and starts a new one).
"""

from __future__ import annotations

import math
from collections import deque

from roomkit.voice.audio_frame import AudioFrame
from roomkit.voice.pcm import SAMPLE_WIDTH
from roomkit.voice.pipeline.vad.base import VADConfig

__all__ = ["SpeechSegmenter"]


class SpeechSegmenter:
    """Pre-roll ring and utterance buffer of one session."""

    __slots__ = (
        "_chunks",
        "_frame_bytes",
        "_max_ms",
        "_pad_ms",
        "_preroll",
        "in_speech",
        "speech_bytes",
        "started_at_ms",
    )

    def __init__(self, config: VADConfig | None) -> None:
        config = config or VADConfig()
        self._pad_ms = config.speech_pad_ms
        self._max_ms = config.max_speech_duration_ms
        self._preroll: deque[AudioFrame] = deque()
        self._frame_bytes = -1
        self._chunks: list[bytes] = []
        self.in_speech = False
        self.speech_bytes = 0
        self.started_at_ms: float | None = None

    def idle(self, frame: AudioFrame) -> None:
        """Keep ``frame`` in the pre-roll ring (about ``speech_pad_ms`` of the latest audio)."""
        ring = self._preroll
        if ring.maxlen is None or len(frame.data) != self._frame_bytes:
            ring = self._resize(frame)
            if ring.maxlen == 0:
                return
        ring.append(frame)

    def _resize(self, frame: AudioFrame) -> deque[AudioFrame]:
        """Size the ring for frames like ``frame`` (the ring counts frames, so it is cheap)."""
        self._frame_bytes = len(frame.data)
        per_ms = frame.sample_rate * frame.channels * SAMPLE_WIDTH / 1000
        frames = math.ceil(self._pad_ms * per_ms / self._frame_bytes) if self._frame_bytes else 0
        self._preroll = deque(self._preroll, maxlen=frames)
        return self._preroll

    def start(self, frame: AudioFrame, preroll: bytes | None = None) -> bytes:
        """Speech began at ``frame``; ``preroll`` replaces the ring when the VAD supplies it
        (its onset: the audio it heard before confirming speech). Returns the utterance's
        audio from before ``frame`` (what a streaming consumer must hear first)."""
        if preroll is not None:
            head = preroll
            self.started_at_ms = frame.timestamp_ms
        else:
            ring = self._preroll
            head = b"".join([f.data for f in ring])
            self.started_at_ms = ring[0].timestamp_ms if ring else frame.timestamp_ms
        self._chunks = [head, frame.data]
        self.speech_bytes = len(head) + len(frame.data)
        self._preroll.clear()
        self.in_speech = True
        return head

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
