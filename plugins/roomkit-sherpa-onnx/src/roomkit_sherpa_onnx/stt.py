"""Offline speech-to-text with sherpa-onnx models from a path the user gives."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
import threading
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
import sherpa_onnx

from roomkit.errors import ConfigurationError
from roomkit.models.content import AudioContent
from roomkit.voice.audio_frame import AudioFrame
from roomkit.voice.base import AudioChunk, TranscriptionResult
from roomkit.voice.stt.base import STTProvider, as_frame
from roomkit_sherpa_onnx._models import check_model_file, check_text_file

__all__ = ["SherpaOnnxSTTConfig", "SherpaOnnxSTTProvider"]

_MODES = ("transducer", "whisper", "paraformer")
#: Seconds the out-of-process model check may take.
PROBE_TIMEOUT = 300.0


@dataclass
class SherpaOnnxSTTConfig:
    """Settings of :class:`SherpaOnnxSTTProvider`: which model files, and how to decode.

    * ``mode="transducer"`` (Zipformer ...): ``encoder``, ``decoder``, ``joiner``, ``tokens``;
    * ``mode="whisper"``: ``encoder``, ``decoder``, ``tokens``, ``language``;
    * ``mode="paraformer"``: ``model``, ``tokens``.

    ``check_in_subprocess``: load the model once in a child process before loading it here.
    sherpa-onnx ends the whole process (exit code 255) on a model of the wrong kind instead of
    raising; the check turns that into a :class:`~roomkit.errors.ConfigurationError` carrying
    sherpa-onnx's message, at the cost of loading twice.
    """

    mode: str = "transducer"
    tokens: str = ""
    encoder: str = ""
    decoder: str = ""
    joiner: str = ""
    model: str = ""
    language: str = "en"
    sample_rate: int = 16000
    decoding_method: str = "greedy_search"
    num_threads: int = 1
    provider: str = "cpu"
    check_in_subprocess: bool = True

    def __post_init__(self) -> None:
        if self.mode not in _MODES:
            raise ConfigurationError(
                f"SherpaOnnxSTTConfig.mode must be one of {', '.join(_MODES)}, got {self.mode!r}"
            )

    def files(self) -> dict[str, str]:
        """The model files this mode needs, checked to exist and to be ONNX models."""
        names = {
            "transducer": ("encoder", "decoder", "joiner"),
            "whisper": ("encoder", "decoder"),
            "paraformer": ("model",),
        }[self.mode]
        files = {
            name: check_model_file(getattr(self, name), f"SherpaOnnxSTTConfig.{name}")
            for name in names
        }
        files["tokens"] = check_text_file(self.tokens, "SherpaOnnxSTTConfig.tokens")
        return files


def _recognizer(config: SherpaOnnxSTTConfig) -> Any:
    files = config.files()
    common = {"num_threads": config.num_threads, "provider": config.provider}
    recognizer = sherpa_onnx.OfflineRecognizer
    if config.mode == "transducer":
        return recognizer.from_transducer(
            encoder=files["encoder"],
            decoder=files["decoder"],
            joiner=files["joiner"],
            tokens=files["tokens"],
            sample_rate=config.sample_rate,
            decoding_method=config.decoding_method,
            **common,
        )
    if config.mode == "whisper":
        return recognizer.from_whisper(
            encoder=files["encoder"],
            decoder=files["decoder"],
            tokens=files["tokens"],
            language=config.language,
            decoding_method=config.decoding_method,
            **common,
        )
    return recognizer.from_paraformer(
        paraformer=files["model"],
        tokens=files["tokens"],
        sample_rate=config.sample_rate,
        decoding_method=config.decoding_method,
        **common,
    )


def probe_load(config: SherpaOnnxSTTConfig) -> None:
    """Load the model in a child process; a ConfigurationError with sherpa-onnx's message
    if the child cannot (a crash there does not take this process down)."""
    config.files()
    code = (
        "import json, sys\n"
        "from roomkit_sherpa_onnx.stt import SherpaOnnxSTTConfig, _recognizer\n"
        "_recognizer(SherpaOnnxSTTConfig(**json.loads(sys.argv[1])))\n"
    )
    try:
        done = subprocess.run(
            [sys.executable, "-c", code, json.dumps(asdict(config))],
            capture_output=True,
            text=True,
            timeout=PROBE_TIMEOUT,
        )
    except subprocess.TimeoutExpired as exc:
        raise ConfigurationError(
            f"loading the sherpa-onnx {config.mode} model took over {PROBE_TIMEOUT:.0f} s"
        ) from exc
    if done.returncode != 0:
        lines = [line for line in (done.stderr or "").splitlines() if line.strip()]
        reason = lines[-1] if lines else f"exit code {done.returncode}"
        raise ConfigurationError(
            f"sherpa-onnx cannot load these files as a {config.mode} model: {reason}"
        )


class SherpaOnnxSTTProvider(STTProvider):
    """Transcribes utterances with an offline sherpa-onnx model (Zipformer transducer,
    Whisper, Paraformer) from files you provide (no model ships with this package).

    The model loads on first use or :meth:`warmup`, checked first in a child process (see
    :class:`SherpaOnnxSTTConfig`). Each call decodes in its own sherpa-onnx stream in a
    worker thread; the recognizer is shared by all sessions. Input at other rates is passed
    with its rate (sherpa-onnx resamples).
    """

    def __init__(self, config: SherpaOnnxSTTConfig) -> None:
        if not isinstance(config, SherpaOnnxSTTConfig):
            raise ConfigurationError(
                f"SherpaOnnxSTTProvider needs a SherpaOnnxSTTConfig, got {type(config).__name__}"
            )
        config.files()  # missing files fail here, not at the first call
        self.config = config
        self._recognizer: Any = None
        self._lock = threading.Lock()

    @property
    def name(self) -> str:
        return "SherpaOnnxSTTProvider"

    def load(self) -> Any:
        """The loaded recognizer (loads it, after the subprocess check, on first call)."""
        with self._lock:
            if self._recognizer is None:
                if self.config.check_in_subprocess:
                    probe_load(self.config)
                self._recognizer = _recognizer(self.config)
            return self._recognizer

    async def warmup(self) -> None:
        await asyncio.to_thread(self.load)

    def _decode(self, frame: AudioFrame) -> TranscriptionResult:
        recognizer = self.load()
        values = np.frombuffer(frame.data, "<i2").reshape(-1, frame.channels)
        mono = values.mean(axis=1).astype(np.float32) / 32768.0
        stream = recognizer.create_stream()
        stream.accept_waveform(frame.sample_rate, mono)
        recognizer.decode_stream(stream)
        result = stream.result
        text = str(getattr(result, "text", "")).strip()
        return TranscriptionResult(text=text, is_final=True, language=self.config.language)

    async def transcribe(
        self, audio: AudioContent | AudioChunk | AudioFrame
    ) -> TranscriptionResult:
        frame = as_frame(audio)
        if not frame.data:
            return TranscriptionResult(text="", is_final=True)
        return await asyncio.to_thread(self._decode, frame)
