"""roomkit-sherpa-onnx passes the VAD and TTS conformance suites with real models."""

from __future__ import annotations

from typing import Any

import pytest
from roomkit_sherpa_onnx.testing import deterministic_piper_tts, piper_tts, silero_vad

from roomkit_conformance.suites.stage_roles import VADSuite
from roomkit_conformance.suites.tts import TTSProviderSuite


class TestSileroVAD(VADSuite):
    capabilities = {"vad", "analyses_audio"}

    @pytest.fixture
    def component(self) -> Any:
        return silero_vad()


class TestPiperTTS(TTSProviderSuite):
    capabilities: set[str] = set()  # VITS samples noise: not bit-identical between runs

    @pytest.fixture
    def component(self) -> Any:
        return piper_tts()


class TestPiperTTSWithoutNoise(TTSProviderSuite):
    capabilities = {"deterministic"}  # noise_scale=0: bit-identical audio for the same text

    @pytest.fixture
    def component(self) -> Any:
        return deterministic_piper_tts()
