"""The unit of audio the pipeline processes: one frame of PCM16 with its format."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from roomkit.errors import AudioFormatError
from roomkit.voice.pcm import MAX_CHANNELS, MAX_SAMPLE_RATE, SAMPLE_WIDTH, check_pcm16, duration_ms

__all__ = ["AudioFrame", "split_frames"]


@dataclass(slots=True)
class AudioFrame:
    """One frame of inbound or outbound audio: signed 16-bit little-endian PCM.

    ``data`` holds whole samples (``len(data)`` is a multiple of ``2 * channels``),
    ``sample_rate`` is in Hz, ``timestamp_ms`` is the position of the first sample in the
    stream when the source knows it. Treat frames as immutable (they are validated once, when
    built, and the same frame reaches several stages and callbacks): a stage that changes
    audio returns a new frame (``frame.with_data(...)``). Bad values raise
    :class:`~roomkit.errors.AudioFormatError` (a ``ValueError``).
    """

    data: bytes
    sample_rate: int = 16000
    channels: int = 1
    sample_width: int = SAMPLE_WIDTH
    timestamp_ms: float | None = None
    metadata: dict[str, Any] = field(default_factory=dict, hash=False)

    def __post_init__(self) -> None:
        data = self.data
        channels = self.channels
        # Fast path for the common case (runs for every frame); check_pcm16 explains failures.
        if (
            type(data) is bytes
            and type(self.sample_rate) is int
            and 0 < self.sample_rate <= MAX_SAMPLE_RATE
            and type(channels) is int
            and 0 < channels <= MAX_CHANNELS
            and not len(data) % (SAMPLE_WIDTH * channels)
            and self.sample_width == SAMPLE_WIDTH
        ):
            return
        if isinstance(data, bytearray | memoryview):
            self.data = bytes(data)
        if self.sample_width != SAMPLE_WIDTH:
            raise AudioFormatError(
                f"audio frame: sample_width must be 2 (16-bit PCM), got {self.sample_width!r}; "
                "convert the audio to PCM16 before it enters RoomKit"
            )
        check_pcm16(self.data, self.sample_rate, self.channels, what="audio frame")

    @property
    def num_samples(self) -> int:
        """Samples per channel in this frame."""
        return len(self.data) // (SAMPLE_WIDTH * self.channels)

    @property
    def duration_ms(self) -> float:
        """Length of the frame in milliseconds."""
        return duration_ms(len(self.data), self.sample_rate, self.channels)

    def with_data(self, data: bytes, **changes: Any) -> AudioFrame:
        """A copy carrying ``data`` (and any other changed fields), format kept otherwise."""
        return AudioFrame(
            data,
            changes.pop("sample_rate", self.sample_rate),
            changes.pop("channels", self.channels),
            SAMPLE_WIDTH,
            changes.pop("timestamp_ms", self.timestamp_ms),
            changes.pop("metadata", self.metadata),
        )


def split_frames(
    data: bytes,
    sample_rate: int = 16000,
    channels: int = 1,
    *,
    frame_ms: float = 20.0,
    start_ms: float = 0.0,
) -> Iterator[AudioFrame]:
    """Cut PCM16 ``data`` into consecutive frames of ``frame_ms`` (the last may be shorter)."""
    check_pcm16(data, sample_rate, channels, what="split_frames")
    step = max(1, round(sample_rate * frame_ms / 1000.0)) * SAMPLE_WIDTH * channels
    for offset in range(0, len(data), step):
        chunk = data[offset : offset + step]
        position = start_ms + duration_ms(offset, sample_rate, channels)
        yield AudioFrame(chunk, sample_rate, channels, SAMPLE_WIDTH, position)
