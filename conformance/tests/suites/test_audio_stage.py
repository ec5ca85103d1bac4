"""The audio-stage suites pass correct stages and catch broken ones (shared state above all)."""

from __future__ import annotations

from pathlib import Path

import pytest

from roomkit.voice.audio_frame import AudioFrame
from roomkit.voice.pcm import rms
from roomkit.voice.pipeline import (
    LinearResamplerProvider,
    PhraseBackchannelDetector,
    VADEvent,
    VADEventType,
    VADProvider,
)
from roomkit_conformance.runner import Target, run_target
from roomkit_conformance.suites import SUITES
from roomkit_conformance.suites.audio_stage import StageHarness
from roomkit_conformance.suites.stage_roles import BackchannelSuite, ResamplerSuite, VADSuite


class EnergyVAD(VADProvider):
    """A correct content-driven VAD keeping its state on ``self``."""

    def __init__(self, threshold: float = 300.0, hangover: int = 10) -> None:
        self.threshold = threshold
        self.hangover = hangover
        self.speaking = False
        self.quiet = 0

    def process(self, frame: AudioFrame) -> VADEvent | None:
        if rms(frame.data) > self.threshold:
            self.quiet = 0
            if not self.speaking:
                self.speaking = True
                return VADEvent(VADEventType.SPEECH_START, confidence=1.0)
            return None
        if self.speaking:
            self.quiet += 1
            if self.quiet >= self.hangover:
                self.speaking = False
                return VADEvent(VADEventType.SPEECH_END)
        return None

    def flush(self) -> VADEvent | None:
        if self.speaking:
            self.speaking = False
            return VADEvent(VADEventType.SPEECH_END)
        return None

    def reset(self) -> None:
        self.speaking = False
        self.quiet = 0


class TestEnergyVAD(VADSuite):
    capabilities = frozenset({"vad", "analyses_audio"})

    @pytest.fixture
    def component(self) -> StageHarness:
        return StageHarness(EnergyVAD())


class TestLinearResampler(ResamplerSuite):
    capabilities = frozenset({"resampler", "analyses_audio"})

    @pytest.fixture
    def component(self) -> LinearResamplerProvider:
        return LinearResamplerProvider()


class TestPhraseBackchannel(BackchannelSuite):
    capabilities = frozenset({"backchannel", "analyses_audio"})

    @pytest.fixture
    def component(self) -> PhraseBackchannelDetector:
        return PhraseBackchannelDetector()


BROKEN = """
from roomkit.voice.pcm import rms
from roomkit.voice.pipeline import DenoiserProvider, VADEvent, VADEventType, VADProvider

_STATE = {"speaking": False, "quiet": 0}   # RoomKit 0.6.7's mistake: one state for every call


class GlobalStateVAD(VADProvider):
    def process(self, frame):
        if rms(frame.data) > 300:
            _STATE["quiet"] = 0
            if not _STATE["speaking"]:
                _STATE["speaking"] = True
                return VADEvent(VADEventType.SPEECH_START)
            return None
        if _STATE["speaking"]:
            _STATE["quiet"] += 1
            if _STATE["quiet"] >= 10:
                _STATE["speaking"] = False
                return VADEvent(VADEventType.SPEECH_END)
        return None

    def flush(self):
        if _STATE["speaking"]:
            _STATE["speaking"] = False
            return VADEvent(VADEventType.SPEECH_END)
        return None

    def reset(self):
        _STATE.update(speaking=False, quiet=0)


class SingletonVAD(GlobalStateVAD):
    def for_session(self, session):
        return self


class NoisyDenoiser(DenoiserProvider):
    def process(self, frame):
        return frame.with_data(b"\\x00\\x40" * (len(frame.data) // 2), sample_rate=8000)


def global_state_vad():
    return GlobalStateVAD()


def singleton_vad():
    return SingletonVAD()


def noisy_denoiser():
    return NoisyDenoiser()
"""


def _run(tmp_path: Path, factory: str, capabilities: set[str]) -> list[str]:
    (tmp_path / "broken_stages.py").write_text(BROKEN)
    target = Target(
        "test",
        "audio_stage",
        factory,
        f"broken_stages:{factory}",
        SUITES["audio_stage"],
        frozenset(capabilities),
    )
    result = run_target(target, workdir=tmp_path / "work", extra_pythonpath=[str(tmp_path)])
    assert result.status == "failed", result.detail
    return result.failures


def test_a_vad_sharing_state_between_sessions_fails(tmp_path: Path) -> None:
    failures = " ".join(_run(tmp_path, "global_state_vad", {"vad", "analyses_audio"}))
    assert "test_two_sessions_do_not_share_state" in failures
    assert "SPEECH_END without a SPEECH_START" in failures or "state is shared" in failures


def test_a_stage_serving_every_session_itself_fails(tmp_path: Path) -> None:
    failures = " ".join(_run(tmp_path, "singleton_vad", {"vad"}))
    assert "test_each_session_gets_its_own_instance" in failures
    assert "VoiceSessionError" in failures


def test_a_denoiser_changing_the_format_and_making_noise_fails(tmp_path: Path) -> None:
    failures = " ".join(_run(tmp_path, "noisy_denoiser", {"denoiser"}))
    for name in ("test_frame_format_invariants", "test_silent_input", "test_sample_rates"):
        assert name in failures


def test_every_stage_role_has_a_suite() -> None:
    import inspect

    from roomkit.voice.pipeline.config import STAGE_ROLES
    from roomkit_conformance.suites import stage_roles
    from roomkit_conformance.suites.stage_drivers import FRAME_ROLES

    defaults = {
        role
        for _, suite in inspect.getmembers(stage_roles, inspect.isclass)
        if suite.__name__.endswith("Suite") and suite is not stage_roles.AudioStageSuite
        for role in suite.capabilities
    }
    assert defaults == set(STAGE_ROLES)
    assert set(STAGE_ROLES) - FRAME_ROLES == {"turn_detector", "backchannel"}
