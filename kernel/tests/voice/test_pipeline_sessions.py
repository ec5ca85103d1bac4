"""Sessions: per-session stage instances, recordings, reset and close.

The headline check: 20 calls interleaved frame by frame through one pipeline whose VAD keeps
its state on ``self`` each give their own utterance (RoomKit 0.6.7's shared energy VAD lost
most of them).
"""

from __future__ import annotations

from typing import Any

from roomkit.voice import AudioFrame
from roomkit.voice.events import RecordingStartedEvent, RecordingStoppedEvent, SpeechEndEvent
from roomkit.voice.pipeline import (
    AudioPipeline,
    AudioPipelineConfig,
    MockAudioRecorder,
    MockTurnDetector,
    MockVADProvider,
    RecordingConfig,
    RecordingTrigger,
    VADConfig,
    VADEvent,
    VADEventType,
)

from .conftest import Log, ThresholdVAD, frame, loud, make_session, quiet

START, END = VADEvent(VADEventType.SPEECH_START), VADEvent(VADEventType.SPEECH_END)


def test_twenty_interleaved_calls_give_all_hundred_utterances() -> None:
    pipeline = AudioPipeline(
        AudioPipelineConfig(vad=ThresholdVAD(hangover=3), vad_config=VADConfig(speech_pad_ms=0))
    )
    ends: dict[str, list[AudioFrame]] = {}
    pipeline.on_event(
        lambda s, e: (
            ends.setdefault(s.id, []).append(e.audio) if isinstance(e, SpeechEndEvent) else None
        )
    )
    sessions = [make_session(f"call-{n}") for n in range(20)]

    # Call n starts after n quiet frames, then says 5 utterances of its own pitch (one pitch
    # per utterance), each 5 frames long and followed by 6 quiet frames.
    def pitch(n: int, k: int) -> float:
        return 200 + 10 * n + 300 * k

    scripts = {
        s.id: [quiet()] * n
        + [f for k in range(5) for f in [loud(pitch(n, k))] * 5 + [quiet()] * 6]
        + [quiet()] * (20 - n)
        for n, s in enumerate(sessions)
    }
    for step in range(75):
        for s in sessions:
            pipeline.process_frame(s, scripts[s.id][step])
    assert sum(len(v) for v in ends.values()) == 100
    for n, s in enumerate(sessions):
        expected = [loud(pitch(n, k)).data * 5 + quiet().data * 3 for k in range(5)]
        assert [u.data for u in ends[s.id]] == expected, f"{s.id} got someone else's audio"
    assert len({id(pipeline.stages(s).vad) for s in sessions}) == 20


def test_each_session_gets_its_own_detectors() -> None:
    turn = MockTurnDetector()
    pipeline = AudioPipeline(AudioPipelineConfig(turn_detector=turn))
    a, b = make_session("a"), make_session("b")
    pipeline.on_session_active(a)
    pipeline.on_session_active(b)
    ta, tb = pipeline.stages(a).turn_detector, pipeline.stages(b).turn_detector
    assert ta is not None
    assert tb is not None
    assert ta is not tb
    assert ta is not turn
    assert turn.sessions == {"a": ta, "b": tb}


def test_recording_starts_with_the_session_and_stops_at_its_end() -> None:
    recorder = MockAudioRecorder()
    pipeline = AudioPipeline(
        AudioPipelineConfig(recorder=recorder, recording_config=RecordingConfig())
    )
    handles: list[Any] = []
    results: list[Any] = []
    pipeline.on_recording_started(lambda s, h: handles.append(h))
    pipeline.on_recording_stopped(lambda s, r: results.append(r))
    log = Log(pipeline)
    session = make_session()
    pipeline.on_session_active(session)
    pipeline.on_session_active(session)  # idempotent
    for _ in range(50):
        pipeline.process_frame(session, frame())
    pipeline.on_session_ended(session)
    pipeline.on_session_ended(session)  # idempotent
    assert [h.session_id for h in handles] == ["s1"]
    (result,) = results
    assert result.duration_seconds == 1.0
    started, stopped = log.of("event")
    assert isinstance(started, RecordingStartedEvent)
    assert started.id == handles[0].id
    assert isinstance(stopped, RecordingStoppedEvent)
    assert stopped.urls == tuple(result.urls)
    assert recorder.sessions["s1"].closed


def test_without_recording_config_nothing_is_recorded() -> None:
    recorder = MockAudioRecorder()
    pipeline = AudioPipeline(AudioPipelineConfig(recorder=recorder))
    pipeline.process_frame(make_session(), frame())
    assert recorder.started == []
    assert len(recorder.inbound_frames) == 0


def test_speech_only_recording_keeps_inbound_speech() -> None:
    recorder = MockAudioRecorder()
    config = AudioPipelineConfig(
        vad=MockVADProvider([None, START, None, END, None]),
        recorder=recorder,
        recording_config=RecordingConfig(trigger=RecordingTrigger.SPEECH_ONLY),
    )
    pipeline = AudioPipeline(config)
    for i in range(5):
        pipeline.process_frame(make_session(), frame(i + 1))
    # taps happen before the VAD decides on a frame: speech frames after the start
    assert [f.data for _, f in recorder.inbound_frames] == [frame(3).data, frame(4).data]


def test_reset_restarts_every_session() -> None:
    vad = MockVADProvider([START])
    pipeline = AudioPipeline(AudioPipelineConfig(vad=vad))
    log = Log(pipeline)
    session = make_session()
    pipeline.process_frame(session, frame())
    pipeline.reset()
    pipeline.process_frame(session, frame())
    assert log.event_names() == ["SpeechStartEvent", "SpeechStartEvent"]
    assert vad.reset_count == 1


def test_close_ends_sessions_and_closes_templates() -> None:
    vad = MockVADProvider()
    pipeline = AudioPipeline(AudioPipelineConfig(vad=vad))
    session = make_session()
    pipeline.process_frame(session, frame())
    instance = vad.sessions["s1"]
    pipeline.close()
    pipeline.close()
    assert instance.closed
    assert vad.closed
    assert pipeline.session_ids == []
