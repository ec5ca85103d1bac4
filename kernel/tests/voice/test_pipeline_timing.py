"""Timing without sleeps: audio-derived levels and the injectable clock for processing cost."""

from __future__ import annotations

from typing import Any

import pytest

from roomkit.voice.events import AudioLevelEvent
from roomkit.voice.pipeline import AudioPipeline, AudioPipelineConfig, MockDenoiserProvider

from .conftest import frame, loud, make_session, quiet


class StepClock:
    """Advances by ``step`` seconds on every reading."""

    def __init__(self, step: float) -> None:
        self.now = 0.0
        self.step = step

    def __call__(self) -> float:
        self.now += self.step
        return self.now


def test_processing_cost_is_measured_with_the_injected_clock() -> None:
    pipeline = AudioPipeline(
        AudioPipelineConfig(denoiser=MockDenoiserProvider()), clock=StepClock(0.001)
    )
    session = make_session()
    for _ in range(10):
        pipeline.process_frame(session, frame())
    pipeline.process_outbound(session, frame())
    stats = pipeline.stats(session)
    assert stats.processing_seconds == pytest.approx(0.011)
    assert stats.max_frame_seconds == pytest.approx(0.001)
    assert stats.mean_frame_seconds == pytest.approx(0.001)


def test_levels_follow_the_audio_clock_not_the_wall_clock() -> None:
    pipeline = AudioPipeline(AudioPipelineConfig(audio_level_interval_ms=100))
    inbound: list[AudioLevelEvent] = []
    outbound: list[Any] = []
    pipeline.on_input_level(lambda s, e: inbound.append(e))
    pipeline.on_output_level(lambda s, e: outbound.append(e))
    session = make_session()
    for i in range(20):  # 400 ms of 20-ms frames: one level per 100 ms
        pipeline.process_frame(session, loud() if i < 10 else quiet())
    assert len(inbound) == 4
    assert inbound[0].level_db == pytest.approx(-9.0, abs=0.2)  # a half-scale sine
    assert inbound[-1].level_db == -60.0
    assert all(e.direction == "inbound" for e in inbound)
    for _ in range(5):
        pipeline.process_outbound(session, loud())
    assert [e.direction for e in outbound] == ["outbound"]


def test_no_levels_are_computed_without_listeners() -> None:
    pipeline = AudioPipeline(AudioPipelineConfig())
    events: list[Any] = []
    pipeline.on_event(lambda s, e: events.append(e))
    for _ in range(20):
        pipeline.process_frame(make_session(), loud())
    assert events == []
