"""The voice-backend suite passes the mock backend and catches a leaky one."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from roomkit.voice.backends import MockVoiceBackend
from roomkit_conformance.runner import Target, run_target
from roomkit_conformance.suites import SUITES
from roomkit_conformance.suites.voice_backend import BackendHarness, VoiceBackendSuite


class TestMockVoiceBackend(VoiceBackendSuite):
    @pytest.fixture
    async def component(self) -> AsyncIterator[BackendHarness]:
        backend = MockVoiceBackend()
        yield BackendHarness(backend, inject=backend.simulate_audio_received)
        await backend.close()


BROKEN = """
from roomkit.voice.backends.base import VoiceBackend
from roomkit.voice.base import VoiceSession
from roomkit_conformance.suites.voice_backend import BackendHarness


class LeakyBackend(VoiceBackend):
    async def connect(self, room_id, participant_id, channel_id, *, metadata=None):
        return self.track_session(VoiceSession.new(room_id, participant_id, channel_id))

    async def disconnect(self, session):
        pass  # forgets to end the session

    async def send_audio(self, session, audio):
        pass  # accepts anything, even for dead sessions

    async def inject(self, session, frame):
        await self._fire("audio_received", session, frame)  # ignores mute and ended sessions


def leaky_backend():
    backend = LeakyBackend()
    return BackendHarness(backend, inject=backend.inject)
"""


def test_a_leaky_backend_fails(tmp_path: Path) -> None:
    (tmp_path / "broken_backend.py").write_text(BROKEN)
    target = Target(
        "test", "voice_backend", "leaky", "broken_backend:leaky_backend", SUITES["voice_backend"]
    )
    result = run_target(target, workdir=tmp_path / "work", extra_pythonpath=[str(tmp_path)])
    assert result.status == "failed"
    failures = " ".join(result.failures)
    for name in (
        "test_session_life_cycle",
        "test_muted_input_is_not_delivered",
        "test_bad_audio_and_dead_sessions_are_typed_errors",
        "test_disconnect_mid_utterance",
        "test_close_ends_every_session",
    ):
        assert name in failures
