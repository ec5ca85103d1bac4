"""Debug taps (WAV files per stage) and telemetry (a span per session, failure metrics)."""

from __future__ import annotations

import wave
from pathlib import Path
from typing import Any

import pytest

from roomkit.errors import ConfigurationError
from roomkit.telemetry.base import Attributes, TelemetryProvider
from roomkit.voice import AudioFrame, VoiceSession
from roomkit.voice.pipeline import (
    AudioPipeline,
    AudioPipelineConfig,
    DenoiserProvider,
    MockDenoiserProvider,
    MockVADProvider,
    PipelineDebugTaps,
    VADConfig,
    VADEvent,
    VADEventType,
)

from .conftest import frame, make_session

START, END = VADEvent(VADEventType.SPEECH_START), VADEvent(VADEventType.SPEECH_END)


def _frames(path: Path) -> tuple[int, int]:
    with wave.open(str(path), "rb") as wav:
        return wav.getnframes(), wav.getframerate()


def test_debug_taps_write_each_stage_of_each_session(tmp_path: Path) -> None:
    config = AudioPipelineConfig(
        vad=MockVADProvider([None, START, None, END]),
        denoiser=MockDenoiserProvider(),
        vad_config=VADConfig(speech_pad_ms=0),
        debug_taps=PipelineDebugTaps(output_dir=str(tmp_path)),
    )
    pipeline = AudioPipeline(config)
    session = VoiceSession("../../evil id", "room", "p", "voice")
    for i in range(5):
        pipeline.process_frame(session, frame(i + 1))
    pipeline.process_outbound(session, frame(9))
    pipeline.on_session_ended(session)
    files = {p.name: _frames(p) for p in tmp_path.iterdir()}
    assert files == {
        ".._.._evil_id_01_raw.wav": (1600, 16000),
        ".._.._evil_id_04_post_denoiser.wav": (1600, 16000),
        ".._.._evil_id_05_post_vad_speech_001.wav": (960, 16000),
        ".._.._evil_id_06_outbound_raw.wav": (320, 16000),
        ".._.._evil_id_07_outbound_final.wav": (320, 16000),
    }


def test_debug_taps_can_be_limited_and_unscoped(tmp_path: Path) -> None:
    taps = PipelineDebugTaps(output_dir=str(tmp_path / "d"), stages=["raw"], session_scoped=False)
    pipeline = AudioPipeline(AudioPipelineConfig(debug_taps=taps))
    pipeline.process_frame(make_session(), frame())
    pipeline.close()
    assert [p.name for p in (tmp_path / "d").iterdir()] == ["01_raw.wav"]
    with pytest.raises(ConfigurationError, match="unknown debug tap"):
        PipelineDebugTaps(output_dir=str(tmp_path), stages=["post_magic"])
    with pytest.raises(ConfigurationError, match="output_dir"):
        PipelineDebugTaps()


class Spans(TelemetryProvider):
    def __init__(self) -> None:
        self.started: list[tuple[str, Attributes | None, str | None]] = []
        self.ended: list[tuple[str, Attributes | None]] = []
        self.metrics: list[tuple[str, float, Attributes | None]] = []

    def start_span(
        self, name: str, attributes: Attributes | None = None, parent_id: str | None = None
    ) -> str:
        self.started.append((name, attributes, parent_id))
        return f"span-{len(self.started)}"

    def end_span(
        self,
        span_id: str,
        *,
        status: str = "ok",
        error: Any = None,
        attributes: Attributes | None = None,
    ) -> None:
        self.ended.append((span_id, attributes))

    def record_metric(
        self, name: str, value: float, *, unit: str = "", attributes: Attributes | None = None
    ) -> None:
        self.metrics.append((name, value, attributes))


def test_telemetry_span_per_session_and_failure_metrics() -> None:
    class Broken(DenoiserProvider):
        def process(self, frame: AudioFrame) -> AudioFrame:
            raise RuntimeError("nope")

    telemetry = Spans()
    pipeline = AudioPipeline(AudioPipelineConfig(denoiser=Broken(), telemetry=telemetry))
    session = make_session("call-9")
    pipeline.set_parent_span("call-9", "voice-session-span")
    pipeline.on_session_active(session)
    for _ in range(3):
        pipeline.process_frame(session, frame())
    pipeline.on_session_ended(session)
    assert telemetry.started == [
        (
            "roomkit.voice.pipeline",
            {"session_id": "call-9", "room_id": "room"},
            "voice-session-span",
        )
    ]
    ((span, attributes),) = telemetry.ended
    assert span == "span-1"
    assert attributes is not None
    assert (attributes["frames_in"], attributes["stage_failures"]) == (3, 3)
    assert telemetry.metrics == [("roomkit.voice.stage_failures", 1, {"stage": "denoiser"})] * 3


def test_config_keeps_roomkit_067_positions_and_adds_keyword_only_settings() -> None:
    import inspect

    params = list(inspect.signature(AudioPipelineConfig).parameters.values())
    assert [p.name for p in params[:18]] == [
        "vad",
        "denoiser",
        "diarization",
        "postprocessors",
        "vad_config",
        "aec",
        "agc",
        "agc_config",
        "dtmf",
        "turn_detector",
        "backchannel_detector",
        "recorder",
        "recording_config",
        "interruption",
        "resampler",
        "contract",
        "debug_taps",
        "telemetry",
    ]
    assert {p.name for p in params[18:]} == {"audio_level_interval_ms", "stage_timeout"}
    assert all(p.kind is inspect.Parameter.KEYWORD_ONLY for p in params[18:])
