"""WebRTCAECProvider: the conformance suite, and real echo removed from real speech.

The far end is espeak-ng speech played as the reference; the microphone hears it back through
a simulated room (a delayed, attenuated copy plus weaker reflections). ERLE (echo return loss
enhancement) = the echo's energy in the microphone signal over its energy in the output, in dB.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from roomkit_webrtc_aec import WebRTCAECProvider

from roomkit.errors import AudioFormatError, ConfigurationError
from roomkit.voice.audio_frame import AudioFrame, split_frames
from roomkit.voice.base import VoiceSession
from roomkit.voice.stage import bind_stage
from roomkit_conformance.speech import spoken
from roomkit_conformance.suites.audio_stage import StageHarness
from roomkit_conformance.suites.stage_roles import AECSuite

#: ERLE the tests require once the canceller has converged. WebRTC AEC3 reaches 30-45 dB on
#: this echo (see the README); the bound leaves room for other machines and library builds.
MIN_ERLE_DB = 20.0
STEP = 320  # 20-ms frames at 16 kHz, what a pipeline delivers


class TestWebRTCAEC(AECSuite):
    capabilities = {"aec", "analyses_audio"}

    @pytest.fixture
    def component(self) -> Any:
        return StageHarness(WebRTCAECProvider(), speech=_frames(spoken("Thank you for calling")))


def _frames(frame: AudioFrame) -> list[AudioFrame]:
    return list(split_frames(frame.data, frame.sample_rate, frame_ms=20))


def _speech(text: str) -> np.ndarray:
    return np.frombuffer(spoken(text, pad_ms=0).data, "<i2").astype(np.float64)


def _room(played: np.ndarray) -> np.ndarray:
    """What the microphone hears of ``played``: 40 ms later at half level, and reflections."""
    echo = np.zeros(len(played) + 2000)
    for delay_ms, gain in ((40, 0.5), (47, 0.2), (62, 0.1), (85, 0.04)):
        start = delay_ms * 16
        echo[start : start + len(played)] += gain * played
    return echo[: len(played)]


def _cancel(aec: WebRTCAECProvider, played: np.ndarray, mic: np.ndarray) -> np.ndarray:
    """Play ``played`` and capture ``mic`` frame by frame, as the pipeline does."""
    out = []
    for offset in range(0, len(mic) - STEP + 1, STEP):
        aec.feed_reference(AudioFrame(_pcm(played[offset : offset + STEP])))
        cleaned = aec.process(AudioFrame(_pcm(mic[offset : offset + STEP])))
        assert len(cleaned.data) == 2 * STEP
        out.append(np.frombuffer(cleaned.data, "<i2").astype(np.float64))
    return np.concatenate(out)


def _pcm(values: np.ndarray) -> bytes:
    return np.clip(np.rint(values), -32768, 32767).astype("<i2").tobytes()


def _kept(out: np.ndarray, voice: np.ndarray) -> float:
    """Correlation of ``out`` with ``voice`` at the best lag below 30 ms (AEC3's filter bank
    delays its output by 8 ms)."""
    usable = len(voice) - 480
    return max(
        float(np.corrcoef(out[lag : lag + usable], voice[:usable])[0, 1])
        for lag in range(0, 480, 16)
    )


def _energy(values: np.ndarray) -> float:
    return float(np.mean(values * values)) + 1e-9


def erle_db(mic: np.ndarray, out: np.ndarray) -> float:
    """Echo return loss enhancement over the second half (after convergence), in dB."""
    tail = slice(len(out) // 2, len(out))
    return 10.0 * np.log10(_energy(mic[tail]) / _energy(out[tail]))


def _session(name: str = "caller") -> VoiceSession:
    return VoiceSession.new("room", name, "voice")


def _stage(**settings: Any) -> WebRTCAECProvider:
    stage = bind_stage(WebRTCAECProvider(**settings), _session())
    assert isinstance(stage, WebRTCAECProvider)
    return stage


def test_removes_the_echo_of_played_speech() -> None:
    played = _speech("Your table is booked for tonight. Thank you for calling, see you soon.")
    played = np.tile(played, 2)  # the second pass is measured, once the filter has converged
    mic = _room(played)
    out = _cancel(_stage(), played, mic)
    erle = erle_db(mic, out)
    print(f"ERLE {erle:.1f} dB")
    assert erle >= MIN_ERLE_DB, f"the echo only dropped by {erle:.1f} dB"


def test_the_delay_hint_and_frames_that_are_not_10_ms() -> None:
    played = np.tile(_speech("Please hold while I look up your account details."), 2)
    mic = _room(played)
    aec = _stage(stream_delay_ms=40)
    out = []
    step = 240  # 15-ms frames: the provider regroups them into WebRTC's 10-ms steps
    for offset in range(0, len(mic) - step + 1, step):
        aec.feed_reference(AudioFrame(_pcm(played[offset : offset + step])))
        cleaned = aec.process(AudioFrame(_pcm(mic[offset : offset + step])))
        assert len(cleaned.data) == 2 * step
        out.append(np.frombuffer(cleaned.data, "<i2").astype(np.float64))
    # the output lags the input by 5 ms (half a step): compare the same samples
    cleaned_all = np.concatenate(out)[80:]
    erle = erle_db(mic[: len(cleaned_all)], cleaned_all)
    print(f"ERLE with 15-ms frames {erle:.1f} dB")
    assert erle >= MIN_ERLE_DB


def test_keeps_the_callers_voice_while_the_agent_talks() -> None:
    played = _speech("See you tomorrow morning")
    caller = _speech("I want to speak to an agent")
    length = min(len(played), len(caller))
    played = np.tile(played[:length], 3)
    near = np.concatenate((np.zeros(2 * length), caller[:length]))
    out = _cancel(_stage(), played, _room(played) + near)
    kept = _kept(out[2 * length :], near[2 * length : len(out)])
    print(f"caller's voice kept: correlation {kept:.2f}")
    # AEC3 suppresses some of the near end during double talk (0.69 here); far from 0
    assert kept > 0.5, f"the caller's voice correlates only {kept:.2f} with the output"


def test_sessions_do_not_share_state() -> None:
    """Two calls interleaved frame by frame: one hears the echo of its own playback, the
    other plays nothing and its caller talks. Each gets its own canceller: the first call's
    echo goes, the second call's voice stays untouched by the first call's reference."""
    template = WebRTCAECProvider()
    first = bind_stage(template, _session("first"))
    second = bind_stage(template, _session("second"))
    assert first is not second
    assert first is not template
    played = np.tile(_speech("Your order has shipped and arrives on Monday."), 2)
    mic = _room(played)
    caller = np.resize(_speech("Can I change my delivery address please"), len(played)) * 0.5
    out_first, out_second = [], []
    for offset in range(0, len(mic) - STEP + 1, STEP):
        first.feed_reference(AudioFrame(_pcm(played[offset : offset + STEP])))
        out_first.append(first.process(AudioFrame(_pcm(mic[offset : offset + STEP]))))
        out_second.append(second.process(AudioFrame(_pcm(caller[offset : offset + STEP]))))
    cleaned = np.concatenate([np.frombuffer(f.data, "<i2") for f in out_first]).astype(float)
    heard = np.concatenate([np.frombuffer(f.data, "<i2") for f in out_second]).astype(float)
    assert erle_db(mic, cleaned) >= MIN_ERLE_DB
    half = len(heard) // 2
    kept = _kept(heard[half:], caller[half : len(heard)])
    assert kept > 0.85, f"the second call's voice correlates only {kept:.2f}"


def test_reset_forgets_the_echo_path() -> None:
    played = np.tile(_speech("Thank you for waiting"), 2)
    mic = _room(played)
    aec = _stage()
    _cancel(aec, played, mic)
    aec.feed_reference(AudioFrame(_pcm(played[:STEP])))
    aec.reset()
    # nothing queued survives: a silent frame in, a silent frame out, of the same length
    out = aec.process(AudioFrame(bytes(2 * STEP)))
    assert out.data == bytes(2 * STEP)


def test_bypass_format_and_config_errors() -> None:
    aec = _stage()
    frame = AudioFrame(np.full(STEP, 1000, "<i2").tobytes())
    aec.set_active(False)
    assert aec.process(frame) is frame
    aec.set_active(True)
    with pytest.raises(AudioFormatError, match="channels="):
        aec.process(AudioFrame(bytes(1280), 16000, 2))
    with pytest.raises(AudioFormatError, match="resampler"):
        aec.process(AudioFrame(bytes(882), 22050))
    aec.process(frame)
    with pytest.raises(AudioFormatError, match="reference"):
        aec.feed_reference(AudioFrame(bytes(640), 8000))
    with pytest.raises(ConfigurationError, match="resampler"):
        WebRTCAECProvider(sample_rate=22050)
    with pytest.raises(ConfigurationError, match="channels"):
        WebRTCAECProvider(channels=0)
    with pytest.raises(ConfigurationError, match="stream_delay_ms"):
        WebRTCAECProvider(stream_delay_ms=-5)


def test_other_rates_and_stereo() -> None:
    """48 kHz stereo: the stream format is passed to WebRTC, steps are 10 ms of it."""
    aec = _stage(sample_rate=48000, channels=2)
    frame = AudioFrame(bytes(48 * 20 * 2 * 2), 48000, 2)  # 20 ms
    aec.feed_reference(frame)
    out = aec.process(frame)
    assert (out.sample_rate, out.channels, len(out.data)) == (48000, 2, len(frame.data))


def test_a_stream_at_another_rate_is_followed() -> None:
    """Configured for 16 kHz, fed an 8 kHz call: the canceller starts over at 8 kHz and
    still removes the echo."""
    played = np.tile(_speech("Your table is booked for tonight."), 2)[::2]  # ~8 kHz speech
    mic = _room(played)
    aec = _stage()
    out = []
    step = 160  # 20 ms at 8 kHz
    for offset in range(0, len(mic) - step + 1, step):
        aec.feed_reference(AudioFrame(_pcm(played[offset : offset + step]), 8000))
        cleaned = aec.process(AudioFrame(_pcm(mic[offset : offset + step]), 8000))
        assert (cleaned.sample_rate, len(cleaned.data)) == (8000, 2 * step)
        out.append(np.frombuffer(cleaned.data, "<i2").astype(np.float64))
    erle = erle_db(mic[: step * len(out)], np.concatenate(out))
    print(f"ERLE at 8 kHz {erle:.1f} dB")
    assert erle >= MIN_ERLE_DB
