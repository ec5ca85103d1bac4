"""Audio frames, chunks, sessions and capabilities: validation and small helpers."""

from __future__ import annotations

import pytest

from roomkit.errors import AudioFormatError, InvalidContentError, RoomKitError
from roomkit.voice import (
    AudioChunk,
    AudioFrame,
    TranscriptionResult,
    VoiceCapability,
    VoiceSession,
    VoiceSessionState,
    split_frames,
)
from roomkit.voice.pcm import silence


def test_frame_defaults_match_roomkit_067() -> None:
    frame = AudioFrame(b"\x00\x00" * 160)
    assert (frame.sample_rate, frame.channels, frame.sample_width) == (16000, 1, 2)
    assert frame.timestamp_ms is None
    assert frame.metadata == {}
    assert frame.num_samples == 160
    assert frame.duration_ms == 10.0


@pytest.mark.parametrize(
    ("kwargs", "fragment"),
    [
        ({"data": b"\x00"}, "whole number of 16-bit samples"),
        ({"data": b"\x00\x00", "channels": 2}, "2 channel(s)"),
        ({"data": b"\x00\x00", "sample_rate": 0}, "sample_rate"),
        ({"data": b"\x00\x00", "sample_rate": -8000}, "sample_rate"),
        ({"data": b"\x00\x00", "sample_rate": 16000.0}, "sample_rate"),
        ({"data": b"\x00\x00", "sample_rate": True}, "sample_rate"),
        ({"data": b"\x00\x00", "sample_rate": 10_000_000}, "sample_rate"),
        ({"data": b"\x00\x00", "channels": 0}, "channels"),
        ({"data": "text"}, "bytes"),
        ({"data": b"\x00\x00", "sample_width": 1}, "sample_width"),
    ],
)
def test_bad_frames_raise_a_typed_value_error(kwargs: dict[str, object], fragment: str) -> None:
    with pytest.raises(AudioFormatError, match="audio frame") as info:
        AudioFrame(**kwargs)  # type: ignore[arg-type]
    assert fragment in str(info.value)
    assert isinstance(info.value, InvalidContentError)
    assert isinstance(info.value, ValueError)
    assert isinstance(info.value, RoomKitError)


def test_odd_length_message_says_what_to_do() -> None:
    with pytest.raises(AudioFormatError, match="drop the trailing 1 byte"):
        AudioFrame(b"\x00" * 321)


def test_bytearray_and_memoryview_become_bytes() -> None:
    assert type(AudioFrame(bytearray(4)).data) is bytes
    assert type(AudioFrame(memoryview(b"\x01\x00\x02\x00")).data) is bytes


def test_empty_and_stereo_frames_are_valid() -> None:
    assert AudioFrame(b"").num_samples == 0
    stereo = AudioFrame(b"\x00" * 8, 48000, 2)
    assert stereo.num_samples == 2


def test_with_data_keeps_the_format() -> None:
    frame = AudioFrame(b"\x01\x00" * 4, 8000, timestamp_ms=40.0, metadata={"k": 1})
    other = frame.with_data(b"\x02\x00" * 2)
    assert (other.sample_rate, other.timestamp_ms, other.metadata) == (8000, 40.0, {"k": 1})
    assert other.data == b"\x02\x00" * 2
    with pytest.raises(AudioFormatError):
        frame.with_data(b"\x00")


def test_split_frames_cuts_consecutive_timestamped_frames() -> None:
    frames = list(split_frames(silence(50), 16000, frame_ms=20))
    assert [f.num_samples for f in frames] == [320, 320, 160]
    assert [f.timestamp_ms for f in frames] == [0.0, 20.0, 40.0]
    with pytest.raises(AudioFormatError):
        list(split_frames(b"\x00" * 3))


def test_pcm_chunks_are_validated_and_encoded_chunks_are_opaque() -> None:
    assert AudioChunk(b"\x00\x00").is_pcm
    with pytest.raises(AudioFormatError, match="audio chunk"):
        AudioChunk(b"\x00")
    with pytest.raises(AudioFormatError, match="sample_rate"):
        AudioChunk(b"\x00\x00", sample_rate=-1)
    mp3 = AudioChunk(b"\xff\xfb\x90", format="mp3", is_final=True)
    assert not mp3.is_pcm
    assert mp3.is_final
    with pytest.raises(AudioFormatError):
        AudioChunk(b"\x00", format="")


def test_session_new_is_active_with_a_fresh_id() -> None:
    first = VoiceSession.new("room", "alice", "voice", metadata={"k": "v"})
    second = VoiceSession.new("room", "alice", "voice")
    assert first.id != second.id
    assert first.state is VoiceSessionState.ACTIVE
    assert first.is_active
    assert first.metadata == {"k": "v"}
    first.state = VoiceSessionState.ENDED
    assert not first.is_active
    assert VoiceSession("i", "r", "p", "c").state is VoiceSessionState.CONNECTING


def test_capabilities_combine_as_flags() -> None:
    caps = VoiceCapability.NATIVE_AEC | VoiceCapability.BARGE_IN
    assert VoiceCapability.NATIVE_AEC in caps
    assert VoiceCapability.NATIVE_AGC not in caps
    assert [c.name for c in VoiceCapability if c.value] == [
        "INTERRUPTION",
        "BARGE_IN",
        "NATIVE_AEC",
        "NATIVE_AGC",
        "DTMF_INBAND",
        "DTMF_SIGNALING",
    ]


def test_transcription_result_defaults() -> None:
    result = TranscriptionResult("hi")
    assert result.is_final
    assert result.words == []
    assert result.confidence is None
