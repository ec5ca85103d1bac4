"""Behaviour of roomkit-audio's stages on real speech (espeak-ng) and generated signals."""

from __future__ import annotations

import asyncio
import math
import wave

import numpy as np
import pytest
import soxr
from roomkit_audio import (
    EnergyAGCProvider,
    EnergyVADProvider,
    GoertzelDTMFDetector,
    SoxrResamplerProvider,
    WavFileRecorder,
)

from roomkit.errors import AudioFormatError, ConfigurationError, VoiceSessionError
from roomkit.voice.audio_frame import AudioFrame, split_frames
from roomkit.voice.base import VoiceSession
from roomkit.voice.pcm import rms_db, silence, tone
from roomkit.voice.pipeline import AudioPipeline, AudioPipelineConfig
from roomkit.voice.pipeline.agc.base import AGCConfig
from roomkit.voice.pipeline.recorder.base import (
    RecordingChannelMode,
    RecordingConfig,
    RecordingMode,
)
from roomkit.voice.pipeline.vad.base import VADConfig
from roomkit.voice.stage import bind_stage
from roomkit_conformance.speech import spoken
from roomkit_conformance.suites.voice_common import DTMF_FREQUENCIES

SENTENCE = "I would like to order a pizza"


def _session(name: str = "s") -> VoiceSession:
    return VoiceSession.new("room", f"caller-{name}", "voice")


def _frames(data: bytes, rate: int = 16000) -> list[AudioFrame]:
    return list(split_frames(data, rate, frame_ms=20))


def _run_vad(vad: EnergyVADProvider, frames: list[AudioFrame]) -> list[tuple[str, int, int]]:
    events = []
    for index, frame in enumerate(frames):
        event = vad.process(frame)
        if event is not None:
            events.append((event.type.value, index, len(event.audio_bytes or b"")))
    return events


# -- energy VAD ------------------------------------------------------------------------------


def test_vad_finds_the_spoken_sentence_with_its_pre_roll() -> None:
    speech = spoken(SENTENCE, pad_ms=1000)
    frames = _frames(speech.data)
    vad = bind_stage(EnergyVADProvider(), _session())
    events = _run_vad(vad, frames)
    kinds = [e[0] for e in events]
    assert kinds == ["speech_start", "speech_end"]
    start, end = events[0][1], events[1][1]
    assert 45 <= start <= 70  # 1 s of silence (50 frames) then the onset is confirmed
    voiced_ms = (len(speech.data) // 2 - 2 * 16000) / 16
    utterance_ms = events[1][2] / 32
    assert voiced_ms <= utterance_ms <= voiced_ms + 300 + 500 + 100  # + pad + hangover
    assert (end - start) * 20 >= voiced_ms - 300


def test_vad_ignores_a_click_and_respects_min_speech() -> None:
    click = tone(300, 60, amplitude=0.5)
    frames = _frames(silence(400) + click + silence(800))
    assert _run_vad(bind_stage(EnergyVADProvider(), _session()), frames) == []


def test_vad_ends_an_utterance_at_max_speech_duration() -> None:
    vad = bind_stage(EnergyVADProvider(max_speech_duration_ms=1000), _session())
    events = _run_vad(vad, _frames(tone(220, 3000, amplitude=0.3)))
    kinds = [e[0] for e in events]
    assert kinds[:2] == ["speech_start", "speech_end"]
    assert events[1][2] <= 2 * 16 * 1300


def test_vad_takes_the_pipeline_timings() -> None:
    frames = _frames(tone(220, 600, amplitude=0.3) + silence(400))
    default = _run_vad(bind_stage(EnergyVADProvider(), _session()), frames)
    assert [e[0] for e in default] == ["speech_start"]  # 400 ms < 500 ms of silence
    vad = bind_stage(EnergyVADProvider(), _session())
    vad.configure(VADConfig(silence_threshold_ms=300))
    assert [e[0] for e in _run_vad(vad, frames)] == ["speech_start", "speech_end"]


def test_vad_rejects_a_bad_threshold() -> None:
    with pytest.raises(ConfigurationError, match="energy_threshold"):
        EnergyVADProvider(energy_threshold=-1)


async def test_twenty_concurrent_sessions_each_get_their_own_utterances() -> None:
    """RoomKit 0.6.7's energy VAD shared its state across calls; here each call has its own."""
    sentences = [spoken(f"call number {n}", pad_ms=300) for n in range(1, 21)]
    pipeline = AudioPipeline(AudioPipelineConfig(vad=EnergyVADProvider()))
    heard: dict[str, list[bytes]] = {}
    pipeline.on_speech_end(lambda session, audio: heard.setdefault(session.id, []).append(audio))
    sessions = [_session(str(n)) for n in range(20)]
    for session in sessions:
        pipeline.on_session_active(session)
    streams = [_frames(s.data + silence(700)) for s in sentences]
    # Interleave the 20 calls frame by frame, as concurrent transports would deliver them.
    for step in range(max(len(f) for f in streams)):
        for session, frames in zip(sessions, streams, strict=True):
            if step < len(frames):
                await pipeline.process_inbound_async(session, frames[step])
    await asyncio.sleep(0)
    assert sorted(heard) == sorted(s.id for s in sessions)
    for session, sentence in zip(sessions, sentences, strict=True):
        assert len(heard[session.id]) == 1, "each call is exactly one utterance"
        utterance = np.frombuffer(heard[session.id][0], "<i2")
        voiced = np.frombuffer(sentence.data, "<i2")[300 * 16 : -300 * 16]
        # The utterance of this call contains this call's own voiced audio.
        assert len(utterance) >= len(voiced)
        position = _find(utterance, voiced[:1600])
        assert position >= 0, f"session {session.participant_id} got another call's audio"


def _find(haystack: np.ndarray, needle: np.ndarray) -> int:
    for start in range(len(haystack) - len(needle) + 1):
        if np.array_equal(haystack[start : start + len(needle)], needle):
            return start
    return -1


# -- soxr resampler --------------------------------------------------------------------------


def _peak_hz(values: np.ndarray, rate: int) -> float:
    spectrum = np.abs(np.fft.rfft(values.astype(np.float64) * np.hanning(len(values))))
    return float(np.argmax(spectrum) * rate / len(values))


def test_resampler_keeps_the_pitch_and_matches_one_shot_soxr() -> None:
    source = tone(1000, 1000, 48000, amplitude=0.5)
    resampler = bind_stage(SoxrResamplerProvider(), _session())
    parts = [resampler.resample(f, 16000, 1, 2).data for f in _frames(source, 48000)]
    tail = resampler.flush(16000, 1, 2)
    out = np.frombuffer(b"".join(parts) + (tail.data if tail else b""), "<i2")
    assert abs(len(out) - 16000) <= 16
    assert abs(_peak_hz(out, 16000) - 1000) < 5
    whole = soxr.resample(np.frombuffer(source, "<i2"), 48000, 16000, quality="HQ")
    # Streaming in 20-ms pieces gives the one-shot result: the filter state carries over.
    assert np.abs(out[: len(whole)].astype(int) - whole[: len(out)].astype(int)).max() <= 2


def test_resampler_mixes_stereo_down_and_rejects_other_widths() -> None:
    left = np.frombuffer(tone(440, 100, 16000, amplitude=0.4), "<i2")
    stereo = np.stack((left, np.zeros_like(left)), axis=1).astype("<i2").tobytes()
    resampler = bind_stage(SoxrResamplerProvider(), _session())
    out = resampler.resample(AudioFrame(stereo, 16000, 2), 16000, 1, 2)
    assert out.channels == 1
    assert np.array_equal(np.frombuffer(out.data, "<i2"), np.rint(left / 2).astype(np.int16))
    with pytest.raises(AudioFormatError, match="16-bit"):
        resampler.resample(AudioFrame(stereo, 16000, 2), 8000, 1, 3)
    with pytest.raises(ConfigurationError):
        SoxrResamplerProvider(quality="best")  # type: ignore[arg-type]


# -- AGC -------------------------------------------------------------------------------------


def test_agc_brings_quiet_speech_up_to_the_target() -> None:
    speech = np.frombuffer(spoken(SENTENCE, pad_ms=0).data, "<i2")
    quiet = (speech * 10 ** (-30 / 20)).astype("<i2").tobytes()
    agc = bind_stage(EnergyAGCProvider(AGCConfig(target_level_dbfs=-20.0)), _session())
    out = b"".join(agc.process(f).data for f in _frames(quiet))
    before, after = rms_db(quiet), rms_db(out)
    assert after - before >= 15, f"{before:.1f} dBFS -> {after:.1f} dBFS"
    assert np.abs(np.frombuffer(out, "<i2")).max() < 32767  # the limiter prevents clipping


def test_agc_turns_a_loud_talker_down_and_leaves_silence_silent() -> None:
    agc = bind_stage(EnergyAGCProvider(AGCConfig(target_level_dbfs=-20.0)), _session())
    loud = tone(300, 2000, amplitude=0.9)
    tail = b"".join(agc.process(f).data for f in _frames(loud))[-16000:]
    assert -23.0 <= rms_db(tail) <= -17.0
    quiet = b"".join(agc.process(f).data for f in _frames(silence(500)))
    assert rms_db(quiet) == -60.0


def test_agc_rejects_a_positive_target() -> None:
    with pytest.raises(ConfigurationError, match="target_level_dbfs"):
        EnergyAGCProvider(AGCConfig(target_level_dbfs=3.0))


# -- Goertzel DTMF ---------------------------------------------------------------------------


def _keys(digits: str, rate: int, *, ms: int = 80, gap: int = 80) -> bytes:
    out = b""
    for digit in digits:
        low, high = DTMF_FREQUENCIES[digit]
        count = rate * ms // 1000
        n = np.arange(count)
        values = 7000 * (
            np.sin(2 * math.pi * low * n / rate) + np.sin(2 * math.pi * high * n / rate)
        )
        out += values.astype("<i2").tobytes() + silence(gap, rate)
    return out


@pytest.mark.parametrize("rate", [8000, 16000, 48000])
def test_dtmf_reads_all_sixteen_keys(rate: int) -> None:
    detector = bind_stage(GoertzelDTMFDetector(), _session())
    digits = "0123456789*#ABCD"
    found = [e.digit for f in _frames(_keys(digits, rate), rate) if (e := detector.process(f))]
    assert "".join(found) == digits


def test_dtmf_stays_quiet_on_speech_and_reports_a_held_key_once() -> None:
    detector = bind_stage(GoertzelDTMFDetector(), _session())
    speech = spoken(SENTENCE, 8000)
    assert [e for f in _frames(speech.data, 8000) if (e := detector.process(f))] == []
    held = [e for f in _frames(_keys("7", 8000, ms=1000), 8000) if (e := detector.process(f))]
    assert [e.digit for e in held] == ["7"]


# -- WAV recorder ----------------------------------------------------------------------------


def _record(
    tmp_path: object, channels: RecordingChannelMode, mode: RecordingMode, seconds: float = 1.5
) -> list[str]:
    recorder = bind_stage(WavFileRecorder(), _session())
    session = _session()
    handle = recorder.start(
        session, RecordingConfig(mode=mode, channels=channels, storage=str(tmp_path))
    )
    for frame in _frames(tone(300, 1000, amplitude=0.3)):
        recorder.tap_inbound(handle, frame)
    for frame in _frames(tone(600, 500, 22050, amplitude=0.3), 22050):
        recorder.tap_outbound(handle, frame)
    result = recorder.stop(handle)
    assert result.id == handle.id
    assert result.size_bytes > 0
    # the agent speaks after the caller's 1 s
    assert seconds - 0.1 <= result.duration_seconds <= seconds + 0.1
    with pytest.raises(VoiceSessionError):
        recorder.stop(handle)
    return result.urls


def _read(path: str) -> tuple[int, int, np.ndarray]:
    with wave.open(path, "rb") as source:
        data = np.frombuffer(source.readframes(source.getnframes()), "<i2")
        return source.getframerate(), source.getnchannels(), data


def test_recorder_stereo_puts_caller_left_and_agent_right(tmp_path: object) -> None:
    [path] = _record(tmp_path, RecordingChannelMode.STEREO, RecordingMode.BOTH)
    rate, channels, data = _read(path)
    assert (rate, channels) == (16000, 2)
    left, right = data[0::2], data[1::2]
    assert abs(_peak_hz(left[:16000], 16000) - 300) < 5
    assert np.abs(right[:15000]).max() == 0  # agent silent while the caller talked
    assert abs(_peak_hz(right[16000:24000], 16000) - 600) < 5  # resampled from 22.05 kHz


def test_recorder_mixed_and_separate(tmp_path: object) -> None:
    [mixed] = _record(tmp_path, RecordingChannelMode.MIXED, RecordingMode.BOTH)
    assert _read(mixed)[1] == 1
    inbound, outbound = _record(tmp_path, RecordingChannelMode.SEPARATE, RecordingMode.BOTH)
    assert _read(inbound)[0] == 16000
    assert _read(outbound)[0] == 22050
    [caller_only] = _record(
        tmp_path, RecordingChannelMode.MIXED, RecordingMode.INBOUND_ONLY, seconds=1.0
    )
    rate, _, data = _read(caller_only)
    assert len(data) == rate  # the caller's second, no agent audio


def test_recorder_rejects_other_formats(tmp_path: object) -> None:
    recorder = bind_stage(WavFileRecorder(), _session())
    with pytest.raises(AudioFormatError, match="WAV"):
        recorder.start(_session(), RecordingConfig(format="mp3", storage=str(tmp_path)))
