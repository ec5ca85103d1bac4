"""Playback of one voice session: a bounded queue of utterances spoken one after another.

Text goes through the ``BEFORE_TTS`` hooks (which may block it or change it), is cut into
sentences and synthesised sentence by sentence, each audio chunk passes the pipeline's outbound
chain and is streamed to the backend as soon as it exists: the caller hears the first sentence
while the next one is synthesised. ``AFTER_TTS`` follows a complete utterance. A cancelled
utterance (barge-in, explicit interrupt, disconnect) stops mid-stream.

Where playback is in time is estimated with the channel's clock from the audio sent: a
transport plays audio in real time after it receives it, so the audio sent up to ``now`` is
still being heard until ``until``.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import deque
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from typing import Literal

from roomkit.channels.base import Channel
from roomkit.channels.voice.runtime import VoiceRuntime
from roomkit.errors import (
    AudioFormatError,
    ProviderTimeoutError,
    VoiceBackendNotConfiguredError,
    VoiceNotConfiguredError,
    VoiceSessionError,
)
from roomkit.models.content import TextContent
from roomkit.models.enums import ChannelDirection, HookTrigger
from roomkit.models.event import RoomEvent
from roomkit.voice.audio_frame import AudioFrame
from roomkit.voice.base import AudioChunk, VoiceSession
from roomkit.voice.events import TTSCancelledEvent
from roomkit.voice.tts.sentence_splitter import split_sentences

__all__ = ["Player", "Utterance"]

logger = logging.getLogger("roomkit.channels.voice")

CancelReason = Literal["barge_in", "explicit", "disconnect", "error"]


@dataclass
class Utterance:
    """Something to play: ``text`` to synthesise, or ready ``audio``.

    ``done`` resolves to True when it was played to the end, False when it was blocked by a
    hook, cancelled or failed. ``spoken`` is the text actually synthesised (after hooks).
    """

    text: str | None = None
    audio: AudioFrame | None = None
    voice: str | None = None
    event: RoomEvent | None = None
    done: asyncio.Future[bool] = field(
        default_factory=lambda: asyncio.get_running_loop().create_future()
    )
    spoken: str = ""
    started_at: float | None = None
    sent_ms: float = 0.0

    def finish(self, played: bool) -> None:
        """Resolve :attr:`done` (once)."""
        if not self.done.done():
            self.done.set_result(played)


class Player:
    """The playback queue and worker of one session."""

    def __init__(
        self,
        rt: VoiceRuntime,
        session: VoiceSession,
        room_id: str,
        *,
        on_first_audio: Callable[[], None],
    ) -> None:
        self._rt = rt
        self._session = session
        self.room_id = room_id
        self._on_first_audio = on_first_audio
        self._queue: deque[Utterance] = deque()
        self._wake = asyncio.Event()
        self._worker: asyncio.Task[None] | None = None
        self._task: asyncio.Task[bool] | None = None
        self.current: Utterance | None = None
        self.last: Utterance | None = None
        self.until = 0.0  # clock time when the audio sent so far has been heard
        self._closed = False

    # -- queue -----------------------------------------------------------------------------
    def submit(self, utterance: Utterance) -> Utterance:
        """Queue ``utterance``; raises :class:`~roomkit.errors.VoiceSessionError` when the
        session ended or ``max_queued_utterances`` are already waiting."""
        if self._closed:
            raise VoiceSessionError(f"voice session {self._session.id!r} has ended")
        if len(self._queue) >= self._rt.max_queued_utterances:
            raise VoiceSessionError(
                f"voice session {self._session.id!r}: {len(self._queue)} utterances already "
                "wait to be played; interrupt() or wait for playback before queueing more"
            )
        self._queue.append(utterance)
        self._wake.set()
        if self._worker is None:
            self._worker = asyncio.get_running_loop().create_task(self._run())
        return utterance

    @property
    def queued(self) -> int:
        """Utterances waiting behind the current one."""
        return len(self._queue)

    def is_playing(self) -> bool:
        """Whether the caller hears (or is about to hear) something now."""
        if self.current is not None or self._queue:
            return True
        return self._rt.clock() < self.until

    def position_ms(self) -> int:
        """How far into the current (or last) utterance the caller is, in milliseconds."""
        utterance = self.current or self.last
        if utterance is None or utterance.started_at is None:
            return 0
        heard = (self._rt.clock() - utterance.started_at) * 1000.0
        return int(max(0.0, min(heard, utterance.sent_ms)))

    def heard(self) -> tuple[str, int]:
        """``(text, position_ms)`` of the current (or last) utterance."""
        utterance = self.current or self.last
        if utterance is None:
            return "", 0
        return utterance.spoken or utterance.text or "", self.position_ms()

    async def idle(self) -> None:
        """Wait until everything queued so far has been played (or cancelled)."""
        while self.current is not None or self._queue:
            pending = [u.done for u in (self.current, *self._queue) if u is not None]
            await asyncio.wait(pending)

    # -- cancellation ----------------------------------------------------------------------
    async def cancel(self, *, flush: bool = True) -> tuple[str, int] | None:
        """Stop what plays now (and the queue, with ``flush``); ``(text, position_ms)`` of
        the interrupted utterance, or ``None`` when nothing was playing."""
        if not self.is_playing():
            return None
        text, position = self.heard()
        if flush:
            while self._queue:
                self._queue.popleft().finish(False)
        task = self._task
        if task is not None and not task.done():
            task.cancel()
        self.until = self._rt.clock()
        backend = self._rt.backend
        if backend is not None:
            try:
                await backend.cancel_audio(self._session)
                backend.interrupt(self._session)
            except Exception as exc:
                await self._rt.report("cancel_audio", exc, self._session, self.room_id)
        return text, position

    async def close(self) -> None:
        """Stop for good (the session ended): cancel everything, resolve every utterance."""
        self._closed = True
        while self._queue:
            self._queue.popleft().finish(False)
        for task in (self._task, self._worker):
            if task is not None and not task.done():
                task.cancel()
        for task in (self._task, self._worker):
            if task is not None:
                with contextlib.suppress(asyncio.CancelledError, Exception):
                    await task
        if self.current is not None:
            self.current.finish(False)
            self.current = None

    # -- worker ----------------------------------------------------------------------------
    async def _run(self) -> None:
        while not self._closed:
            if not self._queue:
                self._wake.clear()
                await self._wake.wait()
                continue
            utterance = self._queue.popleft()
            self.current = utterance
            task = asyncio.get_running_loop().create_task(self._play(utterance))
            self._task = task
            await asyncio.wait({task})
            self.current = None
            self._task = None
            self.last = utterance
            if task.cancelled():
                utterance.finish(False)
                continue
            error = task.exception()
            if error is None:
                utterance.finish(task.result())
                continue
            utterance.finish(False)
            await self._failed(utterance, error)

    async def _failed(self, utterance: Utterance, error: BaseException) -> None:
        rt, session = self._rt, self._session
        await rt.report("playback", error, session, self.room_id)
        self.until = rt.clock()
        text = utterance.spoken or utterance.text or ""
        event = TTSCancelledEvent(session, "error", text, int(utterance.sent_ms))
        await rt.hooks.fire(HookTrigger.ON_TTS_CANCELLED, event, session, self.room_id)

    async def _play(self, utterance: Utterance) -> bool:
        rt, session = self._rt, self._session
        backend = rt.backend
        if backend is None:
            raise VoiceBackendNotConfiguredError(
                f"voice channel {rt.channel_id!r} has no backend to play audio through"
            )
        payload: RoomEvent | None = None
        if utterance.audio is not None:
            stream = self._audio_chunks(utterance, utterance.audio)
        else:
            text, voice, payload = await self._before_tts(utterance)
            if not text.strip():
                return False
            utterance.spoken, utterance.voice = text, voice
            stream = self._tts_chunks(utterance, text, voice)
        await backend.send_audio(session, stream)
        backend.end_of_response(session)
        if payload is not None:
            await rt.hooks.fire(HookTrigger.AFTER_TTS, payload, session, self.room_id)
        return True

    async def _before_tts(self, utterance: Utterance) -> tuple[str, str | None, RoomEvent | None]:
        rt, session = self._rt, self._session
        text = utterance.text or ""
        voice = utterance.voice
        metadata: dict[str, object] = {"session_id": session.id, "voice": voice}
        if utterance.event is not None:
            metadata["event_id"] = utterance.event.id
            metadata["agent_id"] = utterance.event.source.channel_id
        payload = RoomEvent(
            room_id=self.room_id,
            source=rt.source(session, ChannelDirection.OUTBOUND),
            content=TextContent(body=text or " "),
            metadata=metadata,
        )
        outcome = await rt.hooks.fire(HookTrigger.BEFORE_TTS, payload, session, self.room_id)
        if outcome is None:
            return text, voice, payload
        if outcome.blocked:
            logger.debug("BEFORE_TTS blocked speech in session %s: %s", session.id, outcome.reason)
            return "", voice, None
        changed = outcome.event
        if isinstance(changed, RoomEvent):
            text = Channel.extract_text(changed)
            new_voice = changed.metadata.get("voice", voice)
            voice = new_voice if isinstance(new_voice, str) else voice
            payload = changed
        return text, voice, payload

    async def _tts_chunks(
        self, utterance: Utterance, text: str, voice: str | None
    ) -> AsyncIterator[AudioChunk]:
        rt = self._rt
        tts = rt.tts
        if tts is None:
            raise VoiceNotConfiguredError(
                f"voice channel {rt.channel_id!r} has no TTS provider to speak with"
            )
        async for sentence in split_sentences(_single(text)):
            chunks = tts.synthesize_stream(sentence, voice=voice)
            try:
                while True:
                    try:
                        chunk = await asyncio.wait_for(anext(chunks), rt.tts_timeout)
                    except StopAsyncIteration:
                        break
                    except TimeoutError:
                        raise ProviderTimeoutError(
                            f"{tts.name} produced no audio for {rt.tts_timeout} s"
                        ) from None
                    if not chunk.is_pcm:
                        raise AudioFormatError(
                            f"{tts.name} streamed {chunk.format!r}; the voice channel plays PCM16"
                        )
                    if chunk.data:
                        yield self._out(
                            utterance, AudioFrame(chunk.data, chunk.sample_rate, chunk.channels)
                        )
            finally:
                aclose = getattr(chunks, "aclose", None)
                if aclose is not None:
                    await aclose()

    async def _audio_chunks(
        self, utterance: Utterance, audio: AudioFrame
    ) -> AsyncIterator[AudioChunk]:
        step = max(1, audio.sample_rate // 10) * 2 * audio.channels  # 100 ms chunks
        data = audio.data
        for offset in range(0, len(data), step):
            yield self._out(utterance, audio.with_data(data[offset : offset + step]))

    def _out(self, utterance: Utterance, frame: AudioFrame) -> AudioChunk:
        rt = self._rt
        frame = rt.pipeline.process_outbound(self._session, frame)
        now = rt.clock()
        if utterance.started_at is None:
            utterance.started_at = now
            self._on_first_audio()
        utterance.sent_ms += frame.duration_ms
        self.until = max(self.until, now) + frame.duration_ms / 1000.0
        return AudioChunk(frame.data, frame.sample_rate, frame.channels)


async def _single(text: str) -> AsyncIterator[str]:
    yield text
