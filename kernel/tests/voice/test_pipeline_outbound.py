"""The outbound chain and the AEC reference."""

from __future__ import annotations

import pytest

from roomkit.errors import VoiceSessionError
from roomkit.voice import AudioFrame
from roomkit.voice.pipeline import (
    AudioPipeline,
    AudioPipelineConfig,
    AudioPostProcessor,
    MockAECProvider,
    MockAudioPostProcessor,
    MockAudioRecorder,
    RecordingConfig,
    RecordingMode,
)

from .conftest import frame, make_session


class Add(AudioPostProcessor):
    def __init__(self, amount: int) -> None:
        self.amount = amount

    def process(self, frame: AudioFrame) -> AudioFrame:
        from roomkit.voice.pcm import samples, to_bytes

        return frame.with_data(to_bytes([v + self.amount for v in samples(frame.data)]))


def test_post_processors_run_in_order_before_recording_and_the_aec_reference() -> None:
    aec, recorder = MockAECProvider(), MockAudioRecorder()
    config = AudioPipelineConfig(
        postprocessors=[Add(1), Add(10)],
        aec=aec,
        recorder=recorder,
        recording_config=RecordingConfig(),
    )
    pipeline = AudioPipeline(config)
    session = make_session()
    pipeline.on_session_active(session)
    out = pipeline.process_outbound(session, frame(0, samples=4))
    assert out.data == frame(11, samples=4).data
    assert recorder.outbound_frames[0][1].data == out.data
    assert aec.reference_frames[0].data == out.data
    assert pipeline.stats(session).frames_out == 1


def test_mock_post_processor_gain() -> None:
    pipeline = AudioPipeline(AudioPipelineConfig(postprocessors=[MockAudioPostProcessor(gain=2)]))
    assert pipeline.process_outbound(make_session(), frame(3, 4)).data == frame(6, 4).data


def test_backend_fed_reference_is_not_fed_twice() -> None:
    aec = MockAECProvider()
    pipeline = AudioPipeline(AudioPipelineConfig(aec=aec), backend_feeds_aec_reference=True)
    session = make_session()
    pipeline.process_outbound(session, frame())
    assert len(aec.reference_frames) == 0
    pipeline.feed_aec_reference(frame(), session)
    assert len(aec.reference_frames) == 1


def test_playback_feed_and_session_selection() -> None:
    aec = MockAECProvider()
    pipeline = AudioPipeline(AudioPipelineConfig(aec=aec))
    pipeline.feed_aec_reference(frame())  # no session yet: nothing to feed
    a = make_session("a")
    pipeline.on_session_active(a)
    pipeline.enable_playback_aec_feed()
    pipeline.process_outbound(a, frame())
    assert len(aec.reference_frames) == 0
    pipeline.feed_aec_reference(frame())  # the only session
    assert aec.sessions["a"].reference_frames is aec.reference_frames
    assert len(aec.reference_frames) == 1
    pipeline.on_session_active(make_session("b"))
    with pytest.raises(VoiceSessionError, match="session="):
        pipeline.feed_aec_reference(frame())


@pytest.mark.parametrize(
    ("mode", "inbound", "outbound"),
    [
        (RecordingMode.BOTH, 1, 1),
        (RecordingMode.INBOUND_ONLY, 1, 0),
        (RecordingMode.OUTBOUND_ONLY, 0, 1),
    ],
)
def test_recording_modes(mode: RecordingMode, inbound: int, outbound: int) -> None:
    recorder = MockAudioRecorder()
    pipeline = AudioPipeline(
        AudioPipelineConfig(recorder=recorder, recording_config=RecordingConfig(mode=mode))
    )
    session = make_session()
    pipeline.process_frame(session, frame())
    pipeline.process_outbound(session, frame())
    assert (len(recorder.inbound_frames), len(recorder.outbound_frames)) == (inbound, outbound)
