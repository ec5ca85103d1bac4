"""The audio pipeline: runs each session's frames through its own stage instances.

Inbound:  resampler -> recorder -> AEC -> AGC -> denoiser -> VAD -> diarization (+ DTMF)
Outbound: post-processors -> recorder -> AEC reference -> resampler

The pipeline is what a voice channel sits on: a backend hands it frames, it reports speech,
silence, levels, speakers, DTMF and recordings through callbacks (``on_event`` for typed
:mod:`roomkit.voice.events`, or RoomKit 0.6.7's per-kind ``on_speech_end`` ...), and it never
blocks the event loop on a stage that declares itself ``blocking``
(:meth:`AudioPipeline.process_inbound_async`). Timing comes from the audio itself (sample
counts), plus an injectable ``clock`` for the per-frame cost it measures.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from typing import Any

from roomkit.errors import (
    AudioFormatError,
    AudioStageError,
    ConfigurationError,
    VoiceSessionError,
)
from roomkit.voice.audio_frame import AudioFrame
from roomkit.voice.base import VoiceCapability, VoiceSession, VoiceSessionState
from roomkit.voice.events import RecordingStartedEvent, RecordingStoppedEvent
from roomkit.voice.pipeline.chain import ChainContext, end_speech, fail, run_inbound, run_outbound
from roomkit.voice.pipeline.config import STAGE_FIELDS, AudioPipelineConfig
from roomkit.voice.pipeline.debug_taps import DebugTapSession
from roomkit.voice.pipeline.emitter import Emitter, Entry
from roomkit.voice.pipeline.recorder.base import RecordingMode, RecordingTrigger
from roomkit.voice.pipeline.session import SessionStages, SessionState, SessionStats
from roomkit.voice.pipeline.vad.base import VADEventType

__all__ = ["AudioPipeline"]

logger = logging.getLogger("roomkit.voice.pipeline")

Callback = Callable[..., Any]


class AudioPipeline:
    """Processes audio frames per session through the configured stages.

    * ``backend_capabilities``: ``NATIVE_AEC`` / ``NATIVE_AGC`` skip the AEC / AGC stage.
    * ``backend_feeds_aec_reference``: the backend feeds played audio to the AEC itself
      (:meth:`feed_aec_reference`), so outbound frames are not fed again.
    * ``clock``: seconds, for the per-frame processing cost in :meth:`stats`.

    Callbacks may be sync or async; they receive ``(session, payload)``.
    """

    def __init__(
        self,
        config: AudioPipelineConfig,
        *,
        backend_capabilities: VoiceCapability = VoiceCapability.NONE,
        backend_feeds_aec_reference: bool = False,
        clock: Callable[[], float] = time.perf_counter,
    ) -> None:
        if not isinstance(config, AudioPipelineConfig):
            raise ConfigurationError(
                f"AudioPipeline needs an AudioPipelineConfig, got {type(config).__name__}"
            )
        self._config = config
        self._clock = clock
        self._emitter = Emitter()
        contract = config.contract
        self._ctx = ChainContext(
            emitter=self._emitter,
            native_aec=bool(backend_capabilities & VoiceCapability.NATIVE_AEC),
            native_agc=bool(backend_capabilities & VoiceCapability.NATIVE_AGC),
            reference_elsewhere=backend_feeds_aec_reference,
            internal=config.internal_format,
            outbound=contract.transport_outbound_format if contract and config.resampler else None,
            level_interval_ms=config.audio_level_interval_ms,
        )
        self._sessions: dict[str, SessionState] = {}
        self._parent_spans: dict[str, str] = {}
        self._closed = False

    @property
    def config(self) -> AudioPipelineConfig:
        """The configuration the pipeline was built with."""
        return self._config

    # -- callbacks ---------------------------------------------------------------------------

    def on_event(self, callback: Callback) -> None:
        """``callback(session, event)`` for every typed event (:data:`~roomkit.voice.events.
        VoiceEvent`): speech start/end (with the utterance audio), silence, VAD level, speaker
        change, DTMF, recording started/stopped. Periodic input/output levels are opt-in:
        :meth:`on_input_level` / :meth:`on_output_level`."""
        self._emitter.add("event", callback)

    def on_error(self, callback: Callback) -> None:
        """``callback(session, AudioStageError)`` when a stage fails or stalls (once per
        failure streak; counts are in :meth:`stats`)."""
        self._emitter.add("error", callback)

    def on_vad_event(self, callback: Callback) -> None:
        """``callback(session, VADEvent)`` for every VAD event; ``SPEECH_END`` carries the
        utterance in ``audio_bytes`` even when the VAD did not buffer it."""
        self._emitter.add("vad", callback)

    def on_speech_end(self, callback: Callback) -> None:
        """``callback(session, audio_bytes)``: an utterance ended (PCM16 in the session's
        processed format)."""
        self._emitter.add("speech_end", callback)

    def on_speech_frame(self, callback: Callback) -> None:
        """``callback(session, frame)`` for each processed frame while speech is ongoing."""
        self._emitter.add("speech_frame", callback)

    def on_processed_frame(self, callback: Callback) -> None:
        """``callback(session, frame)`` for every processed inbound frame."""
        self._emitter.add("processed", callback)

    def on_speaker_change(self, callback: Callback) -> None:
        """``callback(session, DiarizationResult)`` when the speaker changes."""
        self._emitter.add("speaker", callback)

    def on_dtmf(self, callback: Callback) -> None:
        """``callback(session, DTMFEvent)`` for each detected key press."""
        self._emitter.add("dtmf", callback)

    def on_recording_started(self, callback: Callback) -> None:
        """``callback(session, RecordingHandle)`` when a session's recording starts."""
        self._emitter.add("recording_started", callback)

    def on_recording_stopped(self, callback: Callback) -> None:
        """``callback(session, RecordingResult)`` when a session's recording stops."""
        self._emitter.add("recording_stopped", callback)

    def on_input_level(self, callback: Callback) -> None:
        """``callback(session, AudioLevelEvent)`` every ``audio_level_interval_ms`` of input."""
        self._emitter.add("input_level", callback)

    def on_output_level(self, callback: Callback) -> None:
        """``callback(session, AudioLevelEvent)`` every ``audio_level_interval_ms`` of output."""
        self._emitter.add("output_level", callback)

    # -- sessions ----------------------------------------------------------------------------

    def on_session_active(self, session: VoiceSession) -> None:
        """Prepare ``session``: bind its stage instances and start recording if configured."""
        entries: list[Entry] = []
        self._open(session, entries)
        self._emitter.dispatch(entries)

    def on_session_ended(self, session: VoiceSession) -> None:
        """Release ``session``: stop its recording, close its stage instances.

        Speech still in progress is dropped; call :meth:`flush` first to keep it.
        """
        st = self._sessions.pop(session.id, None)
        if st is None:
            return
        entries: list[Entry] = []
        st.segmenter.clear()
        self._stop_recording(st, entries)
        st.stages.close()
        if st.taps is not None:
            st.taps.close()
        self._end_span(st)
        self._emitter.dispatch(entries)

    def flush(self, session: VoiceSession) -> None:
        """End of input for ``session``: end speech in progress and emit the utterance."""
        st = self._sessions.get(session.id)
        if st is None:
            return
        entries: list[Entry] = []
        event = None
        vad = st.stages.vad
        if vad is not None:
            try:
                event = vad.flush()
            except Exception as exc:
                fail(st, "vad", exc, entries)
        if st.segmenter.in_speech or (
            event is not None and event.type is VADEventType.SPEECH_END and event.audio_bytes
        ):
            ended = event if event is not None and event.type is VADEventType.SPEECH_END else None
            end_speech(self._ctx, st, ended, None, entries)
        self._emitter.dispatch(entries)

    def set_parent_span(self, session_id: str, span_id: str) -> None:
        """Parent the telemetry span of ``session_id`` (opened when the session becomes
        active) under ``span_id``, e.g. the voice channel's session span."""
        self._parent_spans[session_id] = span_id

    @property
    def session_ids(self) -> list[str]:
        """Ids of the sessions the pipeline holds state for."""
        return list(self._sessions)

    def stages(self, session: VoiceSession) -> SessionStages:
        """The stage instances serving ``session``."""
        return self._known(session).stages

    def stats(self, session: VoiceSession) -> SessionStats:
        """Counters of ``session``: frames, utterances, drops, stage failures, processing cost."""
        return self._known(session).stats

    def _known(self, session: VoiceSession) -> SessionState:
        st = self._sessions.get(session.id)
        if st is None:
            raise VoiceSessionError(
                f"the pipeline holds no state for voice session {session.id!r} (not active yet, "
                "or ended)"
            )
        return st

    # -- inbound -----------------------------------------------------------------------------

    def process_frame(self, session: VoiceSession, frame: AudioFrame) -> None:
        """Process one inbound frame now, on the calling thread (RoomKit 0.6.7's entry point).

        Callbacks run before this returns (async ones are scheduled as tasks). Use
        :meth:`process_inbound_async` from a backend callback: it keeps heavy stages off the
        event loop and awaits async callbacks in order.
        """
        if type(frame) is not AudioFrame:
            _check_frame(frame)
        if not frame.data:
            return
        st = self._sessions.get(session.id) or self._state(session)
        entries: list[Entry] = []
        self._inbound(st, frame, entries)
        if entries:
            self._emitter.dispatch(entries)

    process_inbound = process_frame

    async def process_inbound_async(self, session: VoiceSession, frame: AudioFrame) -> None:
        """Process one inbound frame without blocking the event loop.

        Frames of one session are processed in arrival order. When a stage is ``blocking``,
        the chain runs in a worker thread; if it takes longer than ``stage_timeout`` the
        session's frames are dropped (and counted) until it returns, and an
        :class:`~roomkit.errors.AudioStageError` is reported.
        """
        st = self._entry(session, frame)
        if st is None:
            return
        async with st.lock:
            entries: list[Entry] = []
            if st.stalled is not None:
                if not st.stalled.done():
                    st.stats.dropped_frames += 1
                    return
                st.stalled = None
            if st.blocking:
                loop = asyncio.get_running_loop()
                future = loop.run_in_executor(None, self._inbound, st, frame, entries)
                done, _ = await asyncio.wait({future}, timeout=self._config.stage_timeout)
                if not done:
                    st.stalled = future
                    future.add_done_callback(_consume)
                    self._report_stall(st, entries)
                else:
                    future.result()
            else:
                self._inbound(st, frame, entries)
            if entries:
                await self._emitter.adispatch(entries)

    def _entry(self, session: VoiceSession, frame: AudioFrame) -> SessionState | None:
        if type(frame) is not AudioFrame:
            _check_frame(frame)
        if not frame.data:
            return None
        return self._sessions.get(session.id) or self._state(session)

    def _inbound(self, st: SessionState, frame: AudioFrame, entries: list[Entry]) -> None:
        clock = self._clock
        started = clock()
        try:
            run_inbound(self._ctx, st, frame, entries)
        finally:
            elapsed = clock() - started  # inlined _account: this runs for every frame
            stats = st.stats
            stats.processing_seconds += elapsed
            if elapsed > stats.max_frame_seconds:
                stats.max_frame_seconds = elapsed

    def _report_stall(self, st: SessionState, entries: list[Entry]) -> None:
        st.stats.stage_failures["stalled"] = st.stats.stage_failures.get("stalled", 0) + 1
        error = AudioStageError(
            f"audio chain of session {st.session.id!r} took longer than "
            f"{self._config.stage_timeout} s; dropping its frames until it returns",
            stage="stalled",
            session_id=st.session.id,
        )
        logger.warning("%s", error)
        entries.append(("error", st.session, error))

    # -- outbound ----------------------------------------------------------------------------

    def process_outbound(self, session: VoiceSession, frame: AudioFrame) -> AudioFrame:
        """Process one outbound (playback) frame and return what to send to the transport."""
        st = self._entry(session, frame)
        if st is None:
            return frame
        entries: list[Entry] = []
        clock = self._clock
        started = clock()
        try:
            result = run_outbound(self._ctx, st, frame, entries)
        finally:
            _account(st.stats, clock() - started)
        if entries:
            self._emitter.dispatch(entries)
        return result

    def enable_playback_aec_feed(self) -> None:
        """The playback path will call :meth:`feed_aec_reference` itself from now on."""
        self._ctx.reference_elsewhere = True

    def feed_aec_reference(self, frame: AudioFrame, session: VoiceSession | None = None) -> None:
        """Feed a played frame to the AEC of ``session`` (or of the only session)."""
        if session is None:
            if not self._sessions:
                return
            if len(self._sessions) > 1:
                raise VoiceSessionError(
                    "feed_aec_reference: several sessions are active; pass session= to say "
                    "whose playback this frame is"
                )
            st = next(iter(self._sessions.values()))
        else:
            st = self._state(session)
        aec = st.stages.aec
        if aec is None or self._ctx.native_aec:
            return
        entries: list[Entry] = []
        try:
            aec.feed_reference(frame)
        except Exception as exc:
            fail(st, "aec", exc, entries)
        self._emitter.dispatch(entries)

    # -- whole pipeline ----------------------------------------------------------------------

    def reset(self) -> None:
        """Reset every session's stages and buffers (recordings keep running)."""
        for st in self._sessions.values():
            st.stages.reset()
            st.segmenter.clear()
            st.last_speaker = None
            st.failing.clear()

    def close(self) -> None:
        """End every session, then close the configured stage templates."""
        if self._closed:
            return
        self._closed = True
        for st in list(self._sessions.values()):
            self.on_session_ended(st.session)
        templates = [getattr(self._config, name) for name in STAGE_FIELDS]
        for stage in [*templates, *self._config.postprocessors]:
            if stage is None:
                continue
            try:
                stage.close()
            except Exception:
                logger.exception("voice pipeline: closing %s failed", stage.name)

    async def drain(self) -> None:
        """Wait until async callbacks scheduled by the synchronous methods have finished."""
        await self._emitter.drain()

    # -- internals ---------------------------------------------------------------------------

    def _state(self, session: VoiceSession) -> SessionState:
        st = self._sessions.get(session.id)
        if st is not None:
            return st
        entries: list[Entry] = []
        st = self._open(session, entries)
        self._emitter.dispatch(entries)
        return st

    def _open(self, session: VoiceSession, entries: list[Entry]) -> SessionState:
        if self._closed:
            raise VoiceSessionError("the audio pipeline is closed")
        st = self._sessions.get(session.id)
        if st is not None:
            return st
        if session.state is VoiceSessionState.ENDED:
            raise VoiceSessionError(f"voice session {session.id!r} has ended; it takes no audio")
        st = SessionState(self._config, session)
        stages = st.stages
        ctx = self._ctx
        for role, stage, skip in (
            ("aec", stages.aec, ctx.native_aec),
            ("agc", stages.agc, ctx.native_agc),
            ("denoiser", stages.denoiser, False),
        ):
            if stage is not None and not skip:
                st.transforms.append((role, stage.process))
        self._sessions[session.id] = st
        config = self._config
        if config.debug_taps is not None:
            st.taps = DebugTapSession(config.debug_taps, session.id)
        if st.telemetry is not None:
            st.span_id = st.telemetry.start_span(
                "roomkit.voice.pipeline",
                {"session_id": session.id, "room_id": session.room_id},
                parent_id=self._parent_spans.pop(session.id, None),
            )
        self._start_recording(st, entries)
        return st

    @staticmethod
    def _end_span(st: SessionState) -> None:
        if st.telemetry is None or st.span_id is None:
            return
        stats = st.stats
        attributes = {
            "frames_in": stats.frames_in,
            "frames_out": stats.frames_out,
            "utterances": stats.utterances,
            "dropped_frames": stats.dropped_frames,
            "stage_failures": sum(stats.stage_failures.values()),
            "processing_ms": round(stats.processing_seconds * 1000, 3),
            "max_frame_ms": round(stats.max_frame_seconds * 1000, 3),
        }
        st.telemetry.end_span(st.span_id, attributes=attributes)
        st.span_id = None

    def _start_recording(self, st: SessionState, entries: list[Entry]) -> None:
        recorder = st.stages.recorder
        config = self._config.recording_config
        if recorder is None or config is None:
            return
        try:
            handle = recorder.start(st.session, config)
        except Exception as exc:
            fail(st, "recorder", exc, entries)
            return
        st.recording = handle
        st.record_inbound = config.mode is not RecordingMode.OUTBOUND_ONLY
        st.record_outbound = config.mode is not RecordingMode.INBOUND_ONLY
        st.record_speech_only = config.trigger is RecordingTrigger.SPEECH_ONLY
        session = st.session
        wants = self._emitter.wants
        if "recording_started" in wants:
            entries.append(("recording_started", session, handle))
        if "event" in wants:
            entries.append(("event", session, RecordingStartedEvent(session, handle.id)))

    def _stop_recording(self, st: SessionState, entries: list[Entry]) -> None:
        handle = st.recording
        recorder = st.stages.recorder
        if handle is None or recorder is None:
            return
        st.recording = None
        try:
            result = recorder.stop(handle)
        except Exception as exc:
            fail(st, "recorder", exc, entries)
            return
        session = st.session
        wants = self._emitter.wants
        if "recording_stopped" in wants:
            entries.append(("recording_stopped", session, result))
        if "event" in wants:
            event = RecordingStoppedEvent(
                session, result.id, tuple(result.urls), result.duration_seconds
            )
            entries.append(("event", session, event))


def _account(stats: SessionStats, seconds: float) -> None:
    stats.processing_seconds += seconds
    if seconds > stats.max_frame_seconds:
        stats.max_frame_seconds = seconds


def _check_frame(frame: object) -> None:
    if not isinstance(frame, AudioFrame):
        raise AudioFormatError(f"expected an AudioFrame, got {type(frame).__name__}")


def _consume(future: asyncio.Future[Any]) -> None:
    """Retrieve a stalled chain's late exception so asyncio does not log it as unhandled."""
    if not future.cancelled() and future.exception() is not None:
        logger.warning("voice pipeline: a stalled chain finished with %r", future.exception())
