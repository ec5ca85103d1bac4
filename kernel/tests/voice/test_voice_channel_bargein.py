"""Barge-in: user speech during playback, under each interruption strategy."""

from __future__ import annotations

import asyncio

import pytest

from roomkit import HookTrigger
from roomkit.testing import MockTTSProvider
from roomkit.voice.events import BargeInEvent, TTSCancelledEvent
from roomkit.voice.interruption import InterruptionConfig, InterruptionStrategy
from roomkit.voice.pipeline import AudioPipelineConfig, PhraseBackchannelDetector

from .conftest import ThresholdVAD, loud
from .voicekit import VoiceKit, make_voice_kit

REPLY = "Our advisor will call you back tomorrow morning. Please keep your phone nearby."


async def playing_kit(strategy: InterruptionStrategy, **config: object) -> tuple[VoiceKit, object]:
    vk = make_voice_kit(
        interruption=InterruptionConfig(strategy=strategy, **config),  # type: ignore[arg-type]
        tts=MockTTSProvider(ms_per_char=60),  # about 4 s of speech
    )
    await vk.kit.create_room(room_id="room-1")
    await vk.kit.attach_channel("room-1", "voice")
    vk.record_hooks(HookTrigger.ON_BARGE_IN, HookTrigger.ON_TTS_CANCELLED)
    session = await vk.kit.connect_voice("room-1", "caller", "voice")
    await vk.voice.say(session, REPLY)
    # The transport received the audio at once; on the (frozen) clock the caller still hears
    # it, 1 s into a reply that lasts longer.
    vk.clock.advance(1.0)
    return vk, session


def cancels(vk: VoiceKit) -> list[str]:
    return [c.method for c in vk.backend.calls if c.method == "cancel_audio"]


async def test_immediate_interrupts_on_the_first_speech_frame() -> None:
    vk, session = await playing_kit(InterruptionStrategy.IMMEDIATE)
    await vk.backend.simulate_audio_received(session, loud())
    assert vk.fired() == ["on_barge_in", "on_tts_cancelled"]
    barge, cancelled = (payload for _, payload in vk.hooks)
    assert isinstance(barge, BargeInEvent)
    assert barge.interrupted_text == REPLY
    assert barge.audio_position_ms == 1000
    assert isinstance(cancelled, TTSCancelledEvent)
    assert cancelled.reason == "barge_in"
    assert cancels(vk) == ["cancel_audio"]


async def test_disabled_never_interrupts() -> None:
    vk, session = await playing_kit(InterruptionStrategy.DISABLED)
    await vk.speak(session, loud_frames=25)
    await vk.voice.drain(session)
    assert vk.fired() == []
    assert cancels(vk) == []


async def test_confirmed_waits_for_min_speech_ms() -> None:
    vk, session = await playing_kit(InterruptionStrategy.CONFIRMED, min_speech_ms=100)
    for _ in range(3):  # 60 ms: not yet
        await vk.backend.simulate_audio_received(session, loud())
    assert vk.fired() == []
    for _ in range(4):
        await vk.backend.simulate_audio_received(session, loud())
    assert vk.fired() == ["on_barge_in", "on_tts_cancelled"]


async def test_semantic_ignores_a_backchannel_and_interrupts_on_real_words() -> None:
    pipeline = AudioPipelineConfig(
        vad=ThresholdVAD(), backchannel_detector=PhraseBackchannelDetector()
    )
    vk = make_voice_kit(
        transcripts=["uh-huh", "wait, stop please"],
        pipeline=pipeline,
        interruption=InterruptionConfig(strategy=InterruptionStrategy.SEMANTIC),
        tts=MockTTSProvider(ms_per_char=60),
    )
    await vk.kit.create_room(room_id="room-1")
    await vk.kit.attach_channel("room-1", "voice")
    vk.record_hooks(HookTrigger.ON_BACKCHANNEL, HookTrigger.ON_BARGE_IN)
    session = await vk.kit.connect_voice("room-1", "caller", "voice")
    await vk.voice.say(session, REPLY)
    vk.clock.advance(0.5)
    await vk.speak(session)
    await vk.voice.drain(session)
    assert vk.fired() == ["on_backchannel"]
    stored = [vk.voice.extract_text(e) for e in await vk.kit.store.list_events("room-1")]
    assert "uh-huh" not in stored
    await vk.speak(session)
    await vk.voice.drain(session)
    assert vk.fired() == ["on_backchannel", "on_barge_in"]
    assert "wait, stop please" in [
        vk.voice.extract_text(e) for e in await vk.kit.store.list_events("room-1")
    ]


async def test_speech_after_playback_ended_is_no_barge_in() -> None:
    vk, session = await playing_kit(InterruptionStrategy.IMMEDIATE)
    vk.clock.advance(60.0)  # the whole reply has been heard
    await vk.backend.simulate_audio_received(session, loud())
    assert vk.fired() == []


async def test_explicit_interrupt_cancels_queued_speech() -> None:
    vk = make_voice_kit()
    await vk.kit.create_room(room_id="room-1")
    await vk.kit.attach_channel("room-1", "voice")
    vk.record_hooks(HookTrigger.ON_TTS_CANCELLED)
    session = await vk.kit.connect_voice("room-1", "caller", "voice")
    gate = asyncio.Event()
    original = vk.backend.send_audio

    async def slow_send(s, audio):  # type: ignore[no-untyped-def]
        await gate.wait()
        await original(s, audio)

    vk.backend.send_audio = slow_send  # type: ignore[method-assign]
    first = asyncio.create_task(vk.voice.say(session, "First sentence is long enough."))
    second = asyncio.create_task(vk.voice.say(session, "Second sentence is long enough."))
    await asyncio.sleep(0)
    await asyncio.sleep(0)
    assert await vk.voice.interrupt(session) is True
    await asyncio.gather(first, second)
    assert vk.fired() == ["on_tts_cancelled"]
    assert vk.hooks[0][1].reason == "explicit"
    assert vk.backend.sent_audio == []
    assert await vk.voice.interrupt(session) is False


@pytest.mark.parametrize("strategy", list(InterruptionStrategy))
async def test_backend_reported_barge_in_follows_the_strategy(
    strategy: InterruptionStrategy,
) -> None:
    vk, session = await playing_kit(strategy)
    await vk.backend.simulate_barge_in(session)
    # SEMANTIC without a backchannel detector confirms like CONFIRMED
    interrupted = strategy is not InterruptionStrategy.DISABLED
    assert (vk.fired() == ["on_barge_in", "on_tts_cancelled"]) is interrupted
