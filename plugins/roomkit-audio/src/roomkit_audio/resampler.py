"""A streaming resampler on libsoxr (``soxr.ResampleStream``)."""

from __future__ import annotations

from typing import Any, Literal

import numpy as np
import soxr

from roomkit.errors import AudioFormatError, ConfigurationError
from roomkit.voice.audio_frame import AudioFrame
from roomkit.voice.pcm import SAMPLE_WIDTH
from roomkit.voice.pipeline.resampler.base import ResamplerProvider
from roomkit_audio._pcm import from_int16, mix_channels, to_int16

__all__ = ["SoxrResamplerProvider"]

Quality = Literal["QQ", "LQ", "MQ", "HQ", "VHQ"]
_QUALITIES = ("QQ", "LQ", "MQ", "HQ", "VHQ")
_SCALE = np.float32(1.0 / 32768.0)


class SoxrResamplerProvider(ResamplerProvider):
    """Converts sample rate with libsoxr and channels by averaging or duplicating.

    One instance converts one stream (the pipeline gives each session an inbound and an
    outbound instance), so the soxr filter state carries from frame to frame and consecutive
    frames join without clicks. The filter delays its output by a few milliseconds; call
    :meth:`flush` at the end of a stream for the held samples. A change of input rate, target
    rate or channel count starts a new filter.

    ``quality``: libsoxr's recipe, ``"QQ"`` (quick) to ``"VHQ"``; ``"HQ"`` is the default and
    plenty for speech.
    """

    def __init__(self, quality: Quality = "HQ") -> None:
        if quality not in _QUALITIES:
            raise ConfigurationError(
                f"SoxrResamplerProvider quality must be one of {', '.join(_QUALITIES)}, "
                f"got {quality!r}"
            )
        self.quality: Quality = quality
        self._stream: Any = None
        self._key: tuple[int, int, int] | None = None

    @property
    def name(self) -> str:
        return "SoxrResamplerProvider"

    def _stream_for(self, source: int, target: int, channels: int) -> Any:
        key = (source, target, channels)
        if self._key != key:
            # float32 in and out: libsoxr dithers int16 output with a random generator, which
            # would make the same input give different output.
            self._stream = soxr.ResampleStream(
                source, target, channels, dtype="float32", quality=self.quality
            )
            self._key = key
        return self._stream

    def resample(
        self, frame: AudioFrame, target_rate: int, target_channels: int, target_width: int
    ) -> AudioFrame:
        if target_width != SAMPLE_WIDTH:
            raise AudioFormatError(
                f"SoxrResamplerProvider produces 16-bit PCM only, got target_width={target_width}"
            )
        if frame.sample_rate == target_rate and frame.channels == target_channels:
            return frame
        values = mix_channels(to_int16(frame.data, frame.channels), target_channels)
        if frame.sample_rate != target_rate:
            stream = self._stream_for(frame.sample_rate, target_rate, target_channels)
            scaled = np.ascontiguousarray(values, dtype=np.float32) * _SCALE
            values = stream.resample_chunk(scaled, last=False) / _SCALE
        return AudioFrame(
            from_int16(values), target_rate, target_channels, SAMPLE_WIDTH, frame.timestamp_ms
        )

    def flush(self, target_rate: int, target_channels: int, target_width: int) -> AudioFrame | None:
        """The samples still inside the filter (``None`` when there are none)."""
        stream, key = self._stream, self._key
        self._stream = self._key = None
        if stream is None or key is None or key[1:] != (target_rate, target_channels):
            return None
        empty = np.zeros((0, target_channels), dtype=np.float32)
        tail = stream.resample_chunk(empty, last=True) / _SCALE
        if not len(tail):
            return None
        return AudioFrame(from_int16(tail), target_rate, target_channels)

    def reset(self) -> None:
        self._stream = None
        self._key = None

    def close(self) -> None:
        self.reset()
