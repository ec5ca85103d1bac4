"""Automatic gain control: a smoothed gain towards a target RMS level, with a peak limiter."""

from __future__ import annotations

import math

import numpy as np

from roomkit.errors import ConfigurationError
from roomkit.voice.audio_frame import AudioFrame
from roomkit.voice.pipeline.agc.base import AGCConfig, AGCProvider
from roomkit_audio._pcm import from_int16, to_int16

__all__ = ["EnergyAGCProvider"]

_FULL_SCALE = 32768.0
#: Peak ceiling of the output (dBFS): the limiter never lets a sample past it.
_PEAK_CEILING_DB = -1.0


class EnergyAGCProvider(AGCProvider):
    """Brings speech to ``target_level_dbfs`` (RMS) with at most ``max_gain_db`` of gain.

    The gain follows the frame level with ``attack_ms`` (gain going down, a loud talker) and
    ``release_ms`` (gain going up) time constants and is ramped across each frame, so there
    are no steps. Frames quieter than ``gate_dbfs`` are treated as background: the gain holds
    and is not raised on them, so silence and room noise are not pumped up. The gain of a frame
    is also capped so its peak stays below -1 dBFS (no clipping).

    Configuration comes from the pipeline's :class:`AGCConfig` (:meth:`configure`) or the
    constructor. Per-session state: the current gain.
    """

    def __init__(self, config: AGCConfig | None = None, *, gate_dbfs: float = -50.0) -> None:
        if config is not None and not isinstance(config, AGCConfig):
            raise ConfigurationError(
                f"EnergyAGCProvider config must be an AGCConfig, got {type(config).__name__}"
            )
        self.gate_dbfs = float(gate_dbfs)
        self.configure(config or AGCConfig(target_level_dbfs=-18.0))
        self._gain_db = 0.0

    @property
    def name(self) -> str:
        return "EnergyAGCProvider"

    @property
    def gain_db(self) -> float:
        """The gain currently applied (dB)."""
        return self._gain_db

    def configure(self, config: AGCConfig) -> None:
        if config.max_gain_db < 0 or config.attack_ms <= 0 or config.release_ms <= 0:
            raise ConfigurationError(
                "AGCConfig needs max_gain_db >= 0 and attack_ms, release_ms > 0, got "
                f"{config.max_gain_db}, {config.attack_ms}, {config.release_ms}"
            )
        if config.target_level_dbfs > 0:
            raise ConfigurationError(
                f"AGCConfig.target_level_dbfs must be <= 0 dBFS, got {config.target_level_dbfs}"
            )
        self.config = config

    def reset(self) -> None:
        self._gain_db = 0.0

    def process(self, frame: AudioFrame) -> AudioFrame:
        if not frame.data:
            return frame
        config = self.config or AGCConfig()
        values = to_int16(frame.data, frame.channels).astype(np.float64)
        rms = math.sqrt(float(np.mean(values * values)))
        level = 20.0 * math.log10(rms / _FULL_SCALE) if rms > 0 else -120.0
        start = self._gain_db
        if level >= self.gate_dbfs:
            wanted = min(config.max_gain_db, config.target_level_dbfs - level)
            constant = config.attack_ms if wanted < start else config.release_ms
            step = 1.0 - math.exp(-frame.duration_ms / constant)
            target = start + (wanted - start) * step
        else:
            target = min(start, config.max_gain_db)
        peak = float(np.max(np.abs(values)))
        if peak > 0:
            target = min(target, _PEAK_CEILING_DB - 20.0 * math.log10(peak / _FULL_SCALE))
        self._gain_db = target
        if start == target == 0.0:
            return frame
        count = values.shape[0]
        ramp = np.linspace(start, target, num=count, endpoint=True).reshape(-1, 1)
        gained = values * np.power(10.0, ramp / 20.0)
        return frame.with_data(from_int16(gained))
