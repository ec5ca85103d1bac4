"""Per-session stage instances: the rule that keeps state out of shared objects."""

from __future__ import annotations

from typing import Any

import pytest

from roomkit.errors import VoiceSessionError
from roomkit.voice import AudioFrame
from roomkit.voice.pipeline import (
    DenoiserProvider,
    MockDiarizationProvider,
    MockVADProvider,
    VADEvent,
    VADEventType,
)
from roomkit.voice.stage import AudioStage, bind_stage

from .conftest import frame, make_session

START = VADEvent(VADEventType.SPEECH_START)


class Gain(DenoiserProvider):
    def __init__(self, gain: float, *, label: str = "x") -> None:
        self.gain = gain
        self.label = label
        self.seen = 0

    def process(self, frame: AudioFrame) -> AudioFrame:
        self.seen += 1
        return frame


def test_for_session_builds_a_sibling_with_the_same_arguments() -> None:
    template = Gain(2.0, label="g")
    instance = template.for_session(make_session())
    assert instance is not template
    assert (instance.gain, instance.label, instance.seen) == (2.0, "g", 0)
    assert template.name == "Gain"


def test_bind_stage_binds_once_and_refuses_shared_instances() -> None:
    template = Gain(1.0)
    bound = bind_stage(template, make_session("a"))
    assert bound.session_id == "a"
    assert template.session_id is None

    class Shared(Gain):
        def for_session(self, session: Any) -> Shared:
            return self

    with pytest.raises(VoiceSessionError, match="template itself"):
        bind_stage(Shared(1.0), make_session("a"))

    class Cached(Gain):
        cache: Cached | None = None

        def for_session(self, session: Any) -> Cached:
            if Cached.cache is None:
                Cached.cache = Cached(1.0)
            return Cached.cache

    cached = Cached(1.0)
    bind_stage(cached, make_session("a"))
    with pytest.raises(VoiceSessionError, match="bound to session 'a'"):
        bind_stage(cached, make_session("b"))


def test_a_stage_may_share_a_resource_through_for_session() -> None:
    class Model(AudioStage):
        def __init__(self, weights: object | None = None) -> None:
            self.weights = weights if weights is not None else object()

        def for_session(self, session: Any) -> Model:
            return Model(self.weights)

    template = Model()
    one, two = (bind_stage(template, make_session(n)) for n in "ab")
    assert one is not two
    assert one.weights is two.weights is template.weights  # type: ignore[attr-defined]


def test_mock_instances_replay_their_script_and_report_to_the_template() -> None:
    template = MockVADProvider([None, START])
    a = bind_stage(template, make_session("a"))
    b = bind_stage(template, make_session("b"))
    assert isinstance(a, MockVADProvider)
    assert isinstance(b, MockVADProvider)
    assert [a.process(frame()), a.process(frame()), a.process(frame())] == [None, START, None]
    assert [b.process(frame()), b.process(frame())] == [None, START]
    assert len(template.frames) == 5
    assert template.sessions == {"a": a, "b": b}
    a.reset()
    assert template.reset_count == 1
    assert a.process(frame()) is None
    assert a.process(frame()) == START


def test_mock_flush_ends_open_speech_once() -> None:
    vad = MockVADProvider([START])
    vad.process(frame())
    flushed = vad.flush()
    assert flushed is not None
    assert flushed.type is VADEventType.SPEECH_END
    assert vad.flush() is None


def test_mock_records_are_bounded() -> None:
    dia = MockDiarizationProvider()
    for _ in range(10_050):
        dia.process(frame(samples=1))
    assert len(dia.frames) == 10_000
