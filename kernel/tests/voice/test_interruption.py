"""Barge-in decisions, tested on their own."""

from __future__ import annotations

import pytest

from roomkit.errors import ConfigurationError
from roomkit.voice.interruption import (
    InterruptionConfig,
    InterruptionDecision,
    InterruptionHandler,
    InterruptionStrategy,
)
from roomkit.voice.pipeline import (
    BackchannelContext,
    BackchannelDecision,
    BackchannelDetector,
    MockBackchannelDetector,
    PhraseBackchannelDetector,
)

from .conftest import make_session

S = InterruptionStrategy


def decide(config: InterruptionConfig, position: int, duration: int, text: str = "") -> bool:
    handler = InterruptionHandler(config)
    return handler.evaluate(
        playback_position_ms=position, speech_duration_ms=duration, speech_text=text
    ).should_interrupt


@pytest.mark.parametrize(
    ("strategy", "duration", "interrupts"),
    [
        (S.IMMEDIATE, 0, True),
        (S.IMMEDIATE, 50, True),
        (S.CONFIRMED, 299, False),
        (S.CONFIRMED, 300, True),
        (S.DISABLED, 5000, False),
        (S.SEMANTIC, 100, False),  # no detector: falls back to CONFIRMED
        (S.SEMANTIC, 400, True),
    ],
)
def test_strategies(strategy: InterruptionStrategy, duration: int, interrupts: bool) -> None:
    assert decide(InterruptionConfig(strategy=strategy), 1000, duration) is interrupts


def test_defaults_match_roomkit_067() -> None:
    config = InterruptionConfig()
    assert config.strategy is S.CONFIRMED
    assert config.min_speech_ms == 300
    assert config.allow_during_first_ms == 0
    assert config.flush_partial_tts
    assert config.keep_partial_transcript


def test_nothing_interrupts_during_the_first_milliseconds_of_playback() -> None:
    config = InterruptionConfig(strategy=S.IMMEDIATE, allow_during_first_ms=500)
    handler = InterruptionHandler(config)
    early = handler.evaluate(playback_position_ms=499, speech_duration_ms=900)
    assert early == InterruptionDecision(False, reason="playback too early")
    assert handler.evaluate(playback_position_ms=500).should_interrupt


def test_semantic_ignores_uh_huh_and_stops_for_a_real_interruption() -> None:
    config = InterruptionConfig(
        strategy=S.SEMANTIC, backchannel_detector=PhraseBackchannelDetector()
    )
    handler = InterruptionHandler(config)
    pending = handler.evaluate(playback_position_ms=800, speech_duration_ms=400)
    assert pending.pending
    assert not pending.should_interrupt
    backchannel = handler.evaluate(
        playback_position_ms=800, speech_duration_ms=400, speech_text="uh-huh"
    )
    assert backchannel == InterruptionDecision(False, is_backchannel=True, reason="backchannel")
    stop = handler.evaluate(
        playback_position_ms=800, speech_duration_ms=400, speech_text="wait, stop"
    )
    assert stop.should_interrupt
    assert not stop.is_backchannel


def test_semantic_passes_what_it_knows_to_the_detector() -> None:
    detector = MockBackchannelDetector([BackchannelDecision(True, label="yeah")])
    handler = InterruptionHandler(
        InterruptionConfig(strategy=S.SEMANTIC),
        backchannel_detector=detector,
        session=make_session("call"),
    )
    assert handler.backchannel_detector is not detector  # its own per-session instance
    handler.evaluate(
        playback_position_ms=10,
        speech_duration_ms=250,
        speech_text="yeah",
        bot_speech_progress=0.25,
    )
    (context,) = detector.evaluations
    assert (context.transcript, context.speech_duration_ms) == ("yeah", 250.0)
    assert (context.bot_speech_progress, context.session_id) == (0.25, "call")


def test_a_failing_detector_lets_the_user_interrupt() -> None:
    class Broken(BackchannelDetector):
        def classify(self, context: BackchannelContext) -> BackchannelDecision:
            raise RuntimeError("model missing")

    handler = InterruptionHandler(
        InterruptionConfig(strategy=S.SEMANTIC, backchannel_detector=Broken())
    )
    decision = handler.evaluate(playback_position_ms=10, speech_text="hello")
    assert decision.should_interrupt
    assert decision.reason == "backchannel detector failed"


def test_config_is_validated() -> None:
    assert InterruptionConfig(strategy="immediate").strategy is S.IMMEDIATE  # type: ignore[arg-type]
    with pytest.raises(ConfigurationError, match="strategy"):
        InterruptionConfig(strategy="sometimes")  # type: ignore[arg-type]
    with pytest.raises(ConfigurationError, match="min_speech_ms"):
        InterruptionConfig(min_speech_ms=-1)
    with pytest.raises(ConfigurationError, match="backchannel_detector"):
        InterruptionConfig(backchannel_detector="uh")  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("text", "duration", "is_backchannel"),
    [
        ("uh-huh", 0, True),
        ("Uh huh.", 0, True),
        ("Mm-hmm, yeah okay", 0, True),
        ("got it", 0, True),
        ("yeah but wait", 0, False),
        ("stop", 0, False),
        ("okay okay okay okay okay", 0, False),
        ("yeah", 4000, False),
        ("", 0, False),
        (None, 0, False),
    ],
)
def test_phrase_detector(text: str | None, duration: float, is_backchannel: bool) -> None:
    detector = PhraseBackchannelDetector()
    verdict = detector.classify(BackchannelContext(transcript=text, speech_duration_ms=duration))
    assert verdict.is_backchannel is is_backchannel
