"""Debug taps: write the audio at chosen points of the pipeline to WAV files.

For listening to what each stage did to a call (is the echo gone? did the denoiser eat the
first syllable?). Files are written synchronously as frames pass, so keep taps to debugging
sessions, never production traffic.
"""

from __future__ import annotations

import re
import wave
from dataclasses import dataclass, field
from pathlib import Path

from roomkit.errors import ConfigurationError
from roomkit.voice.audio_frame import AudioFrame
from roomkit.voice.pcm import SAMPLE_WIDTH

__all__ = ["TAP_STAGES", "DebugTapSession", "PipelineDebugTaps"]

#: The tap points, in pipeline order (their position numbers the files).
TAP_STAGES: tuple[str, ...] = (
    "raw",
    "post_aec",
    "post_agc",
    "post_denoiser",
    "post_vad_speech",
    "outbound_raw",
    "outbound_final",
)

_UNSAFE = re.compile(r"[^A-Za-z0-9_.-]")


@dataclass
class PipelineDebugTaps:
    """Which tap points to record (``["all"]`` or names of :data:`TAP_STAGES`), where, and
    whether file names start with the session id (``session_scoped``; without it a later
    session overwrites the files of an earlier one)."""

    output_dir: str = ""
    stages: list[str] = field(default_factory=lambda: ["all"])
    session_scoped: bool = True

    def __post_init__(self) -> None:
        if not self.output_dir:
            raise ConfigurationError("PipelineDebugTaps.output_dir must name a directory")
        unknown = set(self.stages) - {"all", *TAP_STAGES}
        if unknown:
            raise ConfigurationError(
                f"unknown debug tap stage(s) {sorted(unknown)}; use 'all' or {list(TAP_STAGES)}"
            )

    @property
    def enabled(self) -> frozenset[str]:
        """The tap points recorded."""
        return frozenset(TAP_STAGES if "all" in self.stages else self.stages)


class DebugTapSession:
    """The open WAV files of one session (one per tap point, one per utterance)."""

    def __init__(self, config: PipelineDebugTaps, session_id: str) -> None:
        self._enabled = config.enabled
        self._dir = Path(config.output_dir)
        self._dir.mkdir(parents=True, exist_ok=True)
        self._prefix = f"{_UNSAFE.sub('_', session_id)}_" if config.session_scoped else ""
        self._writers: dict[str, wave.Wave_write] = {}
        self._utterances = 0
        self._bytes = 0

    @property
    def total_bytes_written(self) -> int:
        """PCM bytes written so far, all files together."""
        return self._bytes

    def wants(self, stage: str) -> bool:
        """Whether ``stage`` is tapped."""
        return stage in self._enabled

    def tap(self, stage: str, frame: AudioFrame) -> None:
        """Append ``frame`` to the file of ``stage`` (if that stage is tapped)."""
        if stage not in self._enabled:
            return
        writer = self._writers.get(stage)
        if writer is None:
            writer = self._open(self._name(stage), frame.sample_rate, frame.channels)
            self._writers[stage] = writer
        writer.writeframes(frame.data)
        self._bytes += len(frame.data)

    def tap_vad_speech(
        self,
        audio_bytes: bytes,
        *,
        sample_rate: int = 16000,
        channels: int = 1,
        sample_width: int = SAMPLE_WIDTH,
    ) -> None:
        """Write one utterance to its own file."""
        if "post_vad_speech" not in self._enabled:
            return
        self._utterances += 1
        name = self._name("post_vad_speech", f"_{self._utterances:03d}")
        writer = self._open(name, sample_rate, channels)
        writer.writeframes(audio_bytes)
        writer.close()
        self._bytes += len(audio_bytes)

    def close(self) -> None:
        """Finish every file."""
        writers, self._writers = self._writers, {}
        for writer in writers.values():
            writer.close()

    def _name(self, stage: str, suffix: str = "") -> str:
        return f"{self._prefix}{TAP_STAGES.index(stage) + 1:02d}_{stage}{suffix}.wav"

    def _open(self, name: str, rate: int, channels: int) -> wave.Wave_write:
        writer = wave.open(str(self._dir / name), "wb")  # noqa: SIM115 - closed by close()
        writer.setnchannels(channels)
        writer.setsampwidth(SAMPLE_WIDTH)
        writer.setframerate(rate)
        return writer
