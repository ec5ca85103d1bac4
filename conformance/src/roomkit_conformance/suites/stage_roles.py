"""Role-specific checks of the audio-stage suites, and one ready suite per role.

Each check class is a mixin gated by its role capability, so :class:`AudioStageSuite` (used
by ``roomkit conformance`` for kind ``audio_stage``) runs exactly the checks of the roles a
component declares. Plugin authors subclass the suite of their role: ``VADSuite``,
``DenoiserSuite`` ...
"""

from __future__ import annotations

import contextlib
from typing import Any, ClassVar

import pytest

from roomkit.errors import RoomKitError
from roomkit.voice.audio_frame import AudioFrame
from roomkit.voice.pipeline.backchannel.base import BackchannelContext, BackchannelDecision
from roomkit.voice.pipeline.recorder.base import RecordingConfig
from roomkit.voice.pipeline.turn.base import TurnContext, TurnDecision, TurnEntry
from roomkit.voice.pipeline.vad.base import VADConfig
from roomkit.voice.stage import AudioStage
from roomkit_conformance.base import requires
from roomkit_conformance.suites.audio_stage import StageHarness, StageSuiteBase
from roomkit_conformance.suites.stage_drivers import driver_for, feed_all
from roomkit_conformance.suites.voice_common import (
    dtmf_frames,
    session,
    silence_frames,
    tone_frames,
)

__all__ = [
    "AECSuite",
    "AGCSuite",
    "AudioStageSuite",
    "BackchannelSuite",
    "DTMFSuite",
    "DenoiserSuite",
    "DiarizationSuite",
    "PostProcessorSuite",
    "RecorderSuite",
    "ResamplerSuite",
    "TurnDetectorSuite",
    "VADSuite",
]


class VADChecks(StageSuiteBase):
    @requires("vad")
    def test_vad_finds_the_utterance(self, template: AudioStage, harness: StageHarness) -> None:
        driver = driver_for("vad", self.instance(template), session())
        frames = self.speech(harness) + silence_frames(1000, harness.sample_rate)
        kinds = [o[0] for o in feed_all(driver, frames) if o and o[0] != "audio_level"]
        speech = [k for k in kinds if k in ("speech_start", "speech_end")]
        assert speech, "no SPEECH_START / SPEECH_END for the utterance"
        assert speech[0] == "speech_start"
        assert speech[-1] == "speech_end"

    @requires("vad")
    def test_vad_flush_ends_speech_in_progress(
        self, template: AudioStage, harness: StageHarness
    ) -> None:
        driver = driver_for("vad", self.instance(template), session())
        speech = self.speech(harness)
        for frame in speech[: len(speech) * 2 // 3]:
            driver.feed(frame)
        driver.finish()  # the driver fails if speech is still open after flush()
        after = [driver.feed(f) for f in silence_frames(600, harness.sample_rate)]
        assert all(o is None or o[0] != "speech_end" for o in after), "END after the flush"

    @requires("vad")
    def test_vad_takes_the_pipeline_config(self, template: AudioStage) -> None:
        instance = self.instance(template)
        instance.configure(VADConfig(silence_threshold_ms=300, speech_pad_ms=100))


class AECChecks(StageSuiteBase):
    @requires("aec")
    def test_aec_reference_before_input_and_bypass(
        self, template: AudioStage, harness: StageHarness
    ) -> None:
        instance = self.instance(template)
        frames = tone_frames(300, 200, harness.sample_rate)
        for frame in frames:
            instance.feed_reference(frame)
        out = instance.process(frames[0])
        assert isinstance(out, AudioFrame)
        instance.set_active(False)
        bypassed = instance.process(frames[1])
        assert (bypassed.sample_rate, bypassed.channels) == (frames[1].sample_rate, 1)


class AGCChecks(StageSuiteBase):
    @requires("agc")
    def test_agc_takes_the_pipeline_config(self, template: AudioStage) -> None:
        from roomkit.voice.pipeline.agc.base import AGCConfig

        self.instance(template).configure(AGCConfig(target_level_dbfs=-18.0))


class DenoiserChecks(StageSuiteBase):
    """The common checks cover denoisers (format, silence stays silent, isolation)."""


class PostProcessorChecks(StageSuiteBase):
    """The common checks cover post-processors."""


class DiarizationChecks(StageSuiteBase):
    """The common checks cover diarizers (result shape, isolation)."""


class DTMFChecks(StageSuiteBase):
    @requires("dtmf", "analyses_audio")
    def test_dtmf_detects_each_key_once(self, template: AudioStage, harness: StageHarness) -> None:
        driver = driver_for("dtmf", self.instance(template), session())
        frames = dtmf_frames("5", rate=harness.sample_rate) + dtmf_frames(
            "#", rate=harness.sample_rate
        )
        digits = [o for o in feed_all(driver, frames) if o is not None]
        assert digits == ["5", "#"]


class ResamplerChecks(StageSuiteBase):
    @requires("resampler")
    @pytest.mark.parametrize(
        ("source", "target", "channels"),
        [(8000, 16000, 1), (48000, 16000, 1), (16000, 16000, 2), (16000, 8000, 1)],
    )
    def test_resampler_keeps_the_duration(
        self, template: AudioStage, source: int, target: int, channels: int
    ) -> None:
        instance = self.instance(template)
        frames = tone_frames(440, 1000, source, channels=channels)
        total = 0
        for frame in frames:
            out = instance.resample(frame, target, 1, 2)
            assert (out.sample_rate, out.channels) == (target, 1)
            total += out.num_samples
        tail = instance.flush(target, 1, 2)
        if tail is not None:
            total += tail.num_samples
        assert abs(total - target) <= target // 100, f"{total} samples for 1 s at {target} Hz"


class RecorderChecks(StageSuiteBase):
    @requires("recorder")
    def test_recorder_keeps_sessions_apart(
        self, template: AudioStage, harness: StageHarness
    ) -> None:
        first, second = session("a"), session("b")
        rec_a, rec_b = self.instance(template, "a"), self.instance(template, "b")
        handle_a = rec_a.start(first, RecordingConfig())
        handle_b = rec_b.start(second, RecordingConfig())
        assert handle_a.id != handle_b.id
        assert (handle_a.session_id, handle_b.session_id) == (first.id, second.id)
        for frame in tone_frames(300, 1000, harness.sample_rate):
            rec_a.tap_inbound(handle_a, frame)
        result = rec_a.stop(handle_a)
        assert result.id == handle_a.id
        assert result.duration_seconds == 0 or 0.5 <= result.duration_seconds <= 2.5
        assert rec_b.stop(handle_b).id == handle_b.id
        with contextlib.suppress(RoomKitError):
            rec_a.stop(handle_a)  # a second stop is ignored or a typed error


class TurnDetectorChecks(StageSuiteBase):
    turn_contexts: ClassVar[list[TurnContext]] = [
        TurnContext(transcript="", is_final=True),
        TurnContext(transcript="I would like to book a table for", is_final=False),
        TurnContext(
            transcript="I would like to book a table for two.",
            is_final=True,
            silence_duration_ms=800,
            conversation_history=[TurnEntry("How can I help?", role="assistant")],
        ),
    ]

    @requires("turn_detector")
    def test_turn_decisions_and_isolation(self, template: AudioStage) -> None:
        solo = self.instance(template, "a")
        alone = [self._decide(solo, c) for c in self.turn_contexts]
        a, b = self.instance(template, "a"), self.instance(template, "b")
        together = []
        for context in self.turn_contexts:
            together.append(self._decide(a, context))
            self._decide(b, TurnContext(transcript="um", is_final=False))
        assert together == alone, "decisions changed when another session ran"

    @staticmethod
    def _decide(instance: Any, context: TurnContext) -> tuple[bool, float]:
        decision = instance.evaluate(context)
        assert isinstance(decision, TurnDecision)
        assert isinstance(decision.is_complete, bool)
        assert 0.0 <= decision.confidence <= 1.0
        return decision.is_complete, decision.confidence


class BackchannelChecks(StageSuiteBase):
    backchannel_contexts: ClassVar[list[BackchannelContext]] = [
        BackchannelContext(transcript=None),
        BackchannelContext(transcript="", speech_duration_ms=0),
        BackchannelContext(transcript="uh-huh", speech_duration_ms=400, bot_speech_progress=0.4),
        BackchannelContext(
            transcript="no wait, I want to change my order", speech_duration_ms=1800
        ),
    ]

    @requires("backchannel")
    def test_backchannel_decisions_and_isolation(self, template: AudioStage) -> None:
        solo = self.instance(template, "a")
        alone = [self._classify(solo, c) for c in self.backchannel_contexts]
        a, b = self.instance(template, "a"), self.instance(template, "b")
        together = []
        for context in self.backchannel_contexts:
            together.append(self._classify(a, context))
            self._classify(b, BackchannelContext(transcript="yeah"))
        assert together == alone, "decisions changed when another session ran"

    @requires("backchannel", "analyses_audio")
    def test_backchannel_tells_uh_huh_from_an_interruption(self, template: AudioStage) -> None:
        instance = self.instance(template)
        assert self._classify(instance, self.backchannel_contexts[2])[0] is True
        assert self._classify(instance, self.backchannel_contexts[3])[0] is False

    @staticmethod
    def _classify(instance: Any, context: BackchannelContext) -> tuple[bool, float]:
        decision = instance.classify(context)
        assert isinstance(decision, BackchannelDecision)
        assert isinstance(decision.is_backchannel, bool)
        assert 0.0 <= decision.confidence <= 1.0
        return decision.is_backchannel, decision.confidence


class AudioStageSuite(
    VADChecks,
    AECChecks,
    AGCChecks,
    DenoiserChecks,
    PostProcessorChecks,
    DiarizationChecks,
    DTMFChecks,
    ResamplerChecks,
    RecorderChecks,
    TurnDetectorChecks,
    BackchannelChecks,
):
    """Every stage check; the component's capabilities pick the roles (``roomkit conformance``)."""


class VADSuite(VADChecks):
    """Conformance suite of ``vad`` stages."""

    capabilities: ClassVar[set[str] | frozenset[str]] = frozenset({"vad"})


class AECSuite(AECChecks):
    """Conformance suite of ``aec`` stages."""

    capabilities: ClassVar[set[str] | frozenset[str]] = frozenset({"aec"})


class AGCSuite(AGCChecks):
    """Conformance suite of ``agc`` stages."""

    capabilities: ClassVar[set[str] | frozenset[str]] = frozenset({"agc"})


class DenoiserSuite(DenoiserChecks):
    """Conformance suite of ``denoiser`` stages."""

    capabilities: ClassVar[set[str] | frozenset[str]] = frozenset({"denoiser"})


class PostProcessorSuite(PostProcessorChecks):
    """Conformance suite of ``postprocessor`` stages."""

    capabilities: ClassVar[set[str] | frozenset[str]] = frozenset({"postprocessor"})


class DiarizationSuite(DiarizationChecks):
    """Conformance suite of ``diarization`` stages."""

    capabilities: ClassVar[set[str] | frozenset[str]] = frozenset({"diarization"})


class DTMFSuite(DTMFChecks):
    """Conformance suite of ``dtmf`` stages."""

    capabilities: ClassVar[set[str] | frozenset[str]] = frozenset({"dtmf"})


class ResamplerSuite(ResamplerChecks):
    """Conformance suite of ``resampler`` stages."""

    capabilities: ClassVar[set[str] | frozenset[str]] = frozenset({"resampler"})


class RecorderSuite(RecorderChecks):
    """Conformance suite of ``recorder`` stages."""

    capabilities: ClassVar[set[str] | frozenset[str]] = frozenset({"recorder"})


class TurnDetectorSuite(TurnDetectorChecks):
    """Conformance suite of ``turn_detector`` stages."""

    capabilities: ClassVar[set[str] | frozenset[str]] = frozenset({"turn_detector"})


class BackchannelSuite(BackchannelChecks):
    """Conformance suite of ``backchannel`` stages."""

    capabilities: ClassVar[set[str] | frozenset[str]] = frozenset({"backchannel"})
