"""Voice activity detection: the contract, its events and its configuration."""

from __future__ import annotations

from abc import abstractmethod
from dataclasses import dataclass, field
from enum import StrEnum

from roomkit.errors import ConfigurationError
from roomkit.voice.audio_frame import AudioFrame
from roomkit.voice.stage import AudioStage

__all__ = ["VADConfig", "VADEvent", "VADEventType", "VADProvider"]


class VADEventType(StrEnum):
    """What a VAD reports about a frame."""

    SPEECH_START = "speech_start"
    SPEECH_END = "speech_end"
    SILENCE = "silence"
    AUDIO_LEVEL = "audio_level"


@dataclass(frozen=True, slots=True)
class VADEvent:
    """One VAD observation.

    ``audio_bytes``: on ``SPEECH_END``, the utterance's PCM16 if the VAD buffers it (otherwise
    the pipeline supplies its own buffer); on ``SPEECH_START``, optionally the pre-roll.
    ``duration_ms``: speech length on ``SPEECH_END``, silence length on ``SILENCE``.
    ``level_db``: the level on ``AUDIO_LEVEL``.
    """

    type: VADEventType
    audio_bytes: bytes | None = None
    confidence: float | None = None
    duration_ms: float | None = None
    level_db: float | None = None


@dataclass
class VADConfig:
    """Speech segmentation settings.

    They are handed to each per-session VAD (:meth:`VADProvider.configure`), and the pipeline
    uses two itself: ``speech_pad_ms`` of audio kept before ``SPEECH_START`` (pre-roll, when
    the VAD does not supply the utterance) and ``max_speech_duration_ms``, the longest
    utterance buffered before the pipeline ends it (a bound on memory per session).
    """

    silence_threshold_ms: int = 500
    speech_pad_ms: int = 300
    min_speech_duration_ms: int = 250
    extra: dict[str, object] = field(default_factory=dict)
    max_speech_duration_ms: int = 60_000

    def __post_init__(self) -> None:
        for name in ("silence_threshold_ms", "speech_pad_ms", "min_speech_duration_ms"):
            value = getattr(self, name)
            if type(value) is not int or value < 0:
                raise ConfigurationError(f"VADConfig.{name} must be an int >= 0, got {value!r}")
        limit = self.max_speech_duration_ms
        if type(limit) is not int or limit <= 0:
            raise ConfigurationError(
                f"VADConfig.max_speech_duration_ms must be an int > 0, got {limit!r}"
            )


class VADProvider(AudioStage):
    """Detects where speech starts and ends in one session's audio.

    Implement :meth:`process`; report ``SPEECH_START`` once when speech begins and
    ``SPEECH_END`` once when it ends (never an end without a start), optionally ``SILENCE``
    and ``AUDIO_LEVEL``. Keep the detection state on ``self``: each session gets its own
    instance (see :class:`~roomkit.voice.stage.AudioStage`).
    """

    config: VADConfig | None = None

    @abstractmethod
    def process(self, frame: AudioFrame) -> VADEvent | None:
        """Analyse one frame; return an event when something changed, else ``None``."""

    def flush(self) -> VADEvent | None:
        """End of input: return ``SPEECH_END`` for speech still in progress, else ``None``."""
        return None

    def configure(self, config: VADConfig) -> None:
        """Receive the pipeline's :class:`VADConfig` (called on each per-session instance)."""
        self.config = config
