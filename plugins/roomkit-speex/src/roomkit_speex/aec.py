"""Acoustic echo cancellation with libspeexdsp's adaptive filter (the ``speexdsp`` binding)."""

from __future__ import annotations

from collections import deque
from typing import Any

import numpy as np
from speexdsp import EchoCanceller

from roomkit.errors import AudioFormatError, ConfigurationError
from roomkit.voice.audio_frame import AudioFrame
from roomkit.voice.pipeline.aec.base import AECProvider

__all__ = ["SpeexAECProvider"]

#: Most reference (played) audio kept waiting for microphone audio, in seconds.
MAX_REFERENCE_SECONDS = 2.0


class SpeexAECProvider(AECProvider):
    """Removes the agent's own voice (played audio) from the caller's microphone signal.

    ``frame_size`` (samples per step, 320 = 20 ms at 16 kHz) and ``filter_length`` (the echo
    tail the filter models, 3200 = 200 ms) are given at ``sample_rate``; a stream at another
    rate gets both scaled, so any rate works (one per stream). Mono PCM16.

    The pipeline feeds each played frame to :meth:`feed_reference` and each microphone frame
    to :meth:`process`. Microphone audio is processed in ``frame_size`` steps, each against
    the next step of reference audio (silence when nothing is playing); the output has the
    length of the input, delayed by less than one step when frames and steps differ in size.
    Reference audio waiting for the microphone is bounded (2 s; the oldest is dropped).
    While bypassed (``set_active(False)``) frames pass unchanged. Per-session state: the
    adaptive filter and the two queues.
    """

    def __init__(self, frame_size: int = 320, filter_length: int = 3200, sample_rate: int = 16000):
        if frame_size <= 0 or filter_length < frame_size or sample_rate <= 0:
            raise ConfigurationError(
                "SpeexAECProvider needs frame_size > 0, filter_length >= frame_size and a "
                f"positive sample_rate, got {frame_size}, {filter_length}, {sample_rate}"
            )
        self.frame_size = frame_size
        self.filter_length = filter_length
        self.sample_rate = sample_rate
        self._canceller: Any = None
        self._rate = 0
        self._step = 0
        self._near = np.zeros(0, dtype=np.int16)
        self._far: deque[np.ndarray] = deque()
        self._far_samples = 0
        self._out = np.zeros(0, dtype=np.int16)

    @property
    def name(self) -> str:
        return "SpeexAECProvider"

    def _setup(self, rate: int) -> None:
        scale = rate / self.sample_rate
        self._step = max(1, round(self.frame_size * scale))
        taps = max(self._step, round(self.filter_length * scale))
        self._canceller = EchoCanceller.create(self._step, taps, rate)
        self._rate = rate
        self._near = np.zeros(0, dtype=np.int16)
        self._far.clear()
        self._far_samples = 0
        self._out = np.zeros(0, dtype=np.int16)

    @staticmethod
    def _mono(frame: AudioFrame) -> np.ndarray:
        if frame.channels != 1:
            raise AudioFormatError(
                f"SpeexAECProvider takes mono audio, got {frame.channels} channels"
            )
        return np.frombuffer(frame.data, "<i2").astype(np.int16)

    def feed_reference(self, frame: AudioFrame) -> None:
        if not frame.data:
            return
        if frame.sample_rate != self._rate:
            if self._rate:
                raise AudioFormatError(
                    f"SpeexAECProvider: reference at {frame.sample_rate} Hz, microphone at "
                    f"{self._rate} Hz; feed the reference after the outbound resampler"
                )
            self._setup(frame.sample_rate)
        values = self._mono(frame)
        self._far.append(values)
        self._far_samples += len(values)
        limit = int(MAX_REFERENCE_SECONDS * self._rate)
        while self._far_samples > limit and self._far:
            self._far_samples -= len(self._far.popleft())

    def _take_far(self, count: int) -> np.ndarray:
        parts, needed = [], count
        while needed and self._far:
            head = self._far[0]
            if len(head) <= needed:
                parts.append(self._far.popleft())
                needed -= len(head)
            else:
                parts.append(head[:needed])
                self._far[0] = head[needed:]
                needed = 0
        self._far_samples -= count - needed
        if needed:
            parts.append(np.zeros(needed, dtype=np.int16))
        return np.concatenate(parts)

    def process(self, frame: AudioFrame) -> AudioFrame:
        if not self.active or not frame.data:
            return frame
        if frame.sample_rate != self._rate:
            self._setup(frame.sample_rate)
        near = np.concatenate((self._near, self._mono(frame)))
        step = self._step
        outputs = [self._out]
        offset = 0
        while offset + step <= len(near):
            block = near[offset : offset + step]
            far = self._take_far(step)
            cleaned = self._canceller.process(block.tobytes(), far.tobytes())
            outputs.append(np.frombuffer(cleaned, dtype=np.int16))
            offset += step
        self._near = near[offset:]
        out = np.concatenate(outputs)
        count = frame.num_samples
        if len(out) < count:  # the first frames, when steps are longer than frames
            out = np.concatenate((np.zeros(count - len(out), dtype=np.int16), out))
        self._out = out[count:]
        return frame.with_data(out[:count].astype("<i2").tobytes())

    def reset(self) -> None:
        if self._rate:
            self._setup(self._rate)

    def close(self) -> None:
        self._canceller = None
        self._rate = 0
        self._far.clear()
