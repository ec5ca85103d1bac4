"""RNNoiseDenoiserProvider: the conformance suite, and noise removed around real speech."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from roomkit_rnnoise import RNNoiseDenoiserProvider

from roomkit.errors import AudioFormatError, ConfigurationError
from roomkit.voice.audio_frame import AudioFrame, split_frames
from roomkit.voice.base import VoiceSession
from roomkit.voice.pcm import rms_db
from roomkit.voice.stage import bind_stage
from roomkit_conformance.speech import spoken
from roomkit_conformance.suites.audio_stage import StageHarness
from roomkit_conformance.suites.stage_roles import DenoiserSuite


def _frames(data: bytes) -> list[AudioFrame]:
    return list(split_frames(data, 16000, frame_ms=20))


class TestRNNoise(DenoiserSuite):
    capabilities = {"denoiser", "analyses_audio"}

    @pytest.fixture
    def component(self) -> Any:
        return StageHarness(
            RNNoiseDenoiserProvider(), speech=_frames(spoken("Thank you for calling").data)
        )


def test_suppresses_noise_and_keeps_the_voice() -> None:
    speech = np.frombuffer(spoken("I want to speak to an agent", pad_ms=1500).data, "<i2")
    noise = np.random.default_rng(7).normal(0, 600, len(speech))  # about -35 dBFS of hiss
    noisy = np.clip(speech + noise, -32768, 32767).astype("<i2")
    denoiser = bind_stage(RNNoiseDenoiserProvider(), VoiceSession.new("r", "c", "voice"))
    out = np.concatenate(
        [np.frombuffer(denoiser.process(f).data, "<i2") for f in _frames(noisy.tobytes())]
    )
    assert len(out) == len(noisy)
    quiet = slice(2000, 20000)  # the leading silence: only noise there
    before = rms_db(noisy[quiet].tobytes())
    after = rms_db(out[quiet].astype("<i2").tobytes())
    assert before - after >= 10.0, f"noise only went from {before:.1f} to {after:.1f} dBFS"
    start, stop = 24000, len(speech) - 24000  # the voiced part
    reference = speech[start:stop].astype(np.float64)
    lags = range(0, 1600, 16)  # the output trails the input by a constant delay
    kept, lag = max(
        (float(np.corrcoef(out[start + d : stop + d], reference)[0, 1]), d) for d in lags
    )
    assert lag <= 800, f"output delayed by {lag} samples"
    assert kept > 0.7, f"speech correlates only {kept:.2f} after denoising"


def test_format_and_config_errors() -> None:
    denoiser = bind_stage(RNNoiseDenoiserProvider(), VoiceSession.new("r", "c", "voice"))
    with pytest.raises(AudioFormatError, match="mono"):
        denoiser.process(AudioFrame(bytes(1280), 16000, 2))
    with pytest.raises(AudioFormatError):
        denoiser.process(AudioFrame(bytes(640), 11025))
    with pytest.raises(ConfigurationError):
        RNNoiseDenoiserProvider(sample_rate=12345)
