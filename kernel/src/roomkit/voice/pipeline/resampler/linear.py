"""A pure-Python linear-interpolation resampler: good enough for tests and telephony
prototypes, not for production quality (use the soxr resampler of ``roomkit-audio``)."""

from __future__ import annotations

import math

from roomkit.errors import AudioFormatError
from roomkit.voice.audio_frame import AudioFrame
from roomkit.voice.pcm import SAMPLE_WIDTH, samples, to_bytes
from roomkit.voice.pipeline.resampler.base import ResamplerProvider

__all__ = ["LinearResamplerProvider"]


def _mix(values: list[int], source: int, target: int) -> list[int]:
    """Convert interleaved samples from ``source`` to ``target`` channels."""
    if source == target:
        return values
    frames = len(values) // source
    if target == 1:
        return [sum(values[f * source : f * source + source]) // source for f in range(frames)]
    if source == 1:
        return [v for v in values for _ in range(target)]
    mono = _mix(values, source, 1)
    return [v for v in mono for _ in range(target)]


class LinearResamplerProvider(ResamplerProvider):
    """Converts rate by linear interpolation and channels by averaging or duplicating.

    Keeps the last sample and the fractional read position between frames, so consecutive
    frames of one stream join without clicks; a change of input rate restarts that state.
    """

    def __init__(self) -> None:
        self._prev: list[int] | None = None
        self._position = 0.0
        self._rates: tuple[int, int] | None = None

    @property
    def name(self) -> str:
        return "LinearResamplerProvider"

    def reset(self) -> None:
        self._prev = None
        self._position = 0.0
        self._rates = None

    def resample(
        self, frame: AudioFrame, target_rate: int, target_channels: int, target_width: int
    ) -> AudioFrame:
        if target_width != SAMPLE_WIDTH:
            raise AudioFormatError(f"only 16-bit output is supported, got width {target_width}")
        if frame.sample_rate == target_rate and frame.channels == target_channels:
            return frame
        values = _mix(list(samples(frame.data)), frame.channels, target_channels)
        if frame.sample_rate != target_rate:
            values = self._convert_rate(values, frame.sample_rate, target_rate, target_channels)
        return AudioFrame(
            to_bytes(values), target_rate, target_channels, SAMPLE_WIDTH, frame.timestamp_ms
        )

    def _convert_rate(
        self, values: list[int], source: int, target: int, channels: int
    ) -> list[int]:
        if self._rates != (source, target) or self._prev is None or len(self._prev) != channels:
            self._rates = (source, target)
            self._prev = None
            self._position = 0.0
        count = len(values) // channels
        if count == 0:
            return []
        prev = self._prev if self._prev is not None else values[:channels]
        step = source / target
        out: list[int] = []
        position = self._position
        last = count - 1
        while position <= last:
            index = math.floor(position)
            frac = position - index
            for c in range(channels):
                left = prev[c] if index < 0 else values[index * channels + c]
                if frac == 0.0:
                    out.append(left)
                    continue
                right = values[(index + 1) * channels + c]
                out.append(round(left + (right - left) * frac))
            position += step
        self._position = position - count
        self._prev = values[last * channels : last * channels + channels]
        return out
