"""DTMF key detection: Goertzel tone powers over fixed-length blocks."""

from __future__ import annotations

import math

import numpy as np
import numpy.typing as npt

from roomkit.voice.audio_frame import AudioFrame
from roomkit.voice.pipeline.dtmf.base import DTMFDetector, DTMFEvent
from roomkit_audio._pcm import mix_channels, to_int16

__all__ = ["GoertzelDTMFDetector"]

_ROWS = (697.0, 770.0, 852.0, 941.0)
_COLUMNS = (1209.0, 1336.0, 1477.0, 1633.0)
_KEYS = ("123A", "456B", "789C", "*0#D")
#: Block length in seconds: 205 samples at 8 kHz, the classic choice (about 40 Hz bins).
_BLOCK_SECONDS = 205 / 8000


class GoertzelDTMFDetector(DTMFDetector):
    """Finds the sixteen DTMF keys in a session's audio (any sample rate, one per stream).

    Audio is cut into blocks of 25.6 ms; in each block the Goertzel power is measured at the
    8 DTMF frequencies (for all 8 at once, as a matrix product). A block holds a key when one
    row and one column tone stand out: together they carry at least ``min_tone_share`` of the
    block's energy, each is at least 6 dB above the other tones of its group, the two differ
    by at most ``max_twist_db``, and the block is louder than ``min_level_dbfs``. A key is
    reported once, after ``min_blocks`` consecutive blocks hold it; it may repeat only after a
    block without it. Multi-channel audio is mixed to mono first.
    """

    def __init__(
        self,
        *,
        min_level_dbfs: float = -40.0,
        min_tone_share: float = 0.7,
        max_twist_db: float = 8.0,
        min_blocks: int = 2,
    ) -> None:
        self.min_level_dbfs = min_level_dbfs
        self.min_tone_share = min_tone_share
        self.max_twist_db = max_twist_db
        self.min_blocks = max(1, int(min_blocks))
        self._rate = 0
        self._block = 0
        self._cos: npt.NDArray[np.float64] = np.zeros((8, 0))
        self._sin: npt.NDArray[np.float64] = np.zeros((8, 0))
        self._pending = np.zeros(0, dtype=np.float64)
        self._current: str | None = None
        self._count = 0
        self._reported = False

    @property
    def name(self) -> str:
        return "GoertzelDTMFDetector"

    def reset(self) -> None:
        self._pending = np.zeros(0, dtype=np.float64)
        self._current = None
        self._count = 0
        self._reported = False

    def _setup(self, rate: int) -> None:
        self._rate = rate
        self._block = max(32, round(rate * _BLOCK_SECONDS))
        omegas = 2.0 * math.pi * np.array(_ROWS + _COLUMNS) / rate
        phases = np.outer(omegas, np.arange(self._block))
        self._cos = np.cos(phases)
        self._sin = np.sin(phases)
        self.reset()

    def _powers(self, block: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
        """Power ``|X(f)|^2`` at the 8 frequencies: what the Goertzel recurrence yields for
        each, evaluated as one matrix product with the block's precomputed cosine and sine
        tables (the same numbers, without a Python loop over samples)."""
        real = self._cos @ block
        imag = self._sin @ block
        power: npt.NDArray[np.float64] = real * real + imag * imag
        return power

    def _classify(self, block: npt.NDArray[np.float64]) -> str | None:
        energy = float(np.dot(block, block))
        count = len(block)
        if energy <= 0:
            return None
        level = 10.0 * math.log10(energy / count / (32768.0**2))
        if level < self.min_level_dbfs:
            return None
        # A sine of amplitude A gives a Goertzel power of about (A*N/2)^2 and an energy of
        # A^2*N/2, so 2*power/(N*energy) is the share of the block's energy in that tone.
        shares = 2.0 * self._powers(block) / (count * energy)
        rows, columns = shares[:4], shares[4:]
        row, column = int(np.argmax(rows)), int(np.argmax(columns))
        best_row, best_column = float(rows[row]), float(columns[column])
        if best_row + best_column < self.min_tone_share:
            return None
        if min(best_row, best_column) <= 0:
            return None
        if abs(10.0 * math.log10(best_row / best_column)) > self.max_twist_db:
            return None
        for group, best, index in ((rows, best_row, row), (columns, best_column, column)):
            others = np.delete(group, index)
            if float(others.max()) * 4.0 > best:  # within 6 dB of another tone
                return None
        return _KEYS[row][column]

    def process(self, frame: AudioFrame) -> DTMFEvent | None:
        if not frame.data:
            return None
        if frame.sample_rate != self._rate:
            self._setup(frame.sample_rate)
        mono = mix_channels(to_int16(frame.data, frame.channels), 1).reshape(-1)
        pending = np.concatenate((self._pending, mono.astype(np.float64)))
        block = self._block
        event: DTMFEvent | None = None
        offset = 0
        while offset + block <= len(pending):
            found = self._classify(pending[offset : offset + block])
            offset += block
            event = self._track(found) or event
        self._pending = pending[offset:]
        return event

    def _track(self, digit: str | None) -> DTMFEvent | None:
        if digit is None or digit != self._current:
            self._current = digit
            self._count = 1 if digit else 0
            self._reported = False
            if digit is None or self.min_blocks > 1:
                return None
        else:
            self._count += 1
        if self._reported or self._count < self.min_blocks:
            return None
        self._reported = True
        block_ms = 1000.0 * self._block / self._rate
        return DTMFEvent(digit=digit, duration_ms=self._count * block_ms, confidence=1.0)
