"""The pure-Python PCM helpers and the WAV / data-URL round trip."""

from __future__ import annotations

import pytest

from roomkit.errors import AudioFormatError
from roomkit.models.content import AudioContent
from roomkit.voice import pcm
from roomkit.voice.wav import (
    audio_content_from_pcm,
    decode_wav,
    encode_wav,
    frame_from_audio_content,
)


def test_levels() -> None:
    assert pcm.rms_db(b"") == pcm.SILENCE_DB
    assert pcm.rms_db(pcm.silence(20)) == pcm.SILENCE_DB
    full = (32767).to_bytes(2, "little", signed=True) * 100
    assert pcm.rms_db(full) == pytest.approx(0.0, abs=0.01)
    tenth = (3277).to_bytes(2, "little", signed=True) * 100
    assert pcm.rms_db(tenth) == pytest.approx(-20.0, abs=0.01)


def test_tone_and_silence_lengths() -> None:
    assert len(pcm.silence(20, 16000)) == 640
    assert len(pcm.silence(10, 8000, channels=2)) == 320
    sine = pcm.tone(1000, 100, 16000, amplitude=0.5)
    assert len(sine) == 3200
    assert pcm.rms(sine) == pytest.approx(0.5 * 32767 / 2**0.5, rel=0.01)
    assert len(pcm.tone(440, 10, 16000, channels=2)) == 640


def test_to_bytes_clips() -> None:
    assert list(pcm.samples(pcm.to_bytes([40000, -40000, 7]))) == [32767, -32768, 7]


def test_duration() -> None:
    assert pcm.duration_ms(640, 16000) == 20.0
    assert pcm.duration_ms(640, 16000, 2) == 10.0


def test_wav_round_trip_through_a_data_url() -> None:
    audio = pcm.tone(300, 50, 22050)
    content = audio_content_from_pcm(audio, 22050, transcript="hi")
    assert content.url.startswith("data:audio/wav;base64,")
    assert content.duration_seconds == pytest.approx(0.05, abs=0.001)
    frame = frame_from_audio_content(content)
    assert (frame.data, frame.sample_rate, frame.channels) == (audio, 22050, 1)
    assert decode_wav(encode_wav(b"\x01\x00\x02\x00", 8000, 2)).channels == 2


def test_unreadable_audio_content_raises_typed_errors() -> None:
    with pytest.raises(AudioFormatError, match="fetch the audio"):
        frame_from_audio_content(AudioContent(url="https://example.com/a.wav"))
    with pytest.raises(AudioFormatError, match="base64"):
        frame_from_audio_content(AudioContent(url="data:audio/wav;base64,@@@"))
    with pytest.raises(AudioFormatError, match="WAV"):
        decode_wav(b"RIFF nonsense")
