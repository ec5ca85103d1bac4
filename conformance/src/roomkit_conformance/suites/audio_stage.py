"""The audio-stage conformance suites (kind ``audio_stage``): VAD, AEC, AGC, denoiser,
diarization, DTMF, recorder, post-processor, resampler, turn and backchannel detectors.

A stage component declares its role(s) in its descriptor's ``capabilities`` (``"vad"`` ...,
see :data:`roomkit.voice.pipeline.config.STAGE_ROLES`) and ``"analyses_audio"`` when its
output depends on the audio itself (real detectors; scripted mocks do not claim it). Subclass
the suite of your role and provide a ``component`` fixture yielding the stage *template* (what
a user puts in ``AudioPipelineConfig``) or a :class:`StageHarness`::

    class TestEnergyVAD(VADSuite):
        capabilities = {"vad", "analyses_audio"}

        @pytest.fixture
        def component(self):
            return StageHarness(EnergyVADProvider(), speech=load_frames("hello.wav"))

Common checks, for every frame-processing role claimed: the contract, one instance per
session, frame format invariants, empty and silent input, sample-rate handling, reset in
the middle of an utterance, **no state shared between two sessions** (outputs of two
interleaved sessions equal the outputs of each run alone), close, and the per-frame cost,
reported (``record_property``), never asserted. Role checks live in
:mod:`roomkit_conformance.suites.stage_roles`.
"""

from __future__ import annotations

import contextlib
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import pytest

from roomkit.errors import AudioFormatError
from roomkit.voice.audio_frame import AudioFrame
from roomkit.voice.pcm import rms_db
from roomkit.voice.pipeline.config import STAGE_ROLES
from roomkit.voice.stage import AudioStage, bind_stage
from roomkit_conformance.base import SuiteBase
from roomkit_conformance.suites.stage_drivers import (
    FRAME_ROLES,
    accepts,
    driver_for,
    empty_frame_ok,
    feed_all,
)
from roomkit_conformance.suites.voice_common import (
    report_latency,
    session,
    silence_frames,
    tone_frames,
    utterance_frames,
)

__all__ = ["StageHarness", "StageSuiteBase"]

#: Transform roles: their output on digital silence must stay (near) silent.
_TRANSFORMS = frozenset({"aec", "agc", "denoiser", "postprocessor"})


@dataclass
class StageHarness:
    """A stage template plus what the suite may rely on.

    * ``speech``: frames of real speech at ``sample_rate`` (used instead of the generated
      test utterance; detectors claiming ``analyses_audio`` need it).
    * ``sample_rate``: the rate the stage is tested at.
    """

    stage: AudioStage
    speech: Sequence[AudioFrame] | None = None
    sample_rate: int = 16000


class StageSuiteBase(SuiteBase):
    """Fixtures and the checks every stage role shares."""

    @pytest.fixture
    def harness(self, component: Any) -> StageHarness:
        """The component as a :class:`StageHarness` (a bare stage gets the defaults)."""
        return component if isinstance(component, StageHarness) else StageHarness(component)

    @pytest.fixture
    def template(self, harness: StageHarness) -> AudioStage:
        """The stage template under test."""
        return harness.stage

    def roles(self) -> list[str]:
        """The stage roles this component claims."""
        return sorted(set(self.capabilities) & set(STAGE_ROLES))

    def frame_roles(self) -> list[str]:
        """Claimed roles that process audio frame by frame (skip the test if none)."""
        roles = sorted(set(self.roles()) & FRAME_ROLES)
        if not roles:
            pytest.skip("no frame-processing stage role claimed")
        return roles

    @staticmethod
    def speech(harness: StageHarness) -> list[AudioFrame]:
        return list(harness.speech) if harness.speech else utterance_frames(harness.sample_rate)

    @staticmethod
    def instance(template: AudioStage, name: str = "a") -> Any:
        return bind_stage(template, session(name))

    def test_claims_a_role_and_implements_its_contract(self, template: AudioStage) -> None:
        roles = self.roles()
        assert roles, (
            f"declare the stage role in the component's capabilities (one of {sorted(STAGE_ROLES)})"
        )
        for role in roles:
            assert isinstance(template, STAGE_ROLES[role]), f"not a {STAGE_ROLES[role].__name__}"
        assert isinstance(template.name, str)
        assert template.name

    def test_each_session_gets_its_own_instance(self, template: AudioStage) -> None:
        first, second = self.instance(template, "a"), self.instance(template, "b")
        assert first is not second
        assert first is not template
        assert second is not template
        assert (first.session_id, second.session_id) != (None, None)
        assert type(first) is type(template)

    def test_frame_format_invariants(self, template: AudioStage, harness: StageHarness) -> None:
        for role in self.frame_roles():
            st = self.instance(template)
            feed_all(driver_for(role, st, session()), self.speech(harness))

    def test_empty_frame(self, template: AudioStage, harness: StageHarness) -> None:
        for role in self.frame_roles():
            driver = driver_for(role, self.instance(template), session())
            empty_frame_ok(driver, harness.sample_rate)
            feed_all(driver, silence_frames(100, harness.sample_rate))

    def test_silent_input(self, template: AudioStage, harness: StageHarness) -> None:
        for role in self.frame_roles():
            driver = driver_for(role, self.instance(template), session())
            outputs = feed_all(driver, silence_frames(1000, harness.sample_rate))
            if role in _TRANSFORMS:
                tail = b"".join(o for o in outputs[25:-1] if o)
                assert rms_db(tail) <= -50.0, f"{role} turned digital silence into sound"
            if "analyses_audio" in self.capabilities:
                if role == "vad":
                    assert all(o is None or o[0] != "speech_start" for o in outputs), (
                        "the VAD heard speech in digital silence"
                    )
                if role == "dtmf":
                    assert all(o is None for o in outputs), "DTMF digit detected in silence"

    def test_sample_rates(self, template: AudioStage) -> None:
        for role in self.frame_roles():
            for rate in (8000, 16000, 24000, 48000):
                driver = driver_for(role, self.instance(template), session())
                frames = tone_frames(440, 100, rate)
                if accepts(template, rate):
                    feed_all(driver, frames)
                else:
                    with pytest.raises(AudioFormatError):
                        driver.feed(frames[0])

    def test_reset_in_the_middle_of_an_utterance(
        self, template: AudioStage, harness: StageHarness
    ) -> None:
        for role in self.frame_roles():
            driver = driver_for(role, self.instance(template), session())
            speech = self.speech(harness)
            for frame in speech[: len(speech) // 2]:
                driver.feed(frame)
            driver.reset()
            feed_all(driver, silence_frames(300, harness.sample_rate) + speech)

    def test_two_sessions_do_not_share_state(
        self, template: AudioStage, harness: StageHarness
    ) -> None:
        rate = harness.sample_rate
        inputs = {
            "a": self.speech(harness) + silence_frames(600, rate),
            "b": silence_frames(300, rate)
            + tone_frames(500, 600, rate)
            + silence_frames(600, rate),
        }
        for role in self.frame_roles():
            alone = {
                name: feed_all(driver_for(role, self.instance(template, name), session()), frames)
                for name, frames in inputs.items()
            }
            drivers = {
                name: driver_for(role, self.instance(template, name), session(name))
                for name in inputs
            }
            together: dict[str, list[Any]] = {name: [] for name in inputs}
            for step in range(max(len(f) for f in inputs.values())):
                for name, frames in inputs.items():
                    if step < len(frames):
                        together[name].append(drivers[name].feed(frames[step]))
            for name in inputs:
                together[name].append(drivers[name].finish())
            for name in inputs:
                assert together[name] == alone[name], (
                    f"{role}: session {name!r} gave different results when another session "
                    "ran at the same time -- state is shared between sessions"
                )

    def test_close(self, template: AudioStage) -> None:
        instance = self.instance(template)
        instance.close()
        with contextlib.suppress(Exception):
            instance.close()

    def test_per_frame_cost_is_reported(
        self, template: AudioStage, harness: StageHarness, request: pytest.FixtureRequest
    ) -> None:
        for role in self.frame_roles():
            driver = driver_for(role, self.instance(template), session())
            frames = (self.speech(harness) * 4)[:200]
            report_latency(request, role, driver.feed, frames)
            driver.finish()
