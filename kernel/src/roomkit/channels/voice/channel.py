"""``VoiceChannel``: a room's voice transport -- speech in, agents' replies spoken back.

Inbound: backend frame -> the session's audio pipeline (VAD ...) -> utterance -> STT -> the
room as an inbound message (:mod:`~roomkit.channels.voice.turns`). Outbound: a room event
delivered to the channel -> ``BEFORE_TTS`` -> sentence-split streaming TTS -> pipeline outbound
chain -> backend (:mod:`~roomkit.channels.voice.playback`). In between, barge-in: user speech
during playback interrupts it as the :class:`~roomkit.voice.interruption.InterruptionConfig`
says. Every voice hook trigger fires with its typed event (:mod:`~roomkit.channels.voice.hooks`).

Sessions come from the backend (``kit.connect_voice`` opens one and binds it to a room) and
each keeps its own pipeline stage instances, playback queue, transcription worker and
barge-in state. Time (turn latency, playback position, held turns, rate limits) is read from
the ``clock`` given to the channel, so tests drive it without sleeping.
"""

from __future__ import annotations

import logging
import time
from collections import OrderedDict
from collections.abc import AsyncIterator, Callable, Mapping
from typing import Any

from roomkit.channels.base import Channel
from roomkit.channels.voice.bargein import consider as consider_barge_in
from roomkit.channels.voice.bargein import gate as barge_in_gate
from roomkit.channels.voice.hooks import PIPELINE_TRIGGERS, VoiceHooks
from roomkit.channels.voice.playback import Player, Utterance
from roomkit.channels.voice.runtime import VoiceRuntime, check_settings
from roomkit.channels.voice.session import LiveSession
from roomkit.channels.voice.signals import route_transcript, store_signal
from roomkit.channels.voice.turns import SpeechStream, TurnTaker
from roomkit.errors import (
    AudioFormatError,
    ConfigurationError,
    VoiceBackendNotConfiguredError,
    VoiceSessionError,
)
from roomkit.models.content import AudioContent
from roomkit.models.context import RoomContext
from roomkit.models.enums import (
    ChannelCategory,
    ChannelDirection,
    ChannelMediaType,
    ChannelType,
    HookTrigger,
)
from roomkit.models.event import RoomEvent
from roomkit.models.hooks import ChannelOutput
from roomkit.models.room import ChannelBinding, ChannelCapabilities
from roomkit.voice.audio_frame import AudioFrame
from roomkit.voice.backends.base import VoiceBackend
from roomkit.voice.base import AudioChunk, VoiceSession
from roomkit.voice.events import (
    AudioLevelEvent,
    DTMFDetectedEvent,
    RecordingStartedEvent,
    RecordingStoppedEvent,
    SessionStartedEvent,
    SpeechEndEvent,
    SpeechStartEvent,
    TTSCancelledEvent,
)
from roomkit.voice.interruption import (
    InterruptionConfig,
    InterruptionHandler,
)
from roomkit.voice.pipeline.config import AudioPipelineConfig
from roomkit.voice.pipeline.engine import AudioPipeline
from roomkit.voice.stt.base import STTProvider, as_frame
from roomkit.voice.tts.base import TTSProvider
from roomkit.voice.tts.sentence_splitter import split_sentences

__all__ = ["VoiceChannel"]

logger = logging.getLogger("roomkit.channels.voice")

#: Seconds of audio ``batch_mode`` buffers per session before it refuses more.
MAX_BATCH_SECONDS = 120
#: Ended sessions whose room is remembered (late recording events, protocol traces).
_ENDED_MEMORY = 1024


class VoiceChannel(Channel):
    """Speech in and out of a room through a voice backend (RoomKit 0.6.7's call shape).

    * ``stt`` / ``tts`` / ``backend``: the speech providers and the audio transport.
    * ``pipeline``: an :class:`~roomkit.voice.pipeline.AudioPipelineConfig` (or a ready
      :class:`~roomkit.voice.pipeline.AudioPipeline`); its VAD cuts utterances. Without a VAD
      (or with ``batch_mode=True``) inbound audio is buffered until :meth:`flush_stt`.
    * ``interruption``: barge-in policy; default: the pipeline config's, else CONFIRMED with
      ``barge_in_threshold_ms`` (DISABLED when ``enable_barge_in=False``).
    * ``streaming``: stream speech to an STT provider that supports it (partial transcripts).
    * ``voice_map``: agent channel id -> TTS voice (``ConversationPipeline.install`` fills it).
    * ``max_audio_frames_per_second``: inbound frames beyond it are dropped per session.
    * ``clock`` (seconds, monotonic), ``stt_timeout`` / ``tts_timeout`` (seconds per provider
      call), ``max_hold_ms`` (how long an incomplete turn waits for more speech).
    """

    channel_type = ChannelType.VOICE
    category = ChannelCategory.TRANSPORT
    direction = ChannelDirection.BIDIRECTIONAL

    def __init__(
        self,
        channel_id: str,
        *,
        stt: STTProvider | None = None,
        tts: TTSProvider | None = None,
        backend: VoiceBackend | None = None,
        pipeline: AudioPipelineConfig | AudioPipeline | None = None,
        streaming: bool = True,
        enable_barge_in: bool = True,
        barge_in_threshold_ms: int = 200,
        interruption: InterruptionConfig | None = None,
        batch_mode: bool = False,
        voice_map: Mapping[str, str] | None = None,
        max_audio_frames_per_second: int | None = None,
        clock: Callable[[], float] = time.monotonic,
        stt_timeout: float = 30.0,
        tts_timeout: float = 30.0,
        max_hold_ms: float = 3000.0,
    ) -> None:
        super().__init__(channel_id)
        checked = check_settings(
            stt=stt,
            tts=tts,
            backend=backend,
            pipeline=pipeline,
            interruption=interruption,
            enable_barge_in=enable_barge_in,
            barge_in_threshold_ms=barge_in_threshold_ms,
            max_audio_frames_per_second=max_audio_frames_per_second,
            timeouts=(stt_timeout, tts_timeout),
        )
        audio, interruption = checked
        self._hooks = VoiceHooks(channel_id)
        self._rt = VoiceRuntime(
            channel_id=channel_id,
            stt=stt,
            tts=tts,
            backend=backend,
            pipeline=audio,
            hooks=self._hooks,
            interruption=interruption,
            clock=clock,
            stt_timeout=stt_timeout,
            tts_timeout=tts_timeout,
            voice_map=dict(voice_map or {}),
        )
        self._pipeline = audio
        self._streaming = streaming
        self._batch = batch_mode or audio.config.vad is None
        self._max_fps = max_audio_frames_per_second
        self._max_hold_ms = max_hold_ms
        self._live: dict[str, LiveSession] = {}
        self._ended: OrderedDict[str, str] = OrderedDict()
        audio.on_event(self._on_pipeline_event)
        audio.on_speech_frame(self._on_speech_frame)
        audio.on_error(self._on_pipeline_error)
        audio.on_input_level(self._level_hook(HookTrigger.ON_INPUT_AUDIO_LEVEL))
        audio.on_output_level(self._level_hook(HookTrigger.ON_OUTPUT_AUDIO_LEVEL))
        if backend is not None:
            backend.on_audio_received(self._on_audio)
            backend.on_client_disconnected(self._on_disconnected)
            backend.on_barge_in(self._on_backend_barge_in)

    # -- what the channel is ---------------------------------------------------------------
    @property
    def backend(self) -> VoiceBackend | None:
        """The audio transport."""
        return self._rt.backend

    @property
    def stt(self) -> STTProvider | None:
        """The speech-to-text provider."""
        return self._rt.stt

    @property
    def tts(self) -> TTSProvider | None:
        """The text-to-speech provider."""
        return self._rt.tts

    @property
    def pipeline(self) -> AudioPipeline:
        """The audio pipeline every session's audio runs through."""
        return self._pipeline

    @property
    def interruption(self) -> InterruptionConfig:
        """The barge-in policy."""
        return self._rt.interruption

    @property
    def provider_name(self) -> str | None:
        """The backend's name."""
        return self._rt.backend.name if self._rt.backend is not None else None

    @property
    def supports_streaming_delivery(self) -> bool:
        """Streamed replies (:meth:`deliver_stream`) are spoken sentence by sentence."""
        return True

    def capabilities(self) -> ChannelCapabilities:
        """Text (spoken) and audio."""
        return ChannelCapabilities(
            media_types=[ChannelMediaType.TEXT, ChannelMediaType.AUDIO], supports_audio=True
        )

    def info(self) -> dict[str, object]:
        """Providers and live sessions, for diagnostics."""
        rt = self._rt
        return {
            **super().info(),
            "backend": rt.backend.name if rt.backend else None,
            "stt": rt.stt.name if rt.stt else None,
            "tts": rt.tts.name if rt.tts else None,
            "interruption": str(rt.interruption.strategy),
            "sessions": len(self._live),
        }

    def on_register(self, engine: Any) -> None:
        """Keep the engine: the channel fires hooks and sends transcripts through it."""
        self._hooks.engine = engine

    def set_framework(self, framework: Any) -> None:
        """RoomKit 0.6.7's name of :meth:`on_register` (``register_channel`` calls it)."""
        self.on_register(framework)

    # -- sessions --------------------------------------------------------------------------
    def bind_session(
        self, session: VoiceSession, room_id: str, binding: ChannelBinding | None
    ) -> None:
        """Attach ``session`` to ``room_id``: its audio is heard, replies are spoken to it."""
        if not isinstance(session, VoiceSession):
            raise VoiceSessionError(f"expected a VoiceSession, got {type(session).__name__}")
        if session.id in self._live:
            raise VoiceSessionError(f"voice session {session.id!r} is already bound")
        if not session.is_active:
            raise VoiceSessionError(f"voice session {session.id!r} has ended")
        rt = self._rt
        self._pipeline.on_session_active(session)
        stages = self._pipeline.stages(session)
        handler = InterruptionHandler(
            rt.interruption, backchannel_detector=stages.backchannel_detector, session=session
        )
        holder: list[LiveSession] = []
        player = Player(rt, session, room_id, on_first_audio=lambda: self._first_audio(holder))
        turns = TurnTaker(
            rt,
            session,
            room_id,
            route=lambda text, result: route_transcript(rt, holder[0], text, result),
            gate=lambda text: barge_in_gate(rt, holder[0], text),
            turn_detector=stages.turn_detector,
            max_hold_ms=self._max_hold_ms,
        )
        live = LiveSession(session, room_id, binding, player, turns, handler)
        live.window_start = rt.clock()
        holder.append(live)
        self._live[session.id] = live

    def unbind_session(self, session: VoiceSession) -> LiveSession | None:
        """Detach ``session`` (its pipeline state is released); returns its state, if bound.
        Await :meth:`disconnect_session` instead to also stop its playback and workers."""
        live = self._live.pop(session.id, None)
        if live is None:
            return None
        self._ended[session.id] = live.room_id
        while len(self._ended) > _ENDED_MEMORY:
            self._ended.popitem(last=False)
        if live.stream is not None:
            live.stream.task.cancel()
        self._pipeline.on_session_ended(session)
        return live

    async def connect_session(self, session: Any, room_id: str, binding: ChannelBinding) -> None:
        """Bind ``session`` to ``room_id`` and fire ``ON_SESSION_STARTED``."""
        self.bind_session(session, room_id, binding)
        await self._pipeline.drain()  # ON_RECORDING_STARTED (if recording) comes first
        event = SessionStartedEvent(
            room_id, self.channel_id, ChannelType.VOICE, session.participant_id, session
        )
        await self._hooks.fire(HookTrigger.ON_SESSION_STARTED, event, session, room_id)

    async def disconnect_session(self, session: Any, room_id: str) -> None:
        """End ``session``: stop its playback and transcription, hang up on the backend."""
        await self._end(session)
        backend = self._rt.backend
        if backend is not None and session.is_active:
            await backend.disconnect(session)

    async def _end(self, session: VoiceSession) -> None:
        """Unbind ``session`` and stop its workers; a reply it was hearing is cancelled."""
        live = self._live.get(session.id)
        if live is None:
            return
        playing = live.player.is_playing()
        text, position = live.player.heard()
        self.unbind_session(session)
        await live.player.close()
        await live.turns.close()
        await self._pipeline.drain()  # ON_RECORDING_STOPPED, if recording
        if playing:
            cancelled = TTSCancelledEvent(session, "disconnect", text, position)
            await self._hooks.fire(HookTrigger.ON_TTS_CANCELLED, cancelled, session, live.room_id)

    def sessions(self, room_id: str | None = None) -> list[VoiceSession]:
        """The bound sessions (of ``room_id`` when given)."""
        return [
            live.session
            for live in self._live.values()
            if room_id is None or live.room_id == room_id
        ]

    def session_room(self, session_id: str) -> str | None:
        """The room a (live or recently ended) session is bound to."""
        live = self._live.get(session_id)
        return live.room_id if live is not None else self._ended.get(session_id)

    def resolve_trace_room(self, session_id: str | None) -> str | None:
        """The room of a session's protocol traces."""
        return self.session_room(session_id) if session_id else None

    def update_binding(self, room_id: str, binding: ChannelBinding) -> None:
        """Keep the sessions of ``room_id`` on the kit's new binding."""
        for live in self._live.values():
            if live.room_id == room_id:
                live.binding = binding

    def turn_latencies_ms(self, session: VoiceSession) -> list[float]:
        """End of speech -> first audio byte of the reply, per turn of ``session``."""
        return list(self._state(session).latencies_ms)

    async def drain(self, session: VoiceSession | None = None) -> None:
        """Wait until queued transcriptions and playback are done (of ``session``, or all)."""
        lives = [self._state(session)] if session is not None else list(self._live.values())
        for live in lives:
            await live.turns.idle()
            await live.player.idle()

    def _state(self, session: VoiceSession) -> LiveSession:
        live = self._live.get(getattr(session, "id", ""))
        if live is None:
            raise VoiceSessionError(
                f"voice session {getattr(session, 'id', session)!r} is not bound to channel "
                f"{self.channel_id!r} (connect it with kit.connect_voice)"
            )
        return live

    # -- outbound --------------------------------------------------------------------------
    async def deliver(
        self, event: RoomEvent, binding: ChannelBinding, context: RoomContext
    ) -> ChannelOutput:
        """Speak ``event``'s text to every session of the room (queued per session)."""
        if event.source.channel_id == self.channel_id:
            return ChannelOutput.empty()
        text = self.extract_text(event)
        if not text.strip():
            return ChannelOutput.empty()
        voice = self._rt.voice_for(event, context.room.id)
        for live in list(self._live.values()):
            if live.room_id != context.room.id:
                continue
            try:
                live.player.submit(Utterance(text=text, voice=voice, event=event))
            except VoiceSessionError as exc:
                await self._rt.report("playback queue", exc, live.session, live.room_id)
        return ChannelOutput.empty()

    async def deliver_stream(
        self,
        text_stream: AsyncIterator[str],
        event: RoomEvent,
        binding: ChannelBinding,
        context: RoomContext,
    ) -> ChannelOutput:
        """Speak a streamed reply: each sentence is queued as soon as it is complete."""
        room_id = context.room.id
        voice = self._rt.voice_for(event, room_id)
        async for sentence in split_sentences(text_stream):
            for live in list(self._live.values()):
                if live.room_id != room_id:
                    continue
                try:
                    live.player.submit(Utterance(text=sentence, voice=voice, event=event))
                except VoiceSessionError as exc:
                    await self._rt.report("playback queue", exc, live.session, room_id)
        return ChannelOutput.empty()

    async def say(self, session: VoiceSession, text: str, *, voice: str | None = None) -> None:
        """Speak ``text`` to ``session`` (through ``BEFORE_TTS``); returns once it was played
        or interrupted."""
        if not isinstance(text, str):
            raise ConfigurationError("say() needs text (a str)")
        live = self._state(session)
        utterance = live.player.submit(
            Utterance(text=text, voice=voice or self._rt.room_voices.get(live.room_id))
        )
        await utterance.done

    async def play(
        self,
        session: VoiceSession,
        audio: bytes | AudioFrame | AudioChunk | AudioContent,
        *,
        text: str | None = None,
    ) -> None:
        """Play ready audio to ``session`` (PCM16 bytes are taken as 16 kHz mono); ``text``
        is what it says (reported if it is interrupted). Returns once played or interrupted."""
        if self._rt.backend is None:
            raise VoiceBackendNotConfiguredError(
                f"voice channel {self.channel_id!r} has no backend"
            )
        frame = (
            AudioFrame(bytes(audio)) if isinstance(audio, bytes | bytearray) else as_frame(audio)
        )
        live = self._state(session)
        utterance = live.player.submit(Utterance(text=text, audio=frame))
        utterance.spoken = text or ""
        await utterance.done

    async def interrupt(self, session: VoiceSession, *, reason: str = "explicit") -> bool:
        """Stop what ``session`` hears now (and what is queued); fires ``ON_TTS_CANCELLED``.
        Returns False when nothing was playing."""
        live = self._state(session)
        result = await live.player.cancel(flush=self._rt.interruption.flush_partial_tts)
        if result is None:
            return False
        text, position = result
        why: Any = (
            reason if reason in ("barge_in", "explicit", "disconnect", "error") else "explicit"
        )
        event = TTSCancelledEvent(session, why, text, position)
        await self._hooks.fire(HookTrigger.ON_TTS_CANCELLED, event, session, live.room_id)
        return True

    def update_voice_map(self, entries: Mapping[str, str]) -> None:
        """Set TTS voices per agent channel id (merged into the current map)."""
        self._rt.voice_map.update({k: v for k, v in entries.items() if v})

    async def apply_agent_handoff(
        self,
        room_id: str,
        agent: Channel,
        *,
        system_prompt: str | None = None,
        voice: str | None = None,
        greet: bool = False,
        language: str | None = None,
    ) -> None:
        """The room's new agent speaks with its own voice (its greeting, when the handoff
        handler sends one, arrives as a room event and is spoken like any reply)."""
        if voice:
            self._rt.voice_map[agent.channel_id] = voice
            self._rt.room_voices[room_id] = voice
        if language:
            self._rt.room_languages[room_id] = language

    async def set_language(self, room_id: str, language: str) -> None:
        """Record the room's language (sent with each transcript's metadata)."""
        self._rt.room_languages[room_id] = language

    async def close(self) -> None:
        """End every session and close the pipeline."""
        for live in list(self._live.values()):
            await self._end(live.session)
        self._pipeline.close()

    # -- inbound ---------------------------------------------------------------------------
    async def _on_audio(self, session: VoiceSession, frame: AudioFrame) -> None:
        live = self._live.get(session.id)
        if live is None:
            return
        if self._max_fps is not None and not live.admit(self._rt.clock(), self._max_fps):
            return
        if self._batch:
            live.buffer(frame, MAX_BATCH_SECONDS)
            return
        try:
            await self._pipeline.process_inbound_async(session, frame)
        except (AudioFormatError, VoiceSessionError) as exc:
            live.format_errors += 1
            if live.format_errors == 1:
                await self._rt.report("inbound audio", exc, session, live.room_id)
            return
        live.format_errors = 0
        await live.turns.tick()

    def stt_buffer_size(self, session: VoiceSession) -> int:
        """Bytes of audio buffered for :meth:`flush_stt` (batch mode)."""
        return len(self._state(session).batch)

    def clear_stt_buffer(self, session: VoiceSession) -> None:
        """Drop the audio buffered for :meth:`flush_stt`."""
        live = self._state(session)
        live.batch.clear()
        live.batch_format = None

    async def flush_stt(self, session: VoiceSession, *, route: bool = False) -> str:
        """Transcribe the buffered audio of ``session`` (batch mode) and clear the buffer;
        with ``route=True`` the transcript is handled as a turn (hooks, then the room)."""
        live = self._state(session)
        if not live.batch:
            return ""
        rate, channels = live.batch_format or (16000, 1)
        audio = AudioFrame(bytes(live.batch), rate, channels)
        self.clear_stt_buffer(session)
        result = await live.turns.transcribe(audio)
        if route:
            await live.turns.heard(result, audio.duration_ms)
        return result.text

    async def _on_pipeline_event(self, session: VoiceSession, event: Any) -> None:
        live = self._live.get(session.id)
        room_id = live.room_id if live is not None else self._ended.get(session.id)
        if room_id is None:
            return
        trigger = PIPELINE_TRIGGERS.get(type(event))
        if trigger is not None:
            await self._hooks.fire(trigger, event, session, room_id)
        if isinstance(event, DTMFDetectedEvent | RecordingStartedEvent | RecordingStoppedEvent):
            await store_signal(self._rt, session, room_id, event)
        if live is None:
            return
        if isinstance(event, SpeechStartEvent):
            await self._speech_started(live, event)
        elif isinstance(event, SpeechEndEvent):
            self._speech_ended(live, event)

    async def _speech_started(self, live: LiveSession, event: SpeechStartEvent) -> None:
        rt = self._rt
        live.in_speech, live.speech_ms, live.speech_ended_at = True, 0.0, None
        live.confirming = live.awaiting_transcript = False
        stt = rt.stt
        if self._streaming and stt is not None and stt.supports_streaming:
            live.stream = SpeechStream(rt, live.session, live.room_id)
            # the utterance's audio from before speech was confirmed (pre-roll and the VAD's
            # onset): without it a streaming STT misses the first word
            if event.preroll is not None:
                live.stream.feed(event.preroll)
        if live.player.is_playing():
            await consider_barge_in(self._rt, live)

    def _speech_ended(self, live: LiveSession, event: SpeechEndEvent) -> None:
        live.in_speech = live.confirming = False
        live.speech_ended_at = self._rt.clock()
        stream, live.stream = live.stream, None
        if stream is not None:
            stream.close(event.audio)
        live.turns.submit(event.audio, event.duration_ms, stream)

    async def _on_speech_frame(self, session: VoiceSession, frame: AudioFrame) -> None:
        live = self._live.get(session.id)
        if live is None:
            return
        live.speech_ms += frame.duration_ms
        if live.stream is not None:
            live.stream.feed(frame)
        if live.confirming:
            await consider_barge_in(self._rt, live)

    async def _on_pipeline_error(self, session: VoiceSession, error: BaseException) -> None:
        live = self._live.get(session.id)
        if live is not None:
            await self._rt.report("audio pipeline", error, session, live.room_id)

    def _level_hook(self, trigger: HookTrigger) -> Callable[..., Any]:
        async def fire(session: VoiceSession, event: AudioLevelEvent) -> None:
            live = self._live.get(session.id)
            if live is not None:
                await self._hooks.fire(trigger, event, session, live.room_id)

        return fire

    # -- barge-in --------------------------------------------------------------------------
    async def _on_backend_barge_in(self, session: VoiceSession) -> None:
        live = self._live.get(session.id)
        if live is None:
            return
        live.speech_ms = max(live.speech_ms, float(self._rt.interruption.min_speech_ms))
        await consider_barge_in(self._rt, live)

    async def _on_disconnected(self, session: VoiceSession) -> None:
        await self._end(session)

    # -- turns -----------------------------------------------------------------------------
    def _first_audio(self, holder: list[LiveSession]) -> None:
        live = holder[0]
        if live.speech_ended_at is not None:
            live.latencies_ms.append((self._rt.clock() - live.speech_ended_at) * 1000.0)
            live.speech_ended_at = None
