"""SpeexAECProvider: the conformance suite, and real echo removed from real speech."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from roomkit_speex import SpeexAECProvider

from roomkit.errors import AudioFormatError, ConfigurationError
from roomkit.voice.audio_frame import AudioFrame, split_frames
from roomkit.voice.base import VoiceSession
from roomkit.voice.pcm import rms_db
from roomkit.voice.stage import bind_stage
from roomkit_conformance.speech import spoken
from roomkit_conformance.suites.audio_stage import StageHarness
from roomkit_conformance.suites.stage_roles import AECSuite


class TestSpeexAEC(AECSuite):
    capabilities = {"aec", "analyses_audio"}

    @pytest.fixture
    def component(self) -> Any:
        return StageHarness(SpeexAECProvider(), speech=_frames(spoken("Thank you for calling")))


def _frames(frame: AudioFrame) -> list[AudioFrame]:
    return list(split_frames(frame.data, frame.sample_rate, frame_ms=20))


def _room(played: np.ndarray) -> np.ndarray:
    """What the microphone hears of ``played``: 25 ms later, a few reflections, attenuated."""
    echo = np.zeros(len(played) + 2000)
    for delay_ms, gain in ((25, 0.5), (32, 0.25), (47, 0.12), (70, 0.05)):
        start = delay_ms * 16
        echo[start : start + len(played)] += gain * played
    return echo[: len(played)]


def _cancel(aec: SpeexAECProvider, played: np.ndarray, mic: np.ndarray) -> np.ndarray:
    out = []
    step = 320
    for offset in range(0, len(mic) - step + 1, step):
        aec.feed_reference(AudioFrame(played[offset : offset + step].astype("<i2").tobytes()))
        cleaned = aec.process(AudioFrame(mic[offset : offset + step].astype("<i2").tobytes()))
        out.append(np.frombuffer(cleaned.data, "<i2"))
    return np.concatenate(out)


def _session() -> VoiceSession:
    return VoiceSession.new("room", "caller", "voice")


def test_removes_the_echo_of_played_speech() -> None:
    text = "Your table is booked for tonight. Thank you for calling, see you soon."
    played = np.frombuffer(spoken(text, pad_ms=0).data, "<i2").astype(np.float64)
    played = np.tile(played, 2)  # give the filter time to converge
    mic = np.rint(_room(played))
    out = _cancel(bind_stage(SpeexAECProvider(), _session()), played, mic)
    tail = slice(len(out) // 2, len(out))  # after convergence
    before = rms_db(mic[tail].astype("<i2").tobytes())
    after = rms_db(out[tail].astype("<i2").tobytes())
    assert before - after >= 15.0, f"echo only reduced from {before:.1f} to {after:.1f} dBFS"


def test_keeps_the_callers_voice_while_the_agent_talks() -> None:
    played = np.frombuffer(spoken("See you tomorrow morning", pad_ms=0).data, "<i2")
    caller = np.frombuffer(spoken("I want to speak to an agent", pad_ms=0).data, "<i2")
    length = min(len(played), len(caller))
    played = np.tile(played[:length].astype(np.float64), 3)
    near = np.concatenate((np.zeros(2 * length), caller[:length].astype(np.float64)))
    out = _cancel(bind_stage(SpeexAECProvider(), _session()), played, _room(played) + near)
    voice = slice(2 * length, 3 * length - 320)
    kept = np.corrcoef(out[voice], near[voice][: len(out[voice])])[0, 1]
    assert kept > 0.8, f"the caller's voice correlates only {kept:.2f} with the output"


def test_bypass_format_and_config_errors() -> None:
    aec = bind_stage(SpeexAECProvider(), _session())
    frame = AudioFrame(np.full(320, 1000, "<i2").tobytes())
    aec.set_active(False)
    assert aec.process(frame) is frame
    aec.set_active(True)
    with pytest.raises(AudioFormatError, match="mono"):
        aec.process(AudioFrame(bytes(1280), 16000, 2))
    aec.process(frame)
    with pytest.raises(AudioFormatError, match="reference"):
        aec.feed_reference(AudioFrame(bytes(640), 8000))
    with pytest.raises(ConfigurationError):
        SpeexAECProvider(frame_size=320, filter_length=100)
