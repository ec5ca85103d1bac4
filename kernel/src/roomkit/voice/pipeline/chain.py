"""The per-frame work of the pipeline, as plain functions over one session's state.

``run_inbound`` and ``run_outbound`` call the session's stage instances in the documented
order and append what happened to ``out`` as ``(kind, session, payload)`` entries (see
:mod:`roomkit.voice.pipeline.emitter`); they never call user callbacks, so they can run in a
worker thread. A stage that raises or returns something invalid is reported once (an
``error`` entry with an :class:`~roomkit.errors.AudioStageError`), counted, and bypassed for
that frame: the session keeps running.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from roomkit.errors import AudioFormatError, AudioStageError
from roomkit.voice.audio_frame import AudioFrame
from roomkit.voice.events import (
    AudioLevelEvent,
    DTMFDetectedEvent,
    SpeakerChangeEvent,
    SpeechEndEvent,
    SpeechStartEvent,
    VADAudioLevelEvent,
    VADSilenceEvent,
)
from roomkit.voice.pcm import SAMPLE_WIDTH, SILENCE_DB, rms_db
from roomkit.voice.pipeline.config import AudioFormat
from roomkit.voice.pipeline.diarization.base import DiarizationResult
from roomkit.voice.pipeline.dtmf.base import DTMFEvent
from roomkit.voice.pipeline.emitter import Emitter, Entry
from roomkit.voice.pipeline.session import SessionState
from roomkit.voice.pipeline.vad.base import VADEvent, VADEventType

__all__ = ["ChainContext", "end_speech", "fail", "run_inbound", "run_outbound"]

logger = logging.getLogger("roomkit.voice.pipeline")

_START = VADEventType.SPEECH_START
_END = VADEventType.SPEECH_END
_SILENCE = VADEventType.SILENCE
_LEVEL = VADEventType.AUDIO_LEVEL


@dataclass
class ChainContext:
    """Pipeline-wide settings the chain reads on every frame."""

    emitter: Emitter
    native_aec: bool
    native_agc: bool
    #: True when the backend or the playback path feeds the AEC reference itself.
    reference_elsewhere: bool
    #: Inbound frames are resampled to this format (``None``: no inbound resampling).
    internal: AudioFormat | None
    #: Outbound frames are resampled to this format (``None``: no outbound resampling).
    outbound: AudioFormat | None
    level_interval_ms: int


def fail(st: SessionState, role: str, exc: BaseException, out: list[Entry]) -> None:
    """Count a stage failure; report it unless the stage is already known to be failing."""
    failures = st.stats.stage_failures
    failures[role] = failures.get(role, 0) + 1
    if st.telemetry is not None:
        st.telemetry.record_metric("roomkit.voice.stage_failures", 1, attributes={"stage": role})
    if role in st.failing:
        return
    st.failing.add(role)
    session_id = st.session.id
    error = AudioStageError(
        f"audio stage {role!r} failed on session {session_id!r}: {type(exc).__name__}: {exc}",
        stage=role,
        session_id=session_id,
    )
    error.__cause__ = exc
    logger.warning("%s", error)
    out.append(("error", st.session, error))


def _bad_output(st: SessionState, role: str, result: Any, out: list[Entry]) -> None:
    problem = AudioFormatError(
        f"returned {result!r:.80} instead of an AudioFrame in the input's format"
    )
    fail(st, role, problem, out)


def _differs(frame: AudioFrame, target: AudioFormat) -> bool:
    return frame.sample_rate != target.sample_rate or frame.channels != target.channels


def _resample(
    st: SessionState, resampler: Any, frame: AudioFrame, target: AudioFormat, out: list[Entry]
) -> AudioFrame | None:
    """``frame`` converted to ``target``, or ``None`` (and a failure) if the resampler fails."""
    try:
        converted = resampler.resample(frame, target.sample_rate, target.channels, SAMPLE_WIDTH)
    except Exception as exc:
        fail(st, "resampler", exc, out)
        return None
    if type(converted) is not AudioFrame or _differs(converted, target):
        fail(st, "resampler", AudioFormatError(f"returned {converted!r:.80}"), out)
        return None
    return converted


def _check_format(st: SessionState, frame: AudioFrame) -> None:
    fmt = (frame.sample_rate, frame.channels)
    if st.format == fmt:
        return
    if st.format is not None:
        raise AudioFormatError(
            f"session {st.session.id!r}: frame format changed from {st.format[0]} Hz x "
            f"{st.format[1]} to {fmt[0]} Hz x {fmt[1]} mid-stream; configure a resampler "
            "so the pipeline converts every frame to one internal format"
        )
    for role, stage in st.stages.items():
        rates = stage.supported_sample_rates
        if rates is not None and frame.sample_rate not in rates and "resampler" not in role:
            raise AudioFormatError(
                f"stage {role!r} ({stage.name}) takes {sorted(rates)} Hz, the session's audio "
                f"is {frame.sample_rate} Hz; configure a resampler (AudioPipelineContract)"
            )
    st.format = fmt
    st.rate, st.channels = fmt


def run_inbound(ctx: ChainContext, st: SessionState, frame: AudioFrame, out: list[Entry]) -> None:
    """Process one inbound frame: resampler, recorder, DTMF, AEC/AGC/denoiser, VAD, diarization."""
    stages = st.stages
    session = st.session
    wants = ctx.emitter.wants
    st.stats.frames_in += 1

    resampler = stages.inbound_resampler
    target = ctx.internal
    if resampler is not None and target is not None and _differs(frame, target):
        converted = _resample(st, resampler, frame, target, out)
        if converted is None:
            st.stats.dropped_frames += 1
            return
        frame = converted
        if not frame.data:
            return
    if frame.sample_rate != st.rate or frame.channels != st.channels:
        _check_format(st, frame)
    taps = st.taps
    if taps is not None:
        taps.tap("raw", frame)

    segmenter = st.segmenter
    if (
        st.recording is not None
        and st.record_inbound
        and (not st.record_speech_only or segmenter.in_speech)
    ):
        try:
            stages.recorder.tap_inbound(st.recording, frame)  # type: ignore[union-attr]
        except Exception as exc:
            fail(st, "recorder", exc, out)

    dtmf = stages.dtmf
    if dtmf is not None:
        try:
            press = dtmf.process(frame)
        except Exception as exc:
            fail(st, "dtmf", exc, out)
            press = None
        if press is not None:
            _emit_dtmf(st, press, wants, out)

    for role, process in st.transforms:
        try:
            result = process(frame)
        except Exception as exc:
            fail(st, role, exc, out)
            continue
        if (
            type(result) is AudioFrame
            and result.sample_rate == frame.sample_rate
            and result.channels == frame.channels
        ):
            if st.failing:
                st.failing.discard(role)
            frame = result
        else:
            _bad_output(st, role, result, out)
        if taps is not None:
            taps.tap(f"post_{role}", frame)

    vad = stages.vad
    if vad is not None:
        try:
            event = vad.process(frame)
        except Exception as exc:
            fail(st, "vad", exc, out)
            event = None
        if event is None:
            if segmenter.in_speech:
                if segmenter.add(frame):
                    _bound_reached(ctx, st, frame, out)
            else:
                segmenter.idle(frame)
        else:
            _on_vad_event(ctx, st, event, frame, out)
        if segmenter.in_speech and "speech_frame" in wants:
            out.append(("speech_frame", session, frame))

    diarization = stages.diarization
    if diarization is not None:
        try:
            speaker = diarization.process(frame)
        except Exception as exc:
            fail(st, "diarization", exc, out)
            speaker = None
        if speaker is not None and speaker.speaker_id != st.last_speaker:
            _emit_speaker(st, speaker, wants, out)

    if "input_level" in wants:
        st.inbound_level_ms += frame.duration_ms
        if st.inbound_level_ms >= ctx.level_interval_ms:
            st.inbound_level_ms = 0.0
            _emit_level(st, frame, "inbound", out)
    if "processed" in wants:
        out.append(("processed", session, frame))


def run_outbound(
    ctx: ChainContext, st: SessionState, frame: AudioFrame, out: list[Entry]
) -> AudioFrame:
    """Process one outbound frame: post-processors, recorder, AEC reference, resampler."""
    stages = st.stages
    st.stats.frames_out += 1
    taps = st.taps
    if taps is not None:
        taps.tap("outbound_raw", frame)
    for index, processor in enumerate(stages.postprocessors):
        role = f"postprocessor[{index}]"
        try:
            result = processor.process(frame)
        except Exception as exc:
            fail(st, role, exc, out)
            continue
        if type(result) is AudioFrame:
            frame = result
        else:
            fail(
                st, role, AudioFormatError(f"returned {result!r:.80} instead of an AudioFrame"), out
            )
    if st.recording is not None and st.record_outbound:
        try:
            stages.recorder.tap_outbound(st.recording, frame)  # type: ignore[union-attr]
        except Exception as exc:
            fail(st, "recorder", exc, out)
    aec = stages.aec
    if aec is not None and not ctx.native_aec and not ctx.reference_elsewhere:
        try:
            aec.feed_reference(frame)
        except Exception as exc:
            fail(st, "aec", exc, out)
    resampler = stages.outbound_resampler
    target = ctx.outbound
    if resampler is not None and target is not None and _differs(frame, target):
        frame = _resample(st, resampler, frame, target, out) or frame
    if taps is not None:
        taps.tap("outbound_final", frame)
    wants = ctx.emitter.wants
    if "output_level" in wants:
        st.outbound_level_ms += frame.duration_ms
        if st.outbound_level_ms >= ctx.level_interval_ms:
            st.outbound_level_ms = 0.0
            _emit_level(st, frame, "outbound", out)
    return frame


def _on_vad_event(
    ctx: ChainContext, st: SessionState, event: Any, frame: AudioFrame, out: list[Entry]
) -> None:
    segmenter = st.segmenter
    if not isinstance(event, VADEvent):
        fail(st, "vad", AudioFormatError(f"returned {event!r:.80} instead of a VADEvent"), out)
        if segmenter.in_speech:
            segmenter.add(frame)
        else:
            segmenter.idle(frame)
        return
    kind = event.type
    wants = ctx.emitter.wants
    session = st.session
    if kind is _START:
        if segmenter.in_speech:  # a repeated start: speech simply continues
            if segmenter.add(frame):
                _bound_reached(ctx, st, frame, out)
            return
        head = segmenter.start(frame, event.audio_bytes)
        if "vad" in wants:
            out.append(("vad", session, event))
        if "event" in wants:
            preroll = _preroll_frame(st, head, frame, out)
            started = SpeechStartEvent(session, event.confidence, preroll=preroll)
            out.append(("event", session, started))
        return
    if kind is _END:
        if segmenter.in_speech:
            segmenter.add(frame)
        elif not event.audio_bytes:
            logger.debug("session %s: SPEECH_END without SPEECH_START ignored", session.id)
            return
        end_speech(ctx, st, event, frame, out)
        return
    if segmenter.in_speech:
        if segmenter.add(frame):
            _bound_reached(ctx, st, frame, out)
    else:
        segmenter.idle(frame)
    if "vad" in wants:
        out.append(("vad", session, event))
    if "event" in wants:
        if kind is _SILENCE:
            silence = int(event.duration_ms or 0)
            out.append(("event", session, VADSilenceEvent(session, silence)))
        elif kind is _LEVEL:
            level = SILENCE_DB if event.level_db is None else event.level_db
            out.append(("event", session, VADAudioLevelEvent(session, level, segmenter.in_speech)))


def _preroll_frame(
    st: SessionState, head: bytes, frame: AudioFrame, out: list[Entry]
) -> AudioFrame | None:
    """The audio before the frame that started speech, as a frame of the stream's format."""
    if not head:
        return None
    try:
        return AudioFrame(head, frame.sample_rate, frame.channels)
    except AudioFormatError as exc:  # a VAD pre-roll that is not whole samples
        fail(st, "vad", exc, out)
        return None


def end_speech(
    ctx: ChainContext,
    st: SessionState,
    event: VADEvent | None,
    frame: AudioFrame | None,
    out: list[Entry],
) -> None:
    """Close the current utterance and emit it (VAD audio when it gave some, else ours)."""
    segmenter = st.segmenter
    started_at = segmenter.started_at_ms
    buffered = segmenter.end()
    rate, channels = st.format or (
        (frame.sample_rate, frame.channels) if frame is not None else (16000, 1)
    )
    audio = buffered
    if event is not None and event.audio_bytes:
        try:
            utterance = AudioFrame(event.audio_bytes, rate, channels, SAMPLE_WIDTH, started_at)
        except AudioFormatError as exc:
            fail(st, "vad", exc, out)
            utterance = AudioFrame(buffered, rate, channels, SAMPLE_WIDTH, started_at)
        else:
            audio = event.audio_bytes
    else:
        utterance = AudioFrame(buffered, rate, channels, SAMPLE_WIDTH, started_at)
    st.stats.utterances += 1
    if st.taps is not None:
        st.taps.tap_vad_speech(utterance.data, sample_rate=rate, channels=channels)
    wants = ctx.emitter.wants
    session = st.session
    duration = utterance.duration_ms
    if "vad" in wants:
        confidence = event.confidence if event is not None else None
        out.append(("vad", session, VADEvent(_END, audio, confidence, duration)))
    if "speech_end" in wants:
        out.append(("speech_end", session, audio))
    if "event" in wants:
        out.append(("event", session, SpeechEndEvent(session, utterance, duration)))


def _bound_reached(
    ctx: ChainContext, st: SessionState, frame: AudioFrame, out: list[Entry]
) -> None:
    """The utterance hit ``max_speech_duration_ms``: emit it and start a new one."""
    end_speech(ctx, st, None, frame, out)
    st.segmenter.start(frame.with_data(b""))
    wants = ctx.emitter.wants
    if "vad" in wants:
        out.append(("vad", st.session, VADEvent(_START)))
    if "event" in wants:
        out.append(("event", st.session, SpeechStartEvent(st.session)))


def _emit_dtmf(st: SessionState, press: Any, wants: frozenset[str], out: list[Entry]) -> None:
    if not isinstance(press, DTMFEvent):
        fail(st, "dtmf", AudioFormatError(f"returned {press!r:.80} instead of a DTMFEvent"), out)
        return
    session = st.session
    if "dtmf" in wants:
        out.append(("dtmf", session, press))
    if "event" in wants:
        event = DTMFDetectedEvent(session, press.digit, press.duration_ms, press.confidence)
        out.append(("event", session, event))


def _emit_speaker(st: SessionState, speaker: Any, wants: frozenset[str], out: list[Entry]) -> None:
    if not isinstance(speaker, DiarizationResult):
        fail(st, "diarization", AudioFormatError(f"returned {speaker!r:.80}"), out)
        return
    st.last_speaker = speaker.speaker_id
    session = st.session
    if "speaker" in wants:
        out.append(("speaker", session, speaker))
    if "event" in wants:
        event = SpeakerChangeEvent(
            session, speaker.speaker_id, speaker.confidence, speaker.is_new_speaker
        )
        out.append(("event", session, event))


def _emit_level(st: SessionState, frame: AudioFrame, direction: str, out: list[Entry]) -> None:
    session = st.session
    event = AudioLevelEvent(session, rms_db(frame.data), direction=direction)  # type: ignore[arg-type]
    out.append(("input_level" if direction == "inbound" else "output_level", session, event))
