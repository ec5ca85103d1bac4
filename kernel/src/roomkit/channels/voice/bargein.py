"""Barge-in of one session: user speech over playback, judged by the interruption policy.

The channel calls :func:`consider` when speech starts over playback and for every speech frame
while a CONFIRMED decision is pending, and :func:`gate` with each transcript (a SEMANTIC
decision waits for it). Interrupting cancels playback (:meth:`Player.cancel
<roomkit.channels.voice.playback.Player.cancel>`) and fires ``ON_BARGE_IN`` then
``ON_TTS_CANCELLED``; a backchannel fires ``ON_BACKCHANNEL``.
"""

from __future__ import annotations

from roomkit.channels.voice.runtime import VoiceRuntime
from roomkit.channels.voice.session import LiveSession
from roomkit.models.enums import HookTrigger
from roomkit.voice.events import BackchannelEvent, BargeInEvent, TTSCancelledEvent
from roomkit.voice.interruption import InterruptionDecision

__all__ = ["barge_in", "consider", "gate"]


def _evaluate(live: LiveSession, text: str = "") -> InterruptionDecision:
    return live.interruption.evaluate(
        playback_position_ms=live.player.position_ms(),
        speech_duration_ms=int(live.speech_ms),
        speech_text=text,
    )


async def consider(rt: VoiceRuntime, live: LiveSession) -> bool:
    """Speech is heard: interrupt playback if the policy says so (True when it did)."""
    if not live.player.is_playing():
        live.confirming = False
        return False
    decision = _evaluate(live)
    if decision.pending:
        live.awaiting_transcript = True
        return False
    if decision.should_interrupt:
        live.confirming = False
        await barge_in(rt, live)
        return True
    live.confirming = live.in_speech and decision.reason == "speech too short"
    return False


async def barge_in(rt: VoiceRuntime, live: LiveSession) -> None:
    """Stop playback and fire ``ON_BARGE_IN`` and ``ON_TTS_CANCELLED``."""
    result = await live.player.cancel(flush=rt.interruption.flush_partial_tts)
    if result is None:
        return
    text, position = result
    session = live.session
    await rt.hooks.fire(
        HookTrigger.ON_BARGE_IN, BargeInEvent(session, text, position), session, live.room_id
    )
    cancelled = TTSCancelledEvent(session, "barge_in", text, position)
    await rt.hooks.fire(HookTrigger.ON_TTS_CANCELLED, cancelled, session, live.room_id)


async def gate(rt: VoiceRuntime, live: LiveSession, text: str) -> bool:
    """A transcript arrived: decide a pending SEMANTIC barge-in. False for a backchannel
    (the transcript then goes no further)."""
    if not live.awaiting_transcript:
        return True
    live.awaiting_transcript = False
    if not live.player.is_playing():
        return True
    decision = _evaluate(live, text)
    if decision.is_backchannel:
        event = BackchannelEvent(live.session, text)
        await rt.hooks.fire(HookTrigger.ON_BACKCHANNEL, event, live.session, live.room_id)
        return False
    if decision.should_interrupt:
        await barge_in(rt, live)
    return True
