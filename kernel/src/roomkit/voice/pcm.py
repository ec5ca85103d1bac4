"""Pure-Python helpers for 16-bit little-endian PCM (the only sample format of the pipeline).

Validation, durations, levels and test signals. No numpy: these run per frame in the kernel,
so each is a few list or ``array`` operations. Real signal processing (resampling with soxr,
denoising ...) belongs in plugins.
"""

from __future__ import annotations

import math
import sys
from array import array

from roomkit.errors import AudioFormatError

__all__ = [
    "MAX_CHANNELS",
    "MAX_SAMPLE_RATE",
    "SAMPLE_WIDTH",
    "SILENCE_DB",
    "check_pcm16",
    "duration_ms",
    "rms",
    "rms_db",
    "samples",
    "silence",
    "to_bytes",
    "tone",
]

#: Bytes per sample: RoomKit audio is signed 16-bit little-endian PCM.
SAMPLE_WIDTH = 2
#: Highest sample rate accepted (Hz); anything above is taken as a unit mistake.
MAX_SAMPLE_RATE = 384_000
#: Most channels accepted in one frame.
MAX_CHANNELS = 32
#: The level reported for digital silence (dBFS), instead of minus infinity.
SILENCE_DB = -60.0

_SWAP = sys.byteorder == "big"


def check_pcm16(
    data: object, sample_rate: object, channels: object, *, what: str = "audio"
) -> None:
    """Raise :class:`~roomkit.errors.AudioFormatError` unless ``data`` is whole PCM16 samples.

    ``data`` must be ``bytes`` holding a whole number of ``channels`` x 2-byte samples;
    ``sample_rate`` a positive int (Hz) up to :data:`MAX_SAMPLE_RATE`; ``channels`` an int from
    1 to :data:`MAX_CHANNELS`. Empty data is valid (zero samples).
    """
    if type(sample_rate) is not int or not 0 < sample_rate <= MAX_SAMPLE_RATE:
        raise AudioFormatError(
            f"{what}: sample_rate must be a positive int of Hz (at most {MAX_SAMPLE_RATE}), "
            f"got {sample_rate!r}"
        )
    if type(channels) is not int or not 1 <= channels <= MAX_CHANNELS:
        raise AudioFormatError(
            f"{what}: channels must be an int from 1 to {MAX_CHANNELS}, got {channels!r}"
        )
    if not isinstance(data, bytes):
        raise AudioFormatError(f"{what}: data must be bytes of PCM16, got {type(data).__name__}")
    block = SAMPLE_WIDTH * channels
    if len(data) % block:
        raise AudioFormatError(
            f"{what}: {len(data)} bytes is not a whole number of 16-bit samples x {channels} "
            f"channel(s) ({block} bytes each); drop the trailing {len(data) % block} byte(s) "
            "or buffer them into the next frame"
        )


def duration_ms(nbytes: int, sample_rate: int, channels: int = 1) -> float:
    """Milliseconds of audio in ``nbytes`` of PCM16 at ``sample_rate`` and ``channels``."""
    return nbytes * 1000.0 / (SAMPLE_WIDTH * channels * sample_rate)


def samples(data: bytes) -> array[int]:
    """The samples of ``data`` as an ``array('h')`` (interleaved when multi-channel)."""
    values = array("h")
    values.frombytes(data)
    if _SWAP:
        values.byteswap()
    return values


def to_bytes(values: array[int] | list[int]) -> bytes:
    """Pack samples (clipped to the int16 range when given as a list) into PCM16 bytes."""
    if isinstance(values, list):
        values = array("h", [-32768 if v < -32768 else 32767 if v > 32767 else v for v in values])
    if _SWAP:
        values = array("h", values)
        values.byteswap()
    return values.tobytes()


def _sum_squares(values: array[int]) -> float:
    sumprod = getattr(math, "sumprod", None)  # Python 3.12+
    if sumprod is not None:
        return float(sumprod(values, values))
    return float(sum(v * v for v in values))


def rms(data: bytes) -> float:
    """Root-mean-square amplitude of PCM16 ``data`` (0 for empty data)."""
    if not data:
        return 0.0
    values = samples(data)
    return math.sqrt(_sum_squares(values) / len(values))


def rms_db(data: bytes) -> float:
    """RMS level of PCM16 ``data`` in dBFS, floored at :data:`SILENCE_DB` (-60)."""
    level = rms(data)
    if level <= 0.0:
        return SILENCE_DB
    return max(SILENCE_DB, 20.0 * math.log10(level / 32768.0))


def silence(duration: float, sample_rate: int = 16000, channels: int = 1) -> bytes:
    """``duration`` milliseconds of digital silence."""
    return bytes(SAMPLE_WIDTH * channels * round(sample_rate * duration / 1000.0))


def tone(
    frequency: float,
    duration: float,
    sample_rate: int = 16000,
    *,
    amplitude: float = 0.5,
    channels: int = 1,
) -> bytes:
    """A sine tone: ``duration`` ms at ``frequency`` Hz, ``amplitude`` a fraction of full scale."""
    count = round(sample_rate * duration / 1000.0)
    peak = max(0.0, min(1.0, amplitude)) * 32767
    step = 2.0 * math.pi * frequency / sample_rate
    mono = [round(peak * math.sin(step * n)) for n in range(count)]
    if channels == 1:
        return to_bytes(mono)
    return to_bytes([v for v in mono for _ in range(channels)])
