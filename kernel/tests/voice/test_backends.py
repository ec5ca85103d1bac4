"""The voice backend contract and MockVoiceBackend."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from typing import Any

import pytest

from roomkit.errors import AudioFormatError, VoiceSessionError
from roomkit.voice import AudioChunk, VoiceBackend, VoiceCapability, VoiceSession, VoiceSessionState
from roomkit.voice.backends import MockVoiceBackend

from .conftest import frame


async def test_sessions_connect_list_and_disconnect() -> None:
    backend = MockVoiceBackend()
    a = await backend.connect("room", "alice", "voice", metadata={"k": 1})
    b = await backend.connect("room", "bob", "voice")
    await backend.connect("other-room", "carol", "voice")
    assert a.state is VoiceSessionState.ACTIVE
    assert a.metadata == {"k": 1}
    assert backend.get_session(a.id) is a
    assert {s.participant_id for s in backend.list_sessions("room")} == {"alice", "bob"}
    await backend.disconnect(a)
    await backend.disconnect(a)  # idempotent
    assert a.state is VoiceSessionState.ENDED
    assert backend.get_session(a.id) is None
    assert backend.list_sessions("room") == [b]
    await backend.close()
    assert backend.list_sessions("room") == []
    assert b.state is VoiceSessionState.ENDED


async def test_send_audio_bytes_and_streams() -> None:
    backend = MockVoiceBackend()
    session = await backend.connect("room", "alice", "voice")
    await backend.send_audio(session, b"\x01\x00")

    async def stream() -> AsyncIterator[AudioChunk]:
        yield AudioChunk(b"\x02\x00")
        yield AudioChunk(b"\x03\x00", is_final=True)

    await backend.send_audio(session, stream())
    assert backend.sent_audio == [(session.id, b"\x01\x00"), (session.id, b"\x02\x00\x03\x00")]
    with pytest.raises(AudioFormatError):
        await backend.send_audio(session, b"\x01")
    await backend.disconnect(session)
    with pytest.raises(VoiceSessionError, match="not live"):
        await backend.send_audio(session, b"\x01\x00")


async def test_inbound_audio_reaches_callbacks_in_order_unless_muted() -> None:
    backend = MockVoiceBackend()
    session = await backend.connect("room", "alice", "voice")
    got: list[tuple[str, bytes]] = []

    async def async_callback(s: VoiceSession, f: Any) -> None:
        got.append(("async", f.data))

    backend.on_audio_received(lambda s, f: got.append(("sync", f.data)))
    backend.on_audio_received(async_callback)
    await backend.simulate_audio_received(session, frame(1))
    backend.set_input_muted(session, True)
    await backend.simulate_audio_received(session, frame(2))
    backend.set_input_muted(session, False)
    backend.set_input_gated(session, True)
    await backend.simulate_audio_received(session, frame(3))
    backend.set_input_gated(session, False)
    await backend.simulate_audio_received(session, frame(4))
    assert got == [
        ("sync", frame(1).data),
        ("async", frame(1).data),
        ("sync", frame(4).data),
        ("async", frame(4).data),
    ]
    with pytest.raises(AudioFormatError):
        await backend.deliver_audio(session, b"\x00\x00")  # type: ignore[arg-type]
    await backend.disconnect(session)
    await backend.simulate_audio_received(session, frame(5))  # late packet after hang-up
    stranger = VoiceSession.new("room", "eve", "voice")
    await backend.simulate_audio_received(stranger, frame(6))  # never connected here
    assert len(got) == 4


async def test_lifecycle_callbacks_and_playback(caplog: pytest.LogCaptureFixture) -> None:
    backend = MockVoiceBackend(capabilities=VoiceCapability.BARGE_IN)
    assert VoiceCapability.BARGE_IN in backend.capabilities
    session = await backend.connect("room", "alice", "voice")
    seen: list[str] = []

    def broken(s: VoiceSession) -> None:
        raise RuntimeError("callback bug")

    backend.on_session_ready(lambda s: seen.append("ready"))
    backend.on_barge_in(broken)
    backend.on_barge_in(lambda s: seen.append("barge-in"))
    backend.on_client_disconnected(lambda s: seen.append("gone"))
    await backend.simulate_session_ready(session)
    backend.start_playing(session)
    assert backend.is_playing(session)
    with caplog.at_level(logging.ERROR, "roomkit.voice.backend"):
        await backend.simulate_barge_in(session)
    assert "barge_in callback failed" in caplog.text
    assert await backend.cancel_audio(session) is True
    assert await backend.cancel_audio(session) is False
    await backend.simulate_disconnect(session)
    assert seen == ["ready", "barge-in", "gone"]
    assert session.state is VoiceSessionState.ENDED
    await backend.send_transcription(session, "hi", "assistant")
    assert backend.sent_transcriptions == [(session.id, "hi", "assistant")]
    assert [c.method for c in backend.calls][:2] == ["connect", "on_barge_in"]


class IncomingOnly(VoiceBackend):
    """A backend whose sessions arrive from the transport; it skips super().__init__()."""

    def __init__(self) -> None:
        self.sent: list[bytes] = []

    async def disconnect(self, session: VoiceSession) -> None:
        self.untrack_session(session)

    async def send_audio(self, session: VoiceSession, audio: Any) -> None:
        self.require_session(session)
        self.sent.append(audio)


async def test_base_class_defaults() -> None:
    backend = IncomingOnly()
    assert backend.name == "IncomingOnly"
    assert backend.capabilities is VoiceCapability.NONE
    assert not backend.feeds_aec_reference
    assert not backend.supports_playback_callback
    with pytest.raises(VoiceSessionError, match="cannot open sessions"):
        await backend.connect("room", "p", "voice")
    call = backend.track_session(VoiceSession("call-1", "room", "p", "voice"))
    assert call.state is VoiceSessionState.ACTIVE
    assert await backend.cancel_audio(call) is False
    assert not backend.is_playing(call)
    with pytest.raises(VoiceSessionError):
        await backend.accept(call, object())
    await backend.send_audio(call, b"\x00\x00")
    await backend.close()
    assert call.state is VoiceSessionState.ENDED
    with pytest.raises(VoiceSessionError):
        await backend.send_audio(call, b"\x00\x00")
