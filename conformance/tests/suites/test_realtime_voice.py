"""The realtime-voice suite passes the mock provider and catches a careless one."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from roomkit.voice.pcm import tone
from roomkit.voice.realtime import MockRealtimeProvider
from roomkit_conformance.runner import Target, run_target
from roomkit_conformance.suites import SUITES
from roomkit_conformance.suites.realtime_voice import (
    RealtimeHarness,
    RealtimeVoiceProviderSuite,
)


class TestMockRealtimeProvider(RealtimeVoiceProviderSuite):
    @pytest.fixture
    async def component(self) -> AsyncIterator[RealtimeHarness]:
        provider = MockRealtimeProvider()

        async def respond(session):  # type: ignore[no-untyped-def]
            await provider.simulate_audio(session, tone(300, 40, 24000))
            await provider.simulate_transcription(session, "Hi.", "assistant", True)

        yield RealtimeHarness(provider, respond=respond)
        await provider.close()


CARELESS = """
from roomkit.voice.realtime.provider import RealtimeVoiceProvider
from roomkit_conformance.suites.realtime_voice import RealtimeHarness


class CarelessProvider(RealtimeVoiceProvider):
    async def connect(self, session, **settings):
        pass

    async def send_audio(self, session, audio):
        pass  # accepts anything, even after disconnect

    async def inject_text(self, session, text, *, role="user"):
        pass

    async def submit_tool_result(self, session, call_id, result):
        pass

    async def interrupt(self, session):
        pass

    async def disconnect(self, session):
        pass


def careless():
    provider = CarelessProvider()

    async def respond(session):
        await provider.emit("audio", session, b"\\x01\\x02\\x03")  # half a sample

    return RealtimeHarness(provider, respond=respond)
"""


def test_a_careless_provider_fails(tmp_path: Path) -> None:
    (tmp_path / "careless.py").write_text(CARELESS)
    target = Target(
        "test", "realtime_voice", "careless", "careless:careless", SUITES["realtime_voice"]
    )
    result = run_target(target, workdir=tmp_path / "work", extra_pythonpath=[str(tmp_path)])
    assert result.status == "failed"
    failures = " ".join(result.failures)
    for name in (
        "test_audio_after_disconnect_is_a_typed_error",
        "test_partial_samples_are_a_typed_error",
        "test_text_tool_results_and_reconfigure_on_a_live_session",
        "test_model_output_reaches_the_callbacks_of_its_session",
    ):
        assert name in failures
