"""Failing stages and callbacks: reported, counted, bypassed; the session keeps working."""

from __future__ import annotations

import logging
from typing import Any

import pytest

from roomkit.errors import AudioStageError
from roomkit.voice import AudioFrame
from roomkit.voice.pipeline import (
    AudioPipeline,
    AudioPipelineConfig,
    DenoiserProvider,
    MockAudioRecorder,
    MockVADProvider,
    RecordingConfig,
    VADEvent,
    VADEventType,
    VADProvider,
)

from .conftest import Log, frame, make_session


class Flaky(DenoiserProvider):
    """Raises on the frames whose index is in ``bad``; returns garbage when asked."""

    def __init__(self, bad: set[int], garbage: bool = False) -> None:
        self.bad = bad
        self.garbage = garbage
        self.count = 0

    def process(self, frame: AudioFrame) -> AudioFrame:
        index = self.count
        self.count += 1
        if index in self.bad:
            if self.garbage:
                return b"not a frame"  # type: ignore[return-value]
            raise RuntimeError(f"boom {index}")
        return frame.with_data(frame.data[::-1])


def test_a_raising_stage_is_reported_once_per_streak_and_bypassed() -> None:
    pipeline = AudioPipeline(AudioPipelineConfig(denoiser=Flaky({1, 2, 4})))
    log = Log(pipeline)
    processed: list[bytes] = []
    pipeline.on_processed_frame(lambda s, f: processed.append(f.data))
    session = make_session()
    data = b"\x01\x00\x02\x00"
    for _ in range(6):
        pipeline.process_frame(session, AudioFrame(data))
    errors = log.of("error")
    assert len(errors) == 2  # frames 1-2 are one streak, frame 4 another
    assert all(isinstance(e, AudioStageError) and e.stage == "denoiser" for e in errors)
    assert errors[0].session_id == "s1"
    assert "boom 1" in str(errors[0])
    assert isinstance(errors[0].__cause__, RuntimeError)
    assert processed == [data[::-1], data, data, data[::-1], data, data[::-1]]
    assert pipeline.stats(session).stage_failures == {"denoiser": 3}


def test_a_stage_returning_garbage_is_a_failure_too() -> None:
    pipeline = AudioPipeline(AudioPipelineConfig(denoiser=Flaky({0}, garbage=True)))
    log = Log(pipeline)
    pipeline.process_frame(make_session(), frame())
    (error,) = log.of("error")
    assert "instead of an AudioFrame" in str(error)


def test_a_raising_vad_recorder_or_detector_does_not_stop_the_session() -> None:
    class BadVAD(VADProvider):
        def process(self, frame: AudioFrame) -> VADEvent | None:
            raise ValueError("model exploded")

    class BadRecorder(MockAudioRecorder):
        def tap_inbound(self, handle: Any, frame: AudioFrame) -> None:
            raise OSError("disk full")

    pipeline = AudioPipeline(
        AudioPipelineConfig(
            vad=BadVAD(), recorder=BadRecorder(), recording_config=RecordingConfig()
        )
    )
    log = Log(pipeline)
    session = make_session()
    for _ in range(3):
        pipeline.process_frame(session, frame())
    assert sorted(e.stage for e in log.of("error")) == ["recorder", "vad"]
    assert pipeline.stats(session).frames_in == 3


def test_a_vad_returning_garbage_keeps_buffering() -> None:
    vad = MockVADProvider([VADEvent(VADEventType.SPEECH_START), "junk", None])  # type: ignore[list-item]
    pipeline = AudioPipeline(AudioPipelineConfig(vad=vad))
    log = Log(pipeline)
    session = make_session()
    for i in range(3):
        pipeline.process_frame(session, frame(i + 1))
    pipeline.flush(session)
    assert [e.stage for e in log.of("error")] == ["vad"]
    assert len(log.of("speech_end")[0]) == 3 * 640


def test_failing_callbacks_do_not_break_the_pipeline_or_other_callbacks(
    caplog: pytest.LogCaptureFixture,
) -> None:
    pipeline = AudioPipeline(
        AudioPipelineConfig(vad=MockVADProvider([VADEvent(VADEventType.SPEECH_START)]))
    )

    def broken(session: Any, event: Any) -> None:
        raise RuntimeError("hook bug")

    seen: list[Any] = []
    pipeline.on_event(broken)
    pipeline.on_event(lambda s, e: seen.append(e))
    with caplog.at_level(logging.ERROR, "roomkit.voice.pipeline"):
        pipeline.process_frame(make_session(), frame())
    assert len(seen) == 1
    assert "event callback failed" in caplog.text


def test_a_failing_resampler_drops_inbound_frames_and_keeps_outbound_ones() -> None:
    from roomkit.voice.pipeline import AudioFormat, AudioPipelineContract, ResamplerProvider

    class Broken(ResamplerProvider):
        def resample(
            self, frame: AudioFrame, target_rate: int, target_channels: int, target_width: int
        ) -> AudioFrame:
            raise RuntimeError("filter blew up")

    contract = AudioPipelineContract(
        transport_inbound_format=AudioFormat(8000),
        transport_outbound_format=AudioFormat(8000),
    )
    pipeline = AudioPipeline(AudioPipelineConfig(resampler=Broken(), contract=contract))
    log = Log(pipeline)
    session = make_session()
    pipeline.process_frame(session, frame(rate=8000))
    out = pipeline.process_outbound(session, frame(rate=16000))
    assert out.sample_rate == 16000  # played as it was rather than lost
    stats = pipeline.stats(session)
    assert stats.dropped_frames == 1
    assert stats.stage_failures == {"resampler": 2}
    assert [e.stage for e in log.of("error")] == ["resampler"]
