"""Acoustic echo cancellation with WebRTC AEC3 (the ``aec-audio-processing`` binding)."""

from __future__ import annotations

import threading
from collections import deque
from typing import Any, ClassVar

from roomkit.errors import AudioFormatError, ConfigurationError
from roomkit.voice.audio_frame import AudioFrame
from roomkit.voice.pcm import SAMPLE_WIDTH
from roomkit.voice.pipeline.aec.base import AECProvider

__all__ = ["WebRTCAECProvider"]

#: Sample rates the WebRTC audio processing module runs at.
RATES = frozenset({8000, 16000, 32000, 48000})
#: WebRTC processes audio in steps of exactly 10 ms.
STEP_MS = 10
#: Most reference (played) audio kept waiting for microphone audio, in seconds.
MAX_REFERENCE_SECONDS = 2.0


def _processor(enable_ns: bool, enable_agc: bool) -> Any:
    # imported here: loading the native library is only needed once audio flows
    from aec_audio_processing import AudioProcessor

    return AudioProcessor(
        enable_aec=True, enable_ns=enable_ns, enable_agc=enable_agc, enable_vad=False
    )


class WebRTCAECProvider(AECProvider):
    """Removes the agent's own voice (played audio) from the caller's microphone signal with
    WebRTC's AEC3 (the echo canceller of Chrome and Android: adaptive filter, delay
    estimation, non-linear suppression, double-talk handling).

    ``sample_rate`` (8000, 16000, 32000 or 48000) and ``channels`` describe the stream (a
    stream at another of those rates is followed: the canceller starts over at its rate);
    ``stream_delay_ms`` is the expected delay between playing a frame and hearing it back
    (a hint: AEC3 estimates the delay itself). ``enable_ns`` / ``enable_agc`` also switch on
    WebRTC's noise suppression and gain control in the same pass.

    The pipeline feeds each played frame to :meth:`feed_reference` and each microphone frame
    to :meth:`process`. WebRTC works on 10 ms steps: microphone audio is processed step by
    step, each step right after the next 10 ms of reference audio (silence when nothing is
    playing), so a burst of reference audio (TTS faster than real time) stays aligned with the
    microphone. Frames of any length work; the output has the input's length (AEC3's filter
    bank delays it by 8 ms, plus up to 10 ms when frames are not a multiple of 10 ms).
    Reference audio waiting for the microphone is bounded (2 s; the oldest is dropped). While
    bypassed (``set_active(False)``)
    frames pass unchanged. Per-session state: the WebRTC processor and the queues.
    """

    supported_sample_rates: ClassVar[frozenset[int] | None] = RATES

    def __init__(
        self,
        sample_rate: int = 16000,
        channels: int = 1,
        stream_delay_ms: int = 0,
        enable_ns: bool = False,
        enable_agc: bool = False,
    ) -> None:
        if sample_rate not in RATES:
            raise ConfigurationError(
                f"WebRTCAECProvider runs at 8000, 16000, 32000 or 48000 Hz, got {sample_rate!r}; "
                "put a resampler in front"
            )
        if type(channels) is not int or not 1 <= channels <= 8:
            raise ConfigurationError(f"WebRTCAECProvider needs 1 to 8 channels, got {channels!r}")
        if type(stream_delay_ms) is not int or not 0 <= stream_delay_ms <= 500:
            raise ConfigurationError(
                f"WebRTCAECProvider.stream_delay_ms must be an int from 0 to 500, "
                f"got {stream_delay_ms!r}"
            )
        self.sample_rate = sample_rate
        self.channels = channels
        self.stream_delay_ms = stream_delay_ms
        self.enable_ns = bool(enable_ns)
        self.enable_agc = bool(enable_agc)
        self._lock = threading.Lock()
        self._processor: Any = None
        self._far: deque[bytes] = deque()
        self._heard = False  # microphone audio processed since the rate was set
        self._follow(sample_rate)

    @property
    def name(self) -> str:
        return "WebRTCAECProvider"

    def _check(self, frame: AudioFrame, what: str) -> None:
        if frame.channels != self.channels:
            raise AudioFormatError(
                f"WebRTCAECProvider is set up for {self.channels} channel(s), got {what} with "
                f"{frame.channels}; pass channels= or convert the audio"
            )
        if frame.sample_rate not in RATES:
            raise AudioFormatError(
                f"WebRTCAECProvider runs at 8000, 16000, 32000 or 48000 Hz, got {what} at "
                f"{frame.sample_rate} Hz; put a resampler in front"
            )

    def _follow(self, rate: int) -> None:
        """Run at ``rate`` from now on: a new WebRTC processor, empty queues."""
        self._rate = rate
        self._step = rate * STEP_MS // 1000 * self.channels * SAMPLE_WIDTH
        self._processor = None
        self._near = self._out = self._far_rest = b""
        self._far.clear()
        self._far_bytes = 0

    def _ready(self) -> Any:
        if self._processor is None:
            processor = _processor(self.enable_ns, self.enable_agc)
            processor.set_stream_format(self._rate, self.channels)
            processor.set_reverse_stream_format(self._rate, self.channels)
            processor.set_stream_delay(self.stream_delay_ms)
            self._processor = processor
        return self._processor

    def feed_reference(self, frame: AudioFrame) -> None:
        if not frame.data:
            return
        self._check(frame, "reference audio")
        with self._lock:
            if frame.sample_rate != self._rate:
                if self._heard:
                    raise AudioFormatError(
                        f"WebRTCAECProvider: reference audio at {frame.sample_rate} Hz, "
                        f"microphone at {self._rate} Hz; feed the reference after the "
                        "outbound resampler"
                    )
                self._follow(frame.sample_rate)
            step = self._step
            data = self._far_rest + frame.data
            whole = len(data) - len(data) % step
            for offset in range(0, whole, step):
                self._far.append(data[offset : offset + step])
            self._far_bytes += whole
            self._far_rest = data[whole:]
            limit = int(MAX_REFERENCE_SECONDS * 1000 / STEP_MS) * step
            while self._far_bytes > limit:
                self._far_bytes -= len(self._far.popleft())

    def process(self, frame: AudioFrame) -> AudioFrame:
        if not self.active or not frame.data:
            return frame
        self._check(frame, "microphone audio")
        with self._lock:
            if frame.sample_rate != self._rate:  # a new stream: start over at its rate
                self._follow(frame.sample_rate)
            self._heard = True
            step = self._step
            processor = self._ready()
            near = self._near + frame.data
            outputs = [self._out]
            whole = len(near) - len(near) % step
            silence = bytes(step)
            for offset in range(0, whole, step):
                if self._far:
                    far = self._far.popleft()
                    self._far_bytes -= step
                else:
                    far = silence
                processor.process_reverse_stream(far)
                processor.set_stream_delay(self.stream_delay_ms)
                outputs.append(processor.process_stream(near[offset : offset + step]))
            self._near = near[whole:]
            out = b"".join(outputs)
            size = len(frame.data)
            if len(out) < size:  # the first frames when they are not a multiple of 10 ms
                out = bytes(size - len(out)) + out
            self._out = out[size:]
        return frame.with_data(out[:size])

    def reset(self) -> None:
        """Forget the adapted echo path and all queued audio."""
        with self._lock:
            self._follow(self._rate)
            self._heard = False

    def close(self) -> None:
        self.reset()
