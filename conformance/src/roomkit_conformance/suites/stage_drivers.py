"""Drivers: feed frames to a stage of any role, check every output, return comparable values.

The audio-stage suite runs its common checks (format invariants, empty and silent input,
sample rates, reset, session isolation, latency) through these, whatever the role.
"""

from __future__ import annotations

import contextlib
from typing import Any

from roomkit.errors import AudioFormatError
from roomkit.voice.audio_frame import AudioFrame
from roomkit.voice.base import VoiceSession
from roomkit.voice.pcm import check_pcm16
from roomkit.voice.pipeline.diarization.base import DiarizationResult
from roomkit.voice.pipeline.dtmf.base import DTMF_DIGITS, DTMFEvent
from roomkit.voice.pipeline.recorder.base import RecordingConfig, RecordingHandle
from roomkit.voice.pipeline.vad.base import VADEvent, VADEventType
from roomkit.voice.stage import AudioStage

__all__ = ["FRAME_ROLES", "Driver", "accepts", "driver_for", "empty_frame_ok", "feed_all"]

_START, _END = VADEventType.SPEECH_START, VADEventType.SPEECH_END


class Driver:
    """Feeds one stage instance; ``feed`` returns a comparable summary of its output."""

    def __init__(self, role: str, stage: Any, session: VoiceSession) -> None:
        self.role = role
        self.stage = stage
        self.session = session

    def feed(self, frame: AudioFrame) -> Any:
        raise NotImplementedError

    def finish(self) -> Any:
        """End of input (flush / stop); returns a comparable summary."""
        return None

    def reset(self) -> None:
        """Reset the stage (cancel what is in progress)."""
        self.stage.reset()


class TransformDriver(Driver):
    """AEC, AGC, denoiser, post-processor: a frame in, a frame of the same format out."""

    def feed(self, frame: AudioFrame) -> Any:
        if self.role == "aec":
            self.stage.feed_reference(frame)
        out = self.stage.process(frame)
        assert isinstance(out, AudioFrame), f"{self.role}.process returned {out!r:.80}"
        assert (out.sample_rate, out.channels) == (frame.sample_rate, frame.channels), (
            f"{self.role}.process changed the format to {out.sample_rate} Hz x {out.channels}"
        )
        check_pcm16(out.data, out.sample_rate, out.channels, what=f"{self.role} output")
        return out.data


class VADDriver(Driver):
    """VAD: events are VADEvents, starts and ends alternate, utterance audio is PCM16."""

    in_speech = False
    rate = 16000
    channels = 1

    def feed(self, frame: AudioFrame) -> Any:
        self.rate, self.channels = frame.sample_rate, frame.channels
        return self._check(self.stage.process(frame))

    def finish(self) -> Any:
        summary = self._check(self.stage.flush())
        assert not self.in_speech or summary is None, "flush() left speech open"
        return summary

    def reset(self) -> None:
        self.stage.reset()
        self.in_speech = False

    def _check(self, event: Any) -> Any:
        if event is None:
            return None
        assert isinstance(event, VADEvent), f"vad returned {event!r:.80}"
        assert isinstance(event.type, VADEventType)
        if event.type is _START:
            assert not self.in_speech, "SPEECH_START while speech was already in progress"
            self.in_speech = True
        elif event.type is _END:
            assert self.in_speech, "SPEECH_END without a SPEECH_START"
            self.in_speech = False
            if event.audio_bytes is not None:
                check_pcm16(event.audio_bytes, self.rate, self.channels, what="utterance")
        if event.confidence is not None:
            assert 0.0 <= event.confidence <= 1.0, f"confidence {event.confidence} outside 0-1"
        return (event.type.value, len(event.audio_bytes or b""))


class DiarizationDriver(Driver):
    def feed(self, frame: AudioFrame) -> Any:
        result = self.stage.process(frame)
        if result is None:
            return None
        assert isinstance(result, DiarizationResult), f"diarization returned {result!r:.80}"
        assert isinstance(result.speaker_id, str), "speaker_id must be a str"
        assert result.speaker_id, "empty speaker_id"
        assert 0.0 <= result.confidence <= 1.0
        return (result.speaker_id, result.is_new_speaker)


class DTMFDriver(Driver):
    def feed(self, frame: AudioFrame) -> Any:
        event = self.stage.process(frame)
        if event is None:
            return None
        assert isinstance(event, DTMFEvent), f"dtmf returned {event!r:.80}"
        assert event.digit in DTMF_DIGITS
        assert event.duration_ms >= 0
        return event.digit


class ResamplerDriver(Driver):
    """Converts to 16 kHz mono (8 kHz when the input already is 16 kHz)."""

    target = 16000

    def feed(self, frame: AudioFrame) -> Any:
        self.target = 8000 if frame.sample_rate == 16000 else 16000
        out = self.stage.resample(frame, self.target, 1, 2)
        return self._check(out)

    def finish(self) -> Any:
        tail = self.stage.flush(self.target, 1, 2)
        return None if tail is None else self._check(tail)

    def _check(self, out: Any) -> Any:
        assert isinstance(out, AudioFrame), f"resample returned {out!r:.80}"
        assert (out.sample_rate, out.channels) == (self.target, 1), "wrong output format"
        return out.data


class RecorderDriver(Driver):
    """Starts a recording on the first frame, taps both directions, stops on finish."""

    handle: RecordingHandle | None = None

    def feed(self, frame: AudioFrame) -> Any:
        if self.handle is None:
            self.handle = self.stage.start(self.session, RecordingConfig())
            assert isinstance(self.handle, RecordingHandle)
            assert self.handle.session_id == self.session.id
        self.stage.tap_inbound(self.handle, frame)
        self.stage.tap_outbound(self.handle, frame)
        return None

    def finish(self) -> Any:
        if self.handle is None:
            return None
        result = self.stage.stop(self.handle)
        assert result.id == self.handle.id, "the result names another recording"
        assert result.duration_seconds >= 0
        assert result.size_bytes >= 0
        self.handle = None
        return round(result.duration_seconds, 2)


_DRIVERS: dict[str, type[Driver]] = {
    "vad": VADDriver,
    "aec": TransformDriver,
    "agc": TransformDriver,
    "denoiser": TransformDriver,
    "postprocessor": TransformDriver,
    "diarization": DiarizationDriver,
    "dtmf": DTMFDriver,
    "resampler": ResamplerDriver,
    "recorder": RecorderDriver,
}

#: Roles that process audio frame by frame (the others, turn and backchannel detectors,
#: take text and context).
FRAME_ROLES = frozenset(_DRIVERS)


def driver_for(role: str, stage: AudioStage, session: VoiceSession) -> Driver:
    """The driver of ``role`` around a bound ``stage`` instance."""
    return _DRIVERS[role](role, stage, session)


def feed_all(driver: Driver, frames: list[AudioFrame]) -> list[Any]:
    """Feed ``frames`` and finish; the list of summaries."""
    return [driver.feed(frame) for frame in frames] + [driver.finish()]


def accepts(stage: AudioStage, rate: int) -> bool:
    """Whether the stage declares it takes ``rate`` Hz."""
    rates = stage.supported_sample_rates
    return rates is None or rate in rates


def empty_frame_ok(driver: Driver, rate: int) -> None:
    """An empty frame gives a valid (possibly empty) result or a typed AudioFormatError."""
    with contextlib.suppress(AudioFormatError):
        driver.feed(AudioFrame(b"", rate))
