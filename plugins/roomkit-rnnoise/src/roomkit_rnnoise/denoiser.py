"""Noise suppression with RNNoise (Xiph's recurrent network), through ``pyrnnoise``."""

from __future__ import annotations

from typing import Any

import numpy as np

from roomkit.errors import AudioFormatError, ConfigurationError
from roomkit.voice.audio_frame import AudioFrame
from roomkit.voice.pipeline.denoiser.base import DenoiserProvider

__all__ = ["RNNoiseDenoiserProvider"]

#: Output held back so every frame comes out at its input length (RNNoise works in 10-ms
#: steps at 48 kHz and pyrnnoise resamples, so the output trails the input a little).
LATENCY_MS = 20
_RATES = frozenset({8000, 16000, 24000, 32000, 44100, 48000})


class RNNoiseDenoiserProvider(DenoiserProvider):
    """Removes steady background noise (fans, hum, street) from the caller's voice.

    ``sample_rate``: the stream's expected rate (pyrnnoise converts to and from RNNoise's
    48 kHz); a stream at another standard rate restarts the engine at that rate. Mono PCM16
    (other channel counts raise :class:`~roomkit.errors.AudioFormatError`). The
    output is the input's length, delayed by a constant 20 ms. ``speech_probability`` is
    RNNoise's voice-activity estimate for the last 10-ms step. Per-session state: the
    network's recurrent state and the resampling filters.
    """

    def __init__(self, sample_rate: int = 16000) -> None:
        if sample_rate not in _RATES:
            raise ConfigurationError(
                f"RNNoiseDenoiserProvider sample_rate must be a standard rate (8000-48000 Hz), "
                f"got {sample_rate}"
            )
        self.sample_rate = sample_rate
        self._rate = sample_rate
        self._engine: Any = None
        self._out = np.zeros(0, dtype=np.int16)
        self.speech_probability = 0.0

    @property
    def name(self) -> str:
        return "RNNoiseDenoiserProvider"

    def _start(self) -> Any:
        from pyrnnoise import RNNoise

        self._engine = RNNoise(self._rate)
        self._out = np.zeros(self._rate * LATENCY_MS // 1000, dtype=np.int16)
        return self._engine

    def process(self, frame: AudioFrame) -> AudioFrame:
        if frame.channels != 1 or frame.sample_rate not in _RATES:
            raise AudioFormatError(
                f"RNNoiseDenoiserProvider takes mono audio at 8, 16, 24, 32, 44.1 or 48 kHz, "
                f"got {frame.sample_rate} Hz x {frame.channels}"
            )
        if frame.sample_rate != self._rate:
            self._rate = frame.sample_rate
            self._engine = None
        if not frame.data:
            return frame
        engine = self._engine or self._start()
        values = np.frombuffer(frame.data, "<i2").astype(np.int16)
        parts = [self._out]
        for probability, denoised in engine.denoise_chunk(values):
            parts.append(np.asarray(denoised, dtype=np.int16).reshape(-1))
            self.speech_probability = float(np.asarray(probability).reshape(-1)[0])
        out = np.concatenate(parts)
        count = len(values)
        if len(out) < count:
            out = np.concatenate((np.zeros(count - len(out), dtype=np.int16), out))
        self._out = out[count:]
        return frame.with_data(out[:count].astype("<i2").tobytes())

    def reset(self) -> None:
        self._engine = None
        self._out = np.zeros(0, dtype=np.int16)
        self.speech_probability = 0.0

    def close(self) -> None:
        self.reset()
