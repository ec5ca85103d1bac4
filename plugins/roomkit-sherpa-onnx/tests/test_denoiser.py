"""SherpaOnnxDenoiserProvider: the conformance suite with the real GTCRN model, and noise
really removed from espeak-ng speech."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest
from roomkit_sherpa_onnx import (
    SherpaOnnxDenoiserConfig,
    SherpaOnnxDenoiserProvider,
    bundled_gtcrn_model,
    prepare_gtcrn_model,
)
from roomkit_sherpa_onnx.testing import gtcrn_denoiser

from roomkit.errors import AudioFormatError, ConfigurationError
from roomkit.voice.audio_frame import AudioFrame, split_frames
from roomkit.voice.base import VoiceSession
from roomkit.voice.stage import bind_stage
from roomkit_conformance.speech import spoken
from roomkit_conformance.suites.stage_roles import DenoiserSuite

RATE = 16000


class TestGTCRNDenoiser(DenoiserSuite):
    capabilities = {"denoiser", "analyses_audio"}

    @pytest.fixture
    def component(self) -> Any:
        return gtcrn_denoiser()


def _session(name: str = "caller") -> VoiceSession:
    return VoiceSession.new("room", name, "voice")


def _denoiser(**changes: Any) -> SherpaOnnxDenoiserProvider:
    stage = bind_stage(
        SherpaOnnxDenoiserProvider(SherpaOnnxDenoiserConfig.gtcrn(**changes)), _session()
    )
    assert isinstance(stage, SherpaOnnxDenoiserProvider)
    return stage


def _run(denoiser: SherpaOnnxDenoiserProvider, audio: np.ndarray) -> np.ndarray:
    pcm = np.clip(np.rint(audio), -32768, 32767).astype("<i2").tobytes()
    out = []
    for frame in split_frames(pcm, RATE, frame_ms=20):
        cleaned = denoiser.process(frame)
        assert len(cleaned.data) == len(frame.data)
        out.append(np.frombuffer(cleaned.data, "<i2").astype(np.float64))
    return np.concatenate(out)


def _aligned(out: np.ndarray, reference: np.ndarray) -> tuple[np.ndarray, int]:
    """``out`` shifted by the lag (< 64 ms) that best matches ``reference``."""
    usable = len(reference) - 1024
    lag = max(
        range(0, 1024, 16), key=lambda d: float(np.dot(out[d : d + usable], reference[:usable]))
    )
    return out[lag : lag + usable], lag


def _snr_db(clean: np.ndarray, signal: np.ndarray) -> float:
    return float(10 * np.log10(np.sum(clean**2) / np.sum((signal - clean) ** 2)))


def test_removes_noise_and_keeps_the_voice() -> None:
    speech = np.frombuffer(spoken("I want to speak to an agent about my bill").data, "<i2")
    speech = speech.astype(np.float64)
    noise = np.random.default_rng(3).normal(0, 1500, len(speech))  # loud hiss, ~-27 dBFS
    noisy = speech + noise
    out = _run(_denoiser(), noisy)
    cleaned, lag = _aligned(out, speech)
    reference = speech[: len(cleaned)]
    before = _snr_db(reference, noisy[: len(cleaned)])
    after = _snr_db(reference, cleaned)
    print(f"SNR {before:.1f} dB -> {after:.1f} dB, output lag {lag} samples")
    assert lag <= 768, f"output delayed by {lag} samples"
    assert after - before >= 5.0, f"SNR only went from {before:.1f} to {after:.1f} dB"
    kept = float(np.corrcoef(cleaned, reference)[0, 1])
    assert kept > 0.85, f"the voice correlates only {kept:.2f} after denoising"


def test_sessions_have_their_own_model_state() -> None:
    """Two calls interleaved frame by frame give each exactly what it gives alone."""
    template = SherpaOnnxDenoiserProvider(SherpaOnnxDenoiserConfig.gtcrn())
    rng = np.random.default_rng(5)
    first = np.frombuffer(spoken("Thank you for calling").data, "<i2") + rng.normal(0, 800, 1)
    second = np.frombuffer(spoken("Please hold the line").data, "<i2") * 0.5
    length = min(len(first), len(second))
    inputs = [np.rint(a[:length]).astype("<i2").tobytes() for a in (first, second)]
    alone = []
    for data in inputs:
        stage = bind_stage(template, _session())
        alone.append(b"".join(stage.process(f).data for f in split_frames(data, RATE)))
    stages = [bind_stage(template, _session(str(n))) for n in range(2)]
    together: list[list[bytes]] = [[], []]
    pairs = zip(*(list(split_frames(d, RATE)) for d in inputs), strict=True)
    for frames in pairs:
        for n, frame in enumerate(frames):
            together[n].append(stages[n].process(frame).data)
    assert [b"".join(parts) for parts in together] == alone


def test_silence_skips_inference_and_speech_after_it_is_denoised() -> None:
    denoiser = _denoiser()
    silent = AudioFrame(bytes(640))
    assert denoiser.process(silent).data == bytes(640)
    speech = np.frombuffer(spoken("Hello there", pad_ms=0).data, "<i2").astype(np.float64)
    out = _run(denoiser, np.concatenate((speech, np.zeros(RATE // 2), speech)))
    # the speech of both halves comes out; the silence between them stays silent
    first, gap = out[: len(speech)], out[len(speech) + 1600 : len(speech) + RATE // 2]
    assert np.abs(gap).max() == 0
    assert np.sqrt(np.mean(first**2)) > 0.3 * np.sqrt(np.mean(speech**2))
    second = out[len(speech) + RATE // 2 :]
    assert np.sqrt(np.mean(second**2)) > 0.3 * np.sqrt(np.mean(speech**2))


def test_a_model_without_metadata_gets_a_prepared_copy(tmp_path: Path) -> None:
    bundled = bundled_gtcrn_model()  # the upstream export: no sherpa-onnx metadata
    prepared = prepare_gtcrn_model(bundled, cache_dir=str(tmp_path))
    assert Path(prepared).parent == tmp_path
    assert prepare_gtcrn_model(prepared, cache_dir=str(tmp_path)) == prepared  # has it now
    assert prepare_gtcrn_model(bundled, cache_dir=str(tmp_path)) == prepared  # cached


def test_format_and_config_errors(tmp_path: Path) -> None:
    denoiser = _denoiser()
    with pytest.raises(AudioFormatError, match="resampler"):
        denoiser.process(AudioFrame(bytes(320), 8000))
    with pytest.raises(AudioFormatError, match="mono"):
        denoiser.process(AudioFrame(bytes(1280), RATE, 2))
    with pytest.raises(ConfigurationError, match="does not exist"):
        SherpaOnnxDenoiserProvider(SherpaOnnxDenoiserConfig(model=str(tmp_path / "none.onnx")))
    with pytest.raises(ConfigurationError, match="no model path"):
        SherpaOnnxDenoiserProvider(SherpaOnnxDenoiserConfig())
    with pytest.raises(ConfigurationError, match="SherpaOnnxDenoiserConfig"):
        SherpaOnnxDenoiserProvider({"model": "x"})  # type: ignore[arg-type]
    with pytest.raises(ConfigurationError, match="num_threads"):
        SherpaOnnxDenoiserConfig(num_threads=0)
    with pytest.raises(ConfigurationError, match="silence_threshold"):
        SherpaOnnxDenoiserConfig(silence_threshold=-1.0)


def test_a_model_of_another_kind_is_refused_before_sherpa_onnx_loads_it() -> None:
    from roomkit_sherpa_onnx.vad import SherpaOnnxVADConfig

    silero = SherpaOnnxVADConfig.silero().model  # an ONNX file, but a VAD
    with pytest.raises(ConfigurationError, match="not a streaming GTCRN model"):
        SherpaOnnxDenoiserProvider(SherpaOnnxDenoiserConfig(model=silero))
