"""numpy views of PCM16 audio shared by the stages of this package."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

__all__ = ["Int16Array", "from_int16", "mix_channels", "to_int16"]

Int16Array = npt.NDArray[np.int16]


def to_int16(data: bytes, channels: int = 1) -> Int16Array:
    """PCM16 little-endian bytes as an ``(samples, channels)`` int16 array (a copy-free view)."""
    values = np.frombuffer(data, dtype="<i2")
    return values.reshape(-1, channels).astype(np.int16, copy=False)


def from_int16(values: npt.NDArray[np.generic]) -> bytes:
    """Samples (any numeric dtype, clipped to the int16 range) as PCM16 little-endian bytes."""
    if values.dtype != np.int16:
        values = np.clip(np.rint(values), -32768, 32767).astype(np.int16)
    return values.astype("<i2", copy=False).tobytes()


def mix_channels(values: Int16Array, target: int) -> Int16Array:
    """Convert ``(samples, channels)`` audio to ``target`` channels.

    Down to mono averages the channels; up from mono duplicates it; anything else goes
    through mono.
    """
    source = values.shape[1]
    if source == target:
        return values
    if target == 1:
        mono: Int16Array = np.rint(values.mean(axis=1, dtype=np.float64)).astype(np.int16)
        return mono.reshape(-1, 1)
    single = values if source == 1 else mix_channels(values, 1)
    return np.repeat(single, target, axis=1)
