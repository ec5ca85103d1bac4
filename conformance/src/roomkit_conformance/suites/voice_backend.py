"""The voice-backend conformance suite (kind ``voice_backend``).

Subclass :class:`VoiceBackendSuite` and provide a ``component`` fixture yielding a
:class:`BackendHarness`: the backend plus how the test opens a session (``connect`` for
backends that place calls; for incoming-only transports, whatever makes a call arrive) and
how it makes the remote side send a frame (for a SIP backend: an RTP packet from a test
peer; for the mock: ``simulate_audio_received``)::

    class TestRTPBackend(VoiceBackendSuite):
        @pytest.fixture
        async def component(self, rtp_peer):
            backend = RTPBackend(...)
            yield BackendHarness(backend, open_session=rtp_peer.call, inject=rtp_peer.send)
            await backend.close()

Covered: session life cycle (live, listed, ended, idempotent disconnect, close), inbound
frames reach ``on_audio_received`` as valid PCM16 for the right session, no cross-talk
between two sessions, mute, outbound bytes and chunk streams, typed errors for bad audio or a
dead session, and a disconnect in the middle of an utterance.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import pytest

from roomkit.errors import RoomKitError
from roomkit.voice.audio_frame import AudioFrame
from roomkit.voice.backends.base import VoiceBackend
from roomkit.voice.base import AudioChunk, VoiceCapability, VoiceSession, VoiceSessionState
from roomkit_conformance.base import SuiteBase
from roomkit_conformance.suites.voice_common import tone_frames

__all__ = ["BackendHarness", "VoiceBackendSuite"]

WAIT = 10.0


@dataclass
class BackendHarness:
    """A backend plus the two things a test cannot do through the contract itself.

    * ``open_session()``: a new live session (default: ``backend.connect(...)``).
    * ``inject(session, frame)``: make the remote side of ``session`` send ``frame``.
    """

    backend: VoiceBackend
    inject: Callable[[VoiceSession, AudioFrame], Awaitable[None]]
    open_session: Callable[[], Awaitable[VoiceSession]] | None = None


class _Inbox:
    """Collects ``on_audio_received`` deliveries and wakes waiters."""

    def __init__(self, backend: VoiceBackend) -> None:
        self.frames: list[tuple[str, AudioFrame]] = []
        self.changed = asyncio.Event()
        backend.on_audio_received(self._received)

    def _received(self, session: VoiceSession, frame: Any) -> None:
        assert isinstance(frame, AudioFrame), f"on_audio_received got {frame!r:.80}"
        self.frames.append((session.id, frame))
        self.changed.set()

    async def wait_for(self, count: int) -> None:
        async with asyncio.timeout(WAIT):
            while len(self.frames) < count:
                self.changed.clear()
                await self.changed.wait()

    def samples(self, session_id: str) -> int:
        return sum(f.num_samples for sid, f in self.frames if sid == session_id)


def _state(session: VoiceSession) -> VoiceSessionState:
    return session.state


class VoiceBackendSuite(SuiteBase):
    """Conformance tests every :class:`VoiceBackend` plugin must pass."""

    @pytest.fixture
    def backend(self, component: BackendHarness) -> VoiceBackend:
        return component.backend

    async def _open(self, harness: BackendHarness, name: str = "caller") -> VoiceSession:
        async with asyncio.timeout(WAIT):
            if harness.open_session is not None:
                return await harness.open_session()
            return await harness.backend.connect("conformance-room", name, "conformance-voice")

    def test_is_a_voice_backend(self, backend: VoiceBackend) -> None:
        assert isinstance(backend, VoiceBackend)
        assert isinstance(backend.capabilities, VoiceCapability)
        assert isinstance(backend.name, str)
        assert backend.name

    @pytest.mark.asyncio
    async def test_session_life_cycle(
        self, component: BackendHarness, backend: VoiceBackend
    ) -> None:
        session = await self._open(component)
        assert session.state is VoiceSessionState.ACTIVE
        assert backend.get_session(session.id) is session
        assert session in backend.list_sessions(session.room_id)
        await backend.disconnect(session)
        assert _state(session) is VoiceSessionState.ENDED
        assert backend.get_session(session.id) is None
        assert session not in backend.list_sessions(session.room_id)
        await backend.disconnect(session)  # idempotent

    @pytest.mark.asyncio
    async def test_inbound_frames_reach_the_callback_as_pcm16(
        self, component: BackendHarness, backend: VoiceBackend
    ) -> None:
        inbox = _Inbox(backend)
        session = await self._open(component)
        frames = tone_frames(440, 200, 16000)
        for frame in frames:
            await component.inject(session, frame)
        await inbox.wait_for(1)
        async with asyncio.timeout(WAIT):
            while inbox.samples(session.id) < sum(f.num_samples for f in frames) * 0.9:
                inbox.changed.clear()
                await inbox.changed.wait()
        assert {sid for sid, _ in inbox.frames} == {session.id}
        assert all(f.num_samples > 0 for _, f in inbox.frames)

    @pytest.mark.asyncio
    async def test_two_sessions_do_not_cross_talk(
        self, component: BackendHarness, backend: VoiceBackend
    ) -> None:
        inbox = _Inbox(backend)
        first, second = await self._open(component, "a"), await self._open(component, "b")
        assert first.id != second.id
        for frame in tone_frames(300, 100, 16000):
            await component.inject(first, frame)
        await inbox.wait_for(1)
        assert {sid for sid, _ in inbox.frames} == {first.id}
        for frame in tone_frames(600, 100, 16000):
            await component.inject(second, frame)
        async with asyncio.timeout(WAIT):
            while not inbox.samples(second.id):
                inbox.changed.clear()
                await inbox.changed.wait()

    @pytest.mark.asyncio
    async def test_muted_input_is_not_delivered(
        self, component: BackendHarness, backend: VoiceBackend
    ) -> None:
        inbox = _Inbox(backend)
        session = await self._open(component)
        backend.set_input_muted(session, True)
        for frame in tone_frames(440, 100, 16000):
            await component.inject(session, frame)
        backend.set_input_muted(session, False)
        marker = tone_frames(880, 20, 16000)[0]
        await component.inject(session, marker)
        await inbox.wait_for(1)
        assert len(inbox.frames) <= 1, "frames sent while muted were delivered"

    @pytest.mark.asyncio
    async def test_outbound_bytes_and_streams(
        self, component: BackendHarness, backend: VoiceBackend
    ) -> None:
        session = await self._open(component)
        pcm = b"".join(f.data for f in tone_frames(440, 200, 16000))

        async def stream() -> AsyncIterator[AudioChunk]:
            for frame in tone_frames(440, 200, 16000):
                yield AudioChunk(frame.data, frame.sample_rate)

        async with asyncio.timeout(WAIT):
            await backend.send_audio(session, pcm)
            await backend.send_audio(session, stream())
            assert isinstance(await backend.cancel_audio(session), bool)
        assert isinstance(backend.is_playing(session), bool)

    @pytest.mark.asyncio
    async def test_bad_audio_and_dead_sessions_are_typed_errors(
        self, component: BackendHarness, backend: VoiceBackend
    ) -> None:
        session = await self._open(component)
        with pytest.raises(RoomKitError):
            await backend.send_audio(session, b"\x00\x00\x00")
        await backend.disconnect(session)
        with pytest.raises(RoomKitError):
            await backend.send_audio(session, b"\x00\x00")

    @pytest.mark.asyncio
    async def test_disconnect_mid_utterance(
        self, component: BackendHarness, backend: VoiceBackend
    ) -> None:
        inbox = _Inbox(backend)
        session = await self._open(component)
        frames = tone_frames(440, 200, 16000)
        await component.inject(session, frames[0])
        await inbox.wait_for(1)
        await backend.disconnect(session)
        delivered = len(inbox.frames)
        for frame in frames[1:]:
            with contextlib.suppress(RoomKitError):
                await component.inject(session, frame)
        assert len(inbox.frames) == delivered, "audio delivered for an ended session"
        assert session.state is VoiceSessionState.ENDED

    @pytest.mark.asyncio
    async def test_close_ends_every_session(
        self, component: BackendHarness, backend: VoiceBackend
    ) -> None:
        sessions = [await self._open(component, name) for name in ("a", "b")]
        await backend.close()
        assert all(s.state is VoiceSessionState.ENDED for s in sessions)
