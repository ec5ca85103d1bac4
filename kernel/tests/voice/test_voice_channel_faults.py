"""Bad input and failures: the session and the room keep working, nothing is stored twice."""

from __future__ import annotations

import asyncio
import threading

import pytest

from roomkit import HookTrigger
from roomkit.errors import AudioFormatError, VoiceSessionError
from roomkit.models.enums import EventType
from roomkit.testing import MockSTTProvider, MockTTSProvider
from roomkit.voice import AudioFrame, VoiceSession
from roomkit.voice.pipeline import AudioPipelineConfig, VADEvent

from .conftest import ThresholdVAD, loud, quiet
from .voicekit import VoiceKit, make_voice_kit


async def connected(vk: VoiceKit) -> VoiceSession:
    await vk.kit.create_room(room_id="room-1")
    await vk.kit.attach_channel("room-1", "voice")
    vk.record_hooks(HookTrigger.ON_ERROR)
    return await vk.kit.connect_voice("room-1", "caller", "voice")


async def transcripts(vk: VoiceKit) -> list[str]:
    events = await vk.kit.store.list_events("room-1")
    return [vk.voice.extract_text(e) for e in events if e.type is EventType.MESSAGE]


async def test_a_frame_at_another_sample_rate_is_reported_and_dropped() -> None:
    vk = make_voice_kit(transcripts=["hello there"])
    session = await connected(vk)
    await vk.backend.simulate_audio_received(session, quiet())  # fixes 16 kHz
    for _ in range(3):
        await vk.backend.simulate_audio_received(session, loud(rate=8000))
    errors = [p for name, p in vk.hooks if name == "on_error"]
    assert len(errors) == 1  # reported once per streak, not per frame
    await vk.speak(session)
    await vk.voice.drain(session)
    assert await transcripts(vk) == ["hello there"]


def test_odd_length_pcm_is_refused_with_a_typed_error() -> None:
    with pytest.raises(AudioFormatError, match="whole"):
        AudioFrame(b"\x01\x02\x03")


async def test_play_refuses_odd_length_pcm_and_the_session_still_speaks() -> None:
    vk = make_voice_kit()
    session = await connected(vk)
    with pytest.raises(AudioFormatError):
        await vk.voice.play(session, b"\x01\x02\x03")
    await vk.voice.play(session, b"\x01\x00" * 160, text="beep")
    assert vk.backend.sent_audio == [(session.id, b"\x01\x00" * 160)]


class FlakyVAD(ThresholdVAD):
    """Raises on its 3rd frame, then works."""

    def __init__(self) -> None:
        super().__init__()
        self.frames = 0

    def process(self, frame: AudioFrame) -> VADEvent | None:
        self.frames += 1
        if self.frames == 3:
            raise RuntimeError("VAD model crashed")
        return super().process(frame)


async def test_a_stage_that_raises_is_reported_and_the_turn_still_goes_through() -> None:
    vk = make_voice_kit(transcripts=["still here"], pipeline=AudioPipelineConfig(vad=FlakyVAD()))
    session = await connected(vk)
    await vk.speak(session)
    await vk.voice.drain(session)
    errors = [p for name, p in vk.hooks if name == "on_error"]
    assert len(errors) == 1
    assert errors[0].metadata["session_id"] == session.id
    assert vk.voice.pipeline.stats(session).stage_failures == {"vad": 1}
    assert await transcripts(vk) == ["still here"]


class StallingVAD(ThresholdVAD):
    """A blocking stage that hangs on its first frame until the test releases it."""

    blocking = True
    release = threading.Event()

    def process(self, frame: AudioFrame) -> VADEvent | None:
        StallingVAD.release.wait(10)
        return super().process(frame)


async def test_a_stalled_stage_drops_frames_and_the_session_survives() -> None:
    StallingVAD.release.clear()
    pipeline = AudioPipelineConfig(vad=StallingVAD(), stage_timeout=0.05)
    vk = make_voice_kit(pipeline=pipeline)
    session = await connected(vk)
    await vk.backend.simulate_audio_received(session, quiet())  # stalls: reported
    await vk.backend.simulate_audio_received(session, quiet())  # dropped meanwhile
    StallingVAD.release.set()
    stats = vk.voice.pipeline.stats(session)
    assert stats.stage_failures.get("stalled") == 1
    assert stats.dropped_frames >= 1
    assert [name for name, _ in vk.hooks] == ["on_error"]


async def test_stt_failure_is_reported_and_the_next_utterance_works() -> None:
    stt = MockSTTProvider(["first try", "second try"], errors=[RuntimeError("STT down"), None])
    vk = make_voice_kit(stt=stt)
    session = await connected(vk)
    await vk.speak(session)
    await vk.voice.drain(session)
    assert await transcripts(vk) == []
    assert [name for name, _ in vk.hooks] == ["on_error"]
    await vk.speak(session)
    await vk.voice.drain(session)
    assert await transcripts(vk) == ["first try"]


async def test_backend_disconnect_mid_utterance_stores_nothing() -> None:
    vk = make_voice_kit()
    session = await connected(vk)
    for _ in range(5):  # speech started, never ended
        await vk.backend.simulate_audio_received(session, loud())
    await vk.backend.simulate_disconnect(session)
    assert vk.voice.sessions() == []
    assert vk.stt.calls == []
    assert await transcripts(vk) == []
    with pytest.raises(VoiceSessionError):
        await vk.voice.say(session, "anyone there?")
    # the room and the channel keep working for the next caller
    again = await vk.kit.connect_voice("room-1", "caller-2", "voice")
    await vk.speak(again)
    await vk.voice.drain(again)
    assert len(await transcripts(vk)) == 1


async def test_disconnect_during_playback_fires_tts_cancelled() -> None:
    vk = make_voice_kit()
    session = await connected(vk)
    vk.record_hooks(HookTrigger.ON_TTS_CANCELLED)
    await vk.voice.say(session, "A reply the caller will not hear to the end.")
    await vk.backend.simulate_disconnect(session)
    cancelled = [p for name, p in vk.hooks if name == "on_tts_cancelled"]
    assert [c.reason for c in cancelled] == ["disconnect"]


async def test_blocked_before_tts_speaks_nothing_and_modify_changes_the_text() -> None:
    vk = make_voice_kit()
    session = await connected(vk)

    async def censor(event, ctx):  # type: ignore[no-untyped-def]
        from roomkit import HookResult, TextContent

        text = vk.voice.extract_text(event)
        if "secret" in text:
            return HookResult.block("no secrets on the phone")
        new = event.model_copy(update={"content": TextContent(body=text.upper())})
        return HookResult.modify(new)

    vk.kit.add_hook(HookTrigger.BEFORE_TTS, censor)
    await vk.voice.say(session, "the secret code is 1234")
    assert vk.tts.calls == []
    await vk.voice.say(session, "hello caller")
    assert vk.tts.calls == [{"text": "HELLO CALLER", "voice": "mock-voice"}]


async def test_unbound_session_and_wrong_types_raise_typed_errors() -> None:
    vk = make_voice_kit()
    await connected(vk)
    stranger = VoiceSession.new("room-1", "x", "voice")
    with pytest.raises(VoiceSessionError, match="not bound"):
        await vk.voice.say(stranger, "hi")
    with pytest.raises(VoiceSessionError):
        vk.voice.bind_session("not a session", "room-1", None)  # type: ignore[arg-type]


class StallingSTT(MockSTTProvider):
    """Never answers until released (a hung model or API)."""

    def __init__(self) -> None:
        super().__init__(["late"])
        self.release = asyncio.Event()

    async def transcribe(self, audio):  # type: ignore[no-untyped-def,override]
        await self.release.wait()
        return await super().transcribe(audio)


class StallingTTS(MockTTSProvider):
    """Produces its first chunk, then hangs."""

    async def synthesize_stream(self, text, *, voice=None):  # type: ignore[no-untyped-def,override]
        async for chunk in super().synthesize_stream(text, voice=voice):
            yield chunk
            await asyncio.Event().wait()


async def test_a_stalled_stt_times_out_reported_and_the_session_still_speaks() -> None:
    vk = make_voice_kit(stt=StallingSTT(), stt_timeout=0.05)
    session = await connected(vk)
    await vk.speak(session)
    await vk.voice.drain(session)
    assert [name for name, _ in vk.hooks] == ["on_error"]
    assert await transcripts(vk) == []
    await vk.voice.say(session, "still here")
    assert vk.backend.sent_audio


async def test_a_stalled_tts_times_out_and_playback_is_cancelled_with_error() -> None:
    vk = make_voice_kit(tts=StallingTTS(), tts_timeout=0.05)
    session = await connected(vk)
    vk.record_hooks(HookTrigger.ON_TTS_CANCELLED)
    await vk.voice.say(session, "one two three")
    cancelled = [p for name, p in vk.hooks if name == "on_tts_cancelled"]
    assert [c.reason for c in cancelled] == ["error"]
    assert "on_error" in [name for name, _ in vk.hooks]
