"""roomkit-audio's stages pass the audio-stage conformance suites (real speech for the VAD)."""

from __future__ import annotations

from typing import Any

import pytest
from roomkit_audio import (
    EnergyAGCProvider,
    EnergyVADProvider,
    GoertzelDTMFDetector,
    SoxrResamplerProvider,
    WavFileRecorder,
)

from roomkit_conformance.speech import spoken_frames
from roomkit_conformance.suites.audio_stage import StageHarness
from roomkit_conformance.suites.stage_roles import (
    AGCSuite,
    DTMFSuite,
    RecorderSuite,
    ResamplerSuite,
    VADSuite,
)

SENTENCE = "I would like to order a pizza"


class TestSoxrResampler(ResamplerSuite):
    capabilities = {"resampler", "analyses_audio"}

    @pytest.fixture
    def component(self) -> Any:
        return SoxrResamplerProvider()


class TestEnergyVAD(VADSuite):
    capabilities = {"vad", "analyses_audio"}

    @pytest.fixture
    def component(self) -> Any:
        return StageHarness(EnergyVADProvider(), speech=spoken_frames(SENTENCE))


class TestEnergyAGC(AGCSuite):
    capabilities = {"agc", "analyses_audio"}

    @pytest.fixture
    def component(self) -> Any:
        return StageHarness(EnergyAGCProvider(), speech=spoken_frames(SENTENCE))


class TestGoertzelDTMF(DTMFSuite):
    capabilities = {"dtmf", "analyses_audio"}

    @pytest.fixture
    def component(self) -> Any:
        return StageHarness(GoertzelDTMFDetector(), speech=spoken_frames(SENTENCE, 8000))


class TestGoertzelDTMFWideband(DTMFSuite):
    capabilities = {"dtmf", "analyses_audio"}

    @pytest.fixture
    def component(self) -> Any:
        return StageHarness(GoertzelDTMFDetector(), sample_rate=16000)


class TestWavFileRecorder(RecorderSuite):
    capabilities = {"recorder"}

    @pytest.fixture
    def component(self) -> Any:
        return WavFileRecorder()
