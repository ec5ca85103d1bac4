"""An energy (RMS) voice activity detector with pre-roll, hangover and utterance buffering."""

from __future__ import annotations

from collections import deque

import numpy as np

from roomkit.errors import ConfigurationError
from roomkit.voice.audio_frame import AudioFrame
from roomkit.voice.pipeline.vad.base import VADConfig, VADEvent, VADEventType, VADProvider
from roomkit_audio._pcm import to_int16

__all__ = ["EnergyVADProvider"]

#: Gap (ms) of quiet frames that abandons speech not yet confirmed as an utterance.
_ONSET_GAP_MS = 100.0


def _frame_rms(frame: AudioFrame) -> float:
    if not frame.data:
        return 0.0
    values = to_int16(frame.data, 1).astype(np.float64)
    return float(np.sqrt(np.mean(values * values)))


class EnergyVADProvider(VADProvider):
    """Speech is audio louder than ``energy_threshold`` (RMS in 16-bit sample units).

    * ``SPEECH_START`` once loud frames have lasted ``min_speech_duration_ms`` (quiet gaps
      shorter than 100 ms inside that onset are tolerated); its ``audio_bytes`` hold the
      pre-roll and the onset heard before that frame (so streaming consumers start there);
    * ``SPEECH_END`` after ``silence_threshold_ms`` of quiet, or when the utterance reaches
      ``max_speech_duration_ms``; its ``audio_bytes`` hold the utterance with
      ``speech_pad_ms`` of audio from before the onset, ``duration_ms`` its length.

    A pipeline's :class:`VADConfig` (:meth:`configure`) replaces the four timings. All state
    lives on the instance, and the pipeline gives each session its own instance, so
    concurrent calls never see each other's speech. Any sample rate works (one per stream).
    """

    def __init__(
        self,
        *,
        energy_threshold: float = 300.0,
        silence_threshold_ms: int = 500,
        min_speech_duration_ms: int = 200,
        speech_pad_ms: int = 300,
        max_speech_duration_ms: int = 60000,
    ) -> None:
        if not isinstance(energy_threshold, int | float) or energy_threshold <= 0:
            raise ConfigurationError(
                f"EnergyVADProvider energy_threshold must be a positive RMS level (16-bit "
                f"sample units, e.g. 300), got {energy_threshold!r}"
            )
        self.energy_threshold = float(energy_threshold)
        self.config = VADConfig(
            silence_threshold_ms=silence_threshold_ms,
            speech_pad_ms=speech_pad_ms,
            min_speech_duration_ms=min_speech_duration_ms,
            max_speech_duration_ms=max_speech_duration_ms,
        )
        self._preroll: deque[bytes] = deque()
        self._preroll_ms = 0.0
        self._onset: list[bytes] = []
        self._utterance: list[bytes] = []
        self._onset_ms = 0.0
        self._gap_ms = 0.0
        self._speech_ms = 0.0
        self._silence_ms = 0.0
        self._in_speech = False

    @property
    def name(self) -> str:
        return "EnergyVADProvider"

    @property
    def in_speech(self) -> bool:
        """Whether an utterance is in progress."""
        return self._in_speech

    def configure(self, config: VADConfig) -> None:
        self.config = config

    def reset(self) -> None:
        self._preroll.clear()
        self._preroll_ms = 0.0
        self._onset = []
        self._utterance = []
        self._onset_ms = self._gap_ms = self._speech_ms = self._silence_ms = 0.0
        self._in_speech = False

    def close(self) -> None:
        self.reset()

    def process(self, frame: AudioFrame) -> VADEvent | None:
        if not frame.data:
            return None
        loud = _frame_rms(frame) >= self.energy_threshold
        if self._in_speech:
            return self._continue(frame, loud)
        return self._wait_for_onset(frame, loud)

    def flush(self) -> VADEvent | None:
        event = self._end() if self._in_speech else None
        self.reset()
        return event

    def _wait_for_onset(self, frame: AudioFrame, loud: bool) -> VADEvent | None:
        config = self.config or VADConfig()
        duration = frame.duration_ms
        if loud or self._onset:
            self._onset.append(frame.data)
            if loud:
                self._onset_ms += duration + self._gap_ms
                self._gap_ms = 0.0
            else:
                self._gap_ms += duration
                if self._gap_ms >= _ONSET_GAP_MS:  # a click, not speech
                    for data in self._onset:
                        self._keep_preroll(data, frame.sample_rate, frame.channels)
                    self._onset = []
                    self._onset_ms = self._gap_ms = 0.0
                return None
            if self._onset_ms >= config.min_speech_duration_ms:
                self._in_speech = True
                self._utterance = [*self._preroll, *self._onset]
                self._speech_ms = self._onset_ms
                self._silence_ms = 0.0
                self._preroll.clear()
                self._preroll_ms = 0.0
                self._onset = []
                self._onset_ms = self._gap_ms = 0.0
                # the pre-roll and the onset before this frame: the utterance's beginning
                head = b"".join(self._utterance[:-1])
                return VADEvent(VADEventType.SPEECH_START, audio_bytes=head, confidence=1.0)
            return None
        self._keep_preroll(frame.data, frame.sample_rate, frame.channels)
        return None

    def _keep_preroll(self, data: bytes, rate: int, channels: int) -> None:
        pad = (self.config or VADConfig()).speech_pad_ms
        self._preroll.append(data)
        self._preroll_ms += len(data) * 1000.0 / (2 * channels * rate)
        while self._preroll and self._preroll_ms > pad:
            dropped = self._preroll.popleft()
            self._preroll_ms -= len(dropped) * 1000.0 / (2 * channels * rate)

    def _continue(self, frame: AudioFrame, loud: bool) -> VADEvent | None:
        config = self.config or VADConfig()
        self._utterance.append(frame.data)
        if loud:
            self._speech_ms += frame.duration_ms + self._silence_ms
            self._silence_ms = 0.0
        else:
            self._silence_ms += frame.duration_ms
        if self._silence_ms >= config.silence_threshold_ms:
            return self._finish()
        if self._speech_ms + self._silence_ms >= config.max_speech_duration_ms:
            return self._finish()
        return None

    def _end(self) -> VADEvent:
        audio = b"".join(self._utterance)
        return VADEvent(
            VADEventType.SPEECH_END,
            audio_bytes=audio,
            confidence=1.0,
            duration_ms=self._speech_ms,
        )

    def _finish(self) -> VADEvent:
        event = self._end()
        self._in_speech = False
        self._utterance = []
        self._speech_ms = self._silence_ms = 0.0
        return event
