"""The inbound chain: stage order, speech segmentation, events, formats."""

from __future__ import annotations

from typing import Any

import pytest

from roomkit.errors import AudioFormatError, ConfigurationError, VoiceSessionError
from roomkit.voice import AudioFrame, VoiceCapability, VoiceSessionState
from roomkit.voice.events import (
    DTMFDetectedEvent,
    SpeakerChangeEvent,
    SpeechEndEvent,
    SpeechStartEvent,
    VADAudioLevelEvent,
    VADSilenceEvent,
)
from roomkit.voice.pipeline import (
    AECProvider,
    AGCProvider,
    AudioFormat,
    AudioPipeline,
    AudioPipelineConfig,
    AudioPipelineContract,
    DenoiserProvider,
    DiarizationResult,
    DTMFEvent,
    LinearResamplerProvider,
    MockAECProvider,
    MockAGCProvider,
    MockDenoiserProvider,
    MockDiarizationProvider,
    MockDTMFDetector,
    MockVADProvider,
    VADConfig,
    VADEvent,
    VADEventType,
    VADProvider,
)

from .conftest import Log, frame, make_session

T = VADEventType
START, END = VADEvent(T.SPEECH_START), VADEvent(T.SPEECH_END)


class Tagger(AECProvider, AGCProvider, DenoiserProvider):  # type: ignore[misc]
    """Appends its tag to a shared order list (one class plays every transform role)."""

    def __init__(self, tag: str, order: list[str]) -> None:
        self.tag = tag
        self.order = order

    def process(self, frame: AudioFrame) -> AudioFrame:
        self.order.append(self.tag)
        return frame

    def feed_reference(self, frame: AudioFrame) -> None:
        self.order.append(f"{self.tag}-ref")


class OrderVAD(VADProvider):
    def __init__(self, order: list[str]) -> None:
        self.order = order

    def process(self, frame: AudioFrame) -> VADEvent | None:
        self.order.append("vad")
        return None


def test_stages_run_in_the_documented_order() -> None:
    order: list[str] = []
    dia = MockDiarizationProvider()
    dtmf = MockDTMFDetector()
    config = AudioPipelineConfig(
        aec=Tagger("aec", order),
        agc=Tagger("agc", order),
        denoiser=Tagger("denoiser", order),
        vad=OrderVAD(order),
        diarization=dia,
        dtmf=dtmf,
    )
    pipeline = AudioPipeline(config)
    pipeline.process_frame(make_session(), frame())
    assert order == ["aec", "agc", "denoiser", "vad"]
    assert len(dia.frames) == len(dtmf.frames) == 1


def test_dtmf_sees_the_frame_before_echo_cancellation_changes_it() -> None:
    class Zeroing(MockAECProvider):
        def process(self, frame: AudioFrame) -> AudioFrame:
            return frame.with_data(bytes(len(frame.data)))

    dtmf = MockDTMFDetector()
    pipeline = AudioPipeline(AudioPipelineConfig(aec=Zeroing(), dtmf=dtmf))
    pipeline.process_frame(make_session(), frame(7))
    assert dtmf.frames[0].data == frame(7).data


@pytest.mark.parametrize(
    ("caps", "ran"),
    [
        (VoiceCapability.NONE, {"aec", "agc"}),
        (VoiceCapability.NATIVE_AEC, {"agc"}),
        (VoiceCapability.NATIVE_AGC, {"aec"}),
        (VoiceCapability.NATIVE_AEC | VoiceCapability.NATIVE_AGC, set()),
    ],
)
def test_native_aec_and_agc_skip_the_stage(caps: VoiceCapability, ran: set[str]) -> None:
    aec, agc = MockAECProvider(), MockAGCProvider()
    pipeline = AudioPipeline(AudioPipelineConfig(aec=aec, agc=agc), backend_capabilities=caps)
    session = make_session()
    pipeline.process_frame(session, frame())
    pipeline.process_outbound(session, frame())
    assert {name for name, m in (("aec", aec), ("agc", agc)) if m.frames} == ran
    assert len(aec.reference_frames) == (1 if "aec" in ran else 0)


def test_speech_is_segmented_with_pre_roll_when_the_vad_keeps_no_audio() -> None:
    vad = MockVADProvider([None, None, None, START, None, None, END, None])
    pipeline = AudioPipeline(AudioPipelineConfig(vad=vad, vad_config=VADConfig(speech_pad_ms=40)))
    log = Log(pipeline)
    session = make_session()
    for i in range(8):
        pipeline.process_frame(session, frame(i + 1, ts=i * 20.0))
    assert log.event_names() == ["SpeechStartEvent", "SpeechEndEvent"]
    end = log.of("event")[1]
    assert isinstance(end, SpeechEndEvent)
    # two pre-roll frames (2, 3), the speech (4, 5, 6) and the frame that ended it (7)
    assert end.audio.data == b"".join(frame(v).data for v in (2, 3, 4, 5, 6, 7))
    assert end.audio.timestamp_ms == 20.0
    assert end.duration_ms == 120.0
    assert log.of("speech_end") == [end.audio.data]
    vad_end = log.of("vad")[1]
    assert vad_end.type is T.SPEECH_END
    assert vad_end.audio_bytes == end.audio.data
    assert vad_end.duration_ms == 120.0
    assert pipeline.stats(session).utterances == 1


def test_the_start_event_carries_the_pre_roll_for_streaming_consumers() -> None:
    """Without VAD audio: the speech_pad_ms ring; with it: the VAD's onset, and the utterance
    at the end begins with exactly that pre-roll."""
    vad = MockVADProvider([None, None, None, START, None, END])
    pipeline = AudioPipeline(AudioPipelineConfig(vad=vad, vad_config=VADConfig(speech_pad_ms=40)))
    log = Log(pipeline)
    session = make_session()
    for i in range(6):
        pipeline.process_frame(session, frame(i + 1))
    start, end = log.of("event")
    assert isinstance(start, SpeechStartEvent)
    assert start.preroll is not None
    assert start.preroll.data == frame(2).data + frame(3).data
    assert end.audio.data.startswith(start.preroll.data + frame(4).data)

    onset = frame(9).data * 3  # what a VAD heard before it confirmed speech
    vad = MockVADProvider([VADEvent(T.SPEECH_START, audio_bytes=onset), END])
    pipeline = AudioPipeline(AudioPipelineConfig(vad=vad, vad_config=VADConfig(speech_pad_ms=40)))
    log = Log(pipeline)
    pipeline.process_frame(session, frame(4))
    pipeline.process_frame(session, frame(5))
    start, end = log.of("event")
    assert start.preroll is not None
    assert (start.preroll.data, start.preroll.sample_rate) == (onset, 16000)
    assert end.audio.data == onset + frame(4).data + frame(5).data

    vad = MockVADProvider([START, END])  # nothing before speech: no pre-roll
    pipeline = AudioPipeline(AudioPipelineConfig(vad=vad, vad_config=VADConfig(speech_pad_ms=0)))
    log = Log(pipeline)
    pipeline.process_frame(session, frame(1))
    assert log.of("event")[0].preroll is None


def test_audio_the_vad_supplies_wins() -> None:
    vad = MockVADProvider([START, VADEvent(T.SPEECH_END, audio_bytes=b"\x05\x00" * 10)])
    pipeline = AudioPipeline(AudioPipelineConfig(vad=vad))
    log = Log(pipeline)
    session = make_session()
    pipeline.process_frame(session, frame())
    pipeline.process_frame(session, frame())
    assert log.of("speech_end") == [b"\x05\x00" * 10]


def test_a_vad_utterance_that_is_not_pcm_is_a_stage_failure_and_ours_is_used() -> None:
    vad = MockVADProvider([START, VADEvent(T.SPEECH_END, audio_bytes=b"\x05")])
    pipeline = AudioPipeline(AudioPipelineConfig(vad=vad, vad_config=VADConfig(speech_pad_ms=0)))
    log = Log(pipeline)
    session = make_session()
    pipeline.process_frame(session, frame(1))
    pipeline.process_frame(session, frame(2))
    assert log.of("speech_end") == [frame(1).data + frame(2).data]
    assert [e.stage for e in log.of("error")] == ["vad"]


def test_stray_and_repeated_vad_events_keep_starts_and_ends_paired() -> None:
    vad = MockVADProvider([END, START, START, None, END, END])
    pipeline = AudioPipeline(AudioPipelineConfig(vad=vad, vad_config=VADConfig(speech_pad_ms=0)))
    log = Log(pipeline)
    session = make_session()
    for i in range(6):
        pipeline.process_frame(session, frame(i + 1))
    assert log.event_names() == ["SpeechStartEvent", "SpeechEndEvent"]
    assert log.of("speech_end") == [b"".join(frame(v).data for v in (2, 3, 4, 5))]


def test_silence_and_level_events_carry_the_vad_values() -> None:
    vad = MockVADProvider(
        [VADEvent(T.AUDIO_LEVEL, level_db=-30.0), START, VADEvent(T.SILENCE, duration_ms=420.7)]
    )
    pipeline = AudioPipeline(AudioPipelineConfig(vad=vad))
    log = Log(pipeline)
    for _ in range(3):
        pipeline.process_frame(make_session(), frame())
    events = log.of("event")
    level, silence = events[0], events[2]
    assert isinstance(level, VADAudioLevelEvent)
    assert level.level_db == -30.0
    assert not level.is_speech
    assert isinstance(silence, VADSilenceEvent)
    assert silence.silence_duration_ms == 420
    assert isinstance(events[1], SpeechStartEvent)


def test_utterances_are_bounded_and_continue_as_a_new_one() -> None:
    vad = MockVADProvider([START] + [None] * 9 + [END])
    config = AudioPipelineConfig(
        vad=vad, vad_config=VADConfig(speech_pad_ms=0, max_speech_duration_ms=100)
    )
    pipeline = AudioPipeline(config)
    log = Log(pipeline)
    for i in range(11):
        pipeline.process_frame(make_session(), frame(i + 1))
    assert log.event_names() == [
        "SpeechStartEvent",
        "SpeechEndEvent",
        "SpeechStartEvent",
        "SpeechEndEvent",
        "SpeechStartEvent",
        "SpeechEndEvent",
    ]
    assert [len(b) // 640 for b in log.of("speech_end")] == [5, 5, 1]


def test_flush_ends_speech_in_progress() -> None:
    pipeline = AudioPipeline(
        AudioPipelineConfig(vad=MockVADProvider([START]), vad_config=VADConfig(speech_pad_ms=0))
    )
    log = Log(pipeline)
    session = make_session()
    pipeline.process_frame(session, frame(3))
    pipeline.process_frame(session, frame(4))
    pipeline.flush(session)
    assert log.of("speech_end") == [frame(3).data + frame(4).data]
    pipeline.flush(session)  # nothing pending: nothing emitted
    assert len(log.of("speech_end")) == 1


def test_session_end_drops_pending_speech() -> None:
    pipeline = AudioPipeline(AudioPipelineConfig(vad=MockVADProvider([START])))
    log = Log(pipeline)
    session = make_session()
    pipeline.process_frame(session, frame())
    pipeline.on_session_ended(session)
    assert log.of("speech_end") == []
    assert pipeline.session_ids == []


def test_speaker_change_is_reported_only_on_change() -> None:
    a, b = DiarizationResult("A", 0.9, True), DiarizationResult("B", 0.8, True)
    again = DiarizationResult("A", 0.9, False)
    dia = MockDiarizationProvider([a, again, None, b, again])
    pipeline = AudioPipeline(AudioPipelineConfig(diarization=dia))
    speakers: list[Any] = []
    pipeline.on_speaker_change(lambda s, r: speakers.append(r.speaker_id))
    log = Log(pipeline)
    for _ in range(5):
        pipeline.process_frame(make_session(), frame())
    assert speakers == ["A", "B", "A"]
    changes = [e for e in log.of("event") if isinstance(e, SpeakerChangeEvent)]
    assert [(c.speaker_id, c.is_new_speaker) for c in changes] == [
        ("A", True),
        ("B", True),
        ("A", False),
    ]


def test_dtmf_events() -> None:
    pipeline = AudioPipeline(AudioPipelineConfig(dtmf=MockDTMFDetector([None, DTMFEvent("#", 90)])))
    digits: list[str] = []
    pipeline.on_dtmf(lambda s, e: digits.append(e.digit))
    log = Log(pipeline)
    for _ in range(3):
        pipeline.process_frame(make_session(), frame())
    assert digits == ["#"]
    (event,) = log.of("event")
    assert isinstance(event, DTMFDetectedEvent)
    assert event.duration_ms == 90
    with pytest.raises(ConfigurationError):
        DTMFEvent("x", 10)


def test_speech_and_processed_frame_callbacks() -> None:
    pipeline = AudioPipeline(AudioPipelineConfig(vad=MockVADProvider([None, START, None, END])))
    speech: list[bytes] = []
    processed: list[bytes] = []
    pipeline.on_speech_frame(lambda s, f: speech.append(f.data))
    pipeline.on_processed_frame(lambda s, f: processed.append(f.data))
    for i in range(5):
        pipeline.process_frame(make_session(), frame(i + 1))
    assert speech == [frame(2).data, frame(3).data]
    assert len(processed) == 5


def test_the_resampler_converts_to_the_internal_format() -> None:
    contract = AudioPipelineContract(
        transport_inbound_format=AudioFormat(8000),
        transport_outbound_format=AudioFormat(8000),
        internal_format=AudioFormat(16000),
    )
    seen: list[int] = []
    pipeline = AudioPipeline(
        AudioPipelineConfig(resampler=LinearResamplerProvider(), contract=contract)
    )
    pipeline.on_processed_frame(lambda s, f: seen.append(f.sample_rate))
    session = make_session()
    pipeline.process_frame(session, frame(samples=160, rate=8000))
    out = pipeline.process_outbound(session, frame(samples=320, rate=16000))
    assert seen == [16000]
    assert (out.sample_rate, out.num_samples) == (8000, 160)


def test_without_a_resampler_the_format_may_not_change_mid_session() -> None:
    pipeline = AudioPipeline(AudioPipelineConfig(vad=MockVADProvider()))
    session = make_session()
    pipeline.process_frame(session, frame(rate=16000))
    with pytest.raises(AudioFormatError, match="configure a resampler"):
        pipeline.process_frame(session, frame(rate=8000))
    pipeline.process_frame(make_session("other"), frame(rate=8000))  # other sessions are free


def test_a_stage_that_takes_only_some_rates_refuses_others() -> None:
    class Narrowband(MockDenoiserProvider):
        supported_sample_rates = frozenset({8000})

    pipeline = AudioPipeline(AudioPipelineConfig(denoiser=Narrowband()))
    with pytest.raises(AudioFormatError, match=r"takes \[8000\] Hz"):
        pipeline.process_frame(make_session(), frame(rate=16000))
    pipeline.process_frame(make_session("ok"), frame(rate=8000))


def test_bad_input_is_refused_with_typed_errors() -> None:
    pipeline = AudioPipeline(AudioPipelineConfig(vad=MockVADProvider()))
    with pytest.raises(AudioFormatError, match="expected an AudioFrame"):
        pipeline.process_frame(make_session(), b"\x00\x00")  # type: ignore[arg-type]
    ended = make_session("gone")
    ended.state = VoiceSessionState.ENDED
    with pytest.raises(VoiceSessionError, match="has ended"):
        pipeline.process_frame(ended, frame())
    pipeline.process_frame(make_session(), AudioFrame(b""))  # empty: nothing to do
    assert pipeline.session_ids == []
    with pytest.raises(VoiceSessionError, match="no state"):
        pipeline.stats(make_session("unknown"))


def test_config_is_validated() -> None:
    with pytest.raises(ConfigurationError, match=r"vad must be a VADProvider"):
        AudioPipelineConfig(vad=MockDenoiserProvider())  # type: ignore[arg-type]
    with pytest.raises(ConfigurationError, match=r"postprocessors\[0\]"):
        AudioPipelineConfig(postprocessors=[MockVADProvider()])  # type: ignore[list-item]
    with pytest.raises(ConfigurationError, match="vad_config"):
        AudioPipelineConfig(vad_config={"silence_threshold_ms": 1})  # type: ignore[arg-type]
    with pytest.raises(ConfigurationError, match="audio_level_interval_ms"):
        AudioPipelineConfig(audio_level_interval_ms=0)
    with pytest.raises(ConfigurationError, match="speech_pad_ms"):
        VADConfig(speech_pad_ms=-1)
    with pytest.raises(ConfigurationError):
        AudioPipeline({})  # type: ignore[arg-type]
