"""Turn taking of one voice session: utterance -> transcript -> turn decision -> the room.

Utterances are transcribed one after another by a worker task (the audio path never waits for
speech recognition). With a streaming STT provider, the audio of an utterance is streamed to it
while the user speaks (partial transcripts fire ``ON_PARTIAL_TRANSCRIPTION``); the batch
transcription of the whole utterance is the fallback when the stream fails. Then:

1. ``ON_TRANSCRIPTION`` (a sync hook may block the transcript);
2. the channel's interruption gate (a SEMANTIC barge-in waiting for this transcript decides
   whether it was a backchannel -- then nothing more happens);
3. the pipeline's turn detector, if any: an incomplete turn (``ON_TURN_INCOMPLETE``) is held
   and joined with the next one; a held turn is sent anyway once ``max_hold_ms`` passed on
   the channel's clock;
4. ``ON_TURN_COMPLETE`` and the transcript goes to the room as an inbound message.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import deque
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass

from roomkit.channels.voice.runtime import VoiceRuntime
from roomkit.errors import ProviderTimeoutError, VoiceNotConfiguredError
from roomkit.models.enums import HookTrigger
from roomkit.voice.audio_frame import AudioFrame
from roomkit.voice.base import AudioChunk, TranscriptionResult, VoiceSession
from roomkit.voice.events import PartialTranscriptionEvent, TurnCompleteEvent, TurnIncompleteEvent
from roomkit.voice.pipeline.turn.base import TurnContext, TurnDetector, TurnEntry

__all__ = ["SpeechStream", "TurnTaker"]

logger = logging.getLogger("roomkit.channels.voice")

#: Frames buffered for a streaming transcription before the stream is given up.
STREAM_QUEUE_FRAMES = 500
#: Utterances waiting for transcription per session before new ones are dropped.
MAX_PENDING_UTTERANCES = 8
#: Earlier turns kept for the turn detector.
HISTORY_TURNS = 20

#: ``route(text, result)``: hand a complete turn to the room.
RouteFn = Callable[[str, TranscriptionResult], Awaitable[None]]
#: ``gate(text) -> keep``: the interruption decision on a transcript (False: a backchannel).
GateFn = Callable[[str], Awaitable[bool]]


class SpeechStream:
    """One streaming transcription fed with the frames of an utterance as they are heard."""

    def __init__(self, rt: VoiceRuntime, session: VoiceSession, room_id: str) -> None:
        self._rt = rt
        self._session = session
        self._room_id = room_id
        self._frames: asyncio.Queue[AudioFrame | None] = asyncio.Queue(STREAM_QUEUE_FRAMES)
        self.failed = False
        self.task = asyncio.get_running_loop().create_task(self._run())

    def feed(self, frame: AudioFrame) -> None:
        """Add a frame of speech (dropped, and the stream abandoned, if it falls behind)."""
        if self.failed:
            return
        try:
            self._frames.put_nowait(frame)
        except asyncio.QueueFull:
            self.failed = True
            self.task.cancel()

    def close(self) -> None:
        """The utterance ended: no more frames."""
        if not self.failed:
            with contextlib.suppress(asyncio.QueueFull):
                self._frames.put_nowait(None)

    async def _chunks(self) -> AsyncIterator[AudioChunk]:
        while (frame := await self._frames.get()) is not None:
            yield AudioChunk(frame.data, frame.sample_rate, frame.channels)

    async def _run(self) -> TranscriptionResult | None:
        rt, session = self._rt, self._session
        stt = rt.stt
        assert stt is not None
        final: TranscriptionResult | None = None
        async for result in stt.transcribe_stream(self._chunks()):
            if result.is_final:
                final = result
            elif result.text:
                event = PartialTranscriptionEvent(
                    session, result.text, result.confidence or 0.0, is_stable=False
                )
                await rt.hooks.fire(
                    HookTrigger.ON_PARTIAL_TRANSCRIPTION, event, session, self._room_id
                )
        return final

    async def result(self, timeout: float) -> TranscriptionResult | None:
        """The final result, or ``None`` when the stream failed (use batch instead)."""
        if self.failed:
            return None
        try:
            return await asyncio.wait_for(asyncio.shield(self.task), timeout)
        except (asyncio.CancelledError, TimeoutError):
            self.task.cancel()
            return None
        except Exception as exc:
            await self._rt.report("streaming STT", exc, self._session, self._room_id)
            return None


@dataclass
class _Utterance:
    audio: AudioFrame
    duration_ms: float
    stream: SpeechStream | None


class TurnTaker:
    """The transcription worker and held turn of one session."""

    def __init__(
        self,
        rt: VoiceRuntime,
        session: VoiceSession,
        room_id: str,
        *,
        route: RouteFn,
        gate: GateFn,
        turn_detector: TurnDetector | None,
        max_hold_ms: float = 3000.0,
    ) -> None:
        self._rt = rt
        self._session = session
        self.room_id = room_id
        self._route = route
        self._gate = gate
        self._detector = turn_detector
        self._max_hold_ms = max_hold_ms
        self._pending: deque[_Utterance] = deque()
        self._wake = asyncio.Event()
        self._worker: asyncio.Task[None] | None = None
        self._busy = False
        self._idle = asyncio.Event()
        self._idle.set()
        self.held: list[str] = []
        self.held_since: float | None = None
        self.history: deque[TurnEntry] = deque(maxlen=HISTORY_TURNS)
        self.dropped = 0

    def submit(self, audio: AudioFrame, duration_ms: float, stream: SpeechStream | None) -> bool:
        """Queue an utterance for transcription; False when too many wait (it is dropped)."""
        if len(self._pending) >= MAX_PENDING_UTTERANCES:
            self.dropped += 1
            logger.warning(
                "voice session %s: %d utterances wait for transcription; one dropped",
                self._session.id,
                len(self._pending),
            )
            if stream is not None:
                stream.task.cancel()
            return False
        self._pending.append(_Utterance(audio, duration_ms, stream))
        self._idle.clear()
        self._wake.set()
        if self._worker is None:
            self._worker = asyncio.get_running_loop().create_task(self._run())
        return True

    async def idle(self) -> None:
        """Wait until every queued utterance has been handled."""
        await self._idle.wait()

    async def tick(self) -> None:
        """Called for every inbound frame: send a held turn whose hold time ran out."""
        if self.held_since is None or self._busy or self._pending:
            return
        if (self._rt.clock() - self.held_since) * 1000.0 >= self._max_hold_ms:
            text = " ".join(self.held)
            self.held, self.held_since = [], None
            await self._complete(text, TranscriptionResult(text=text))

    async def close(self) -> None:
        """Stop the worker; utterances not yet transcribed are dropped."""
        for item in self._pending:
            if item.stream is not None:
                item.stream.task.cancel()
        self._pending.clear()
        self._idle.set()
        if self._worker is not None and not self._worker.done():
            self._worker.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._worker

    async def _run(self) -> None:
        while True:
            if not self._pending:
                self._idle.set()
                self._wake.clear()
                await self._wake.wait()
                continue
            item = self._pending.popleft()
            self._busy = True
            try:
                await self._handle(item)
            except Exception as exc:
                await self._rt.report("turn", exc, self._session, self.room_id)
            finally:
                self._busy = False

    async def transcribe(self, audio: AudioFrame) -> TranscriptionResult:
        """Batch-transcribe ``audio`` with the channel's STT (bounded by ``stt_timeout``)."""
        rt = self._rt
        if rt.stt is None:
            raise VoiceNotConfiguredError(
                f"voice channel {rt.channel_id!r} has no STT provider to transcribe with"
            )
        try:
            return await asyncio.wait_for(rt.stt.transcribe(audio), rt.stt_timeout)
        except TimeoutError:
            raise ProviderTimeoutError(
                f"{rt.stt.name} did not transcribe within {rt.stt_timeout} s"
            ) from None

    async def _handle(self, item: _Utterance) -> None:
        rt, session = self._rt, self._session
        result = None
        if item.stream is not None:
            result = await item.stream.result(rt.stt_timeout)
        if result is None:
            try:
                result = await self.transcribe(item.audio)
            except Exception as exc:
                await rt.report("STT", exc, session, self.room_id)
                return
        await self.heard(result, item.duration_ms)

    async def heard(self, result: TranscriptionResult, duration_ms: float = 0.0) -> None:
        """A final transcript of one utterance: hooks, interruption gate, turn detection."""
        rt, session = self._rt, self._session
        text = (result.text or "").strip()
        if not text:
            return
        outcome = await rt.hooks.fire(HookTrigger.ON_TRANSCRIPTION, result, session, self.room_id)
        if outcome is not None and outcome.blocked:
            return
        if not await self._gate(text):
            return
        self.history.append(TurnEntry(text, "user", duration_ms))
        if self.held:
            text = " ".join([*self.held, text])
        detector = self._detector
        if detector is not None:
            context = TurnContext(
                conversation_history=list(self.history),
                transcript=text,
                is_final=True,
                speech_duration_ms=duration_ms,
                session_id=session.id,
            )
            try:
                decision = detector.evaluate(context)
            except Exception as exc:
                await rt.report("turn detector", exc, session, self.room_id)
            else:
                if not decision.is_complete:
                    self.held = [text]
                    self.held_since = rt.clock()
                    event = TurnIncompleteEvent(session, text, decision.confidence)
                    await rt.hooks.fire(
                        HookTrigger.ON_TURN_INCOMPLETE, event, session, self.room_id
                    )
                    return
        self.held, self.held_since = [], None
        await self._complete(text, result)

    async def _complete(self, text: str, result: TranscriptionResult) -> None:
        rt, session = self._rt, self._session
        event = TurnCompleteEvent(session, text, result.confidence or 1.0)
        await rt.hooks.fire(HookTrigger.ON_TURN_COMPLETE, event, session, self.room_id)
        await self._route(text, result)
