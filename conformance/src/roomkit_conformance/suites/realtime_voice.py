"""The speech-to-speech provider conformance suite (kind ``realtime_voice``).

Subclass :class:`RealtimeVoiceProviderSuite` and provide a ``component`` fixture yielding a
:class:`RealtimeHarness`: the provider plus ``respond(session)``, which makes the model side
answer on that session with some audio and a final transcript (for a provider speaking a
vendor protocol: the wire fake sends the response events; for the mock: its ``simulate_*``
methods)::

    class TestOpenAIRealtime(RealtimeVoiceProviderSuite):
        @pytest.fixture
        async def component(self, realtime_fake):
            provider = OpenAIRealtimeProvider(api_key="k", base_url=realtime_fake.url)
            yield RealtimeHarness(provider, respond=realtime_fake.respond)
            await provider.close()

Covered: connect / disconnect (idempotent), caller audio accepted while live and refused with
a typed error after disconnect or when it is not whole PCM16 samples, text injection and tool
results on a live session, reconfiguration keeping the session live, the model's audio and
transcripts reaching the callbacks for the right session, two sessions kept apart, and a
failing callback that does not stop the others.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import pytest

from roomkit.errors import RoomKitError
from roomkit.voice.audio_frame import AudioFrame
from roomkit.voice.base import VoiceSession
from roomkit.voice.realtime.provider import RealtimeVoiceProvider
from roomkit_conformance.base import SuiteBase
from roomkit_conformance.suites.voice_common import tone_frames

__all__ = ["RealtimeHarness", "RealtimeVoiceProviderSuite"]

WAIT = 10.0


@dataclass
class RealtimeHarness:
    """A provider plus ``respond(session)``: make the model answer on ``session``."""

    provider: RealtimeVoiceProvider
    respond: Callable[[VoiceSession], Awaitable[None]]


class _Heard:
    def __init__(self, provider: RealtimeVoiceProvider) -> None:
        self.audio: list[tuple[str, bytes]] = []
        self.transcripts: list[tuple[str, str, str, bool]] = []
        self.changed = asyncio.Event()
        provider.on_audio(self._audio)
        provider.on_transcription(self._transcript)

    def _audio(self, session: VoiceSession, audio: bytes) -> None:
        self.audio.append((session.id, audio))
        self.changed.set()

    def _transcript(self, session: VoiceSession, text: str, role: str, final: bool) -> None:
        self.transcripts.append((session.id, text, role, final))
        self.changed.set()

    async def until(self, done: Callable[[], bool]) -> None:
        async with asyncio.timeout(WAIT):
            while not done():
                self.changed.clear()
                await self.changed.wait()


def _session(name: str) -> VoiceSession:
    return VoiceSession.new(f"room-{name}", f"caller-{name}", "realtime")


def _caller_audio() -> bytes:
    return b"".join(f.data for f in tone_frames(440.0, 100))


class RealtimeVoiceProviderSuite(SuiteBase):
    """Conformance checks every :class:`RealtimeVoiceProvider` must pass."""

    @pytest.fixture
    def harness(self, component: Any) -> RealtimeHarness:
        assert isinstance(component, RealtimeHarness), (
            "the component fixture must yield a RealtimeHarness(provider, respond=...)"
        )
        assert isinstance(component.provider, RealtimeVoiceProvider)
        return component

    @pytest.mark.asyncio
    async def test_connect_send_audio_disconnect(self, harness: RealtimeHarness) -> None:
        provider = harness.provider
        session = _session("a")
        await provider.connect(session, system_prompt="Be brief.", voice=None)
        await provider.send_audio(session, _caller_audio())
        await provider.disconnect(session)
        await provider.disconnect(session)  # idempotent

    @pytest.mark.asyncio
    async def test_audio_after_disconnect_is_a_typed_error(self, harness: RealtimeHarness) -> None:
        provider = harness.provider
        session = _session("b")
        await provider.connect(session)
        await provider.disconnect(session)
        with pytest.raises(RoomKitError):
            await provider.send_audio(session, _caller_audio())

    @pytest.mark.asyncio
    async def test_partial_samples_are_a_typed_error(self, harness: RealtimeHarness) -> None:
        provider = harness.provider
        session = _session("c")
        await provider.connect(session)
        try:
            with pytest.raises(RoomKitError):
                await provider.send_audio(session, b"\x01\x02\x03")
        finally:
            await provider.disconnect(session)

    @pytest.mark.asyncio
    async def test_text_tool_results_and_reconfigure_on_a_live_session(
        self, harness: RealtimeHarness
    ) -> None:
        provider = harness.provider
        session = _session("d")
        await provider.connect(session, system_prompt="first")
        try:
            await provider.inject_text(session, "The caller is in Paris.", role="system")
            await provider.submit_tool_result(session, "call-1", '{"ok": true}')
            await provider.reconfigure(session, system_prompt="second", voice="other")
            await provider.send_audio(session, _caller_audio())  # still live
        finally:
            await provider.disconnect(session)
        with pytest.raises(RoomKitError):
            await provider.inject_text(session, "gone")

    @pytest.mark.asyncio
    async def test_model_output_reaches_the_callbacks_of_its_session(
        self, harness: RealtimeHarness
    ) -> None:
        provider = harness.provider
        heard = _Heard(provider)
        one, two = _session("e1"), _session("e2")
        await provider.connect(one)
        await provider.connect(two)
        try:
            await harness.respond(one)
            await heard.until(
                lambda: (
                    any(s == one.id for s, _ in heard.audio)
                    and any(s == one.id and final for s, _, _, final in heard.transcripts)
                )
            )
            assert all(s == one.id for s, _ in heard.audio), "audio of another session"
            assert all(s == one.id for s, *_ in heard.transcripts), "cross-talk in transcripts"
            for _, audio in heard.audio:
                AudioFrame(audio)  # whole PCM16 samples
            await harness.respond(two)
            await heard.until(lambda: any(s == two.id for s, _ in heard.audio))
        finally:
            await provider.disconnect(one)
            await provider.disconnect(two)

    @pytest.mark.asyncio
    async def test_a_failing_callback_does_not_stop_the_others(
        self, harness: RealtimeHarness
    ) -> None:
        provider = harness.provider

        def broken(*args: Any) -> None:
            raise RuntimeError("callback bug")

        provider.on_audio(broken)
        heard = _Heard(provider)
        session = _session("f")
        await provider.connect(session)
        try:
            await harness.respond(session)
            await heard.until(lambda: bool(heard.audio))
        finally:
            await provider.disconnect(session)
