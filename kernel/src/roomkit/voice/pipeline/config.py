"""What an :class:`~roomkit.voice.pipeline.AudioPipeline` is made of: stages, formats, settings.

Every stage is optional. The stage objects given here are *templates*: each session gets its
own instance (see :mod:`roomkit.voice.stage`).
"""

from __future__ import annotations

from dataclasses import KW_ONLY, dataclass, field
from typing import TYPE_CHECKING, Any

from roomkit.errors import ConfigurationError
from roomkit.telemetry.base import TelemetryProvider
from roomkit.voice.pcm import SAMPLE_WIDTH, check_pcm16
from roomkit.voice.pipeline.aec.base import AECProvider
from roomkit.voice.pipeline.agc.base import AGCConfig, AGCProvider
from roomkit.voice.pipeline.backchannel.base import BackchannelDetector
from roomkit.voice.pipeline.debug_taps import PipelineDebugTaps
from roomkit.voice.pipeline.denoiser.base import DenoiserProvider
from roomkit.voice.pipeline.diarization.base import DiarizationProvider
from roomkit.voice.pipeline.dtmf.base import DTMFDetector
from roomkit.voice.pipeline.postprocessor.base import AudioPostProcessor
from roomkit.voice.pipeline.recorder.base import AudioRecorder, RecordingConfig
from roomkit.voice.pipeline.resampler.base import ResamplerProvider
from roomkit.voice.pipeline.turn.base import TurnDetector
from roomkit.voice.pipeline.vad.base import VADConfig, VADProvider
from roomkit.voice.stage import AudioStage

if TYPE_CHECKING:
    from roomkit.voice.interruption import InterruptionConfig

__all__ = [
    "STAGE_FIELDS",
    "STAGE_ROLES",
    "AudioFormat",
    "AudioPipelineConfig",
    "AudioPipelineContract",
]


@dataclass(frozen=True)
class AudioFormat:
    """A PCM format: rate (Hz), channels, sample width (bytes; always 2) and codec name."""

    sample_rate: int = 16000
    channels: int = 1
    sample_width: int = SAMPLE_WIDTH
    codec: str = "pcm_s16le"

    def __post_init__(self) -> None:
        check_pcm16(b"", self.sample_rate, self.channels, what="AudioFormat")
        if self.sample_width != SAMPLE_WIDTH:
            raise ConfigurationError(f"AudioFormat.sample_width must be 2, got {self.sample_width}")


@dataclass(frozen=True)
class AudioPipelineContract:
    """The formats at each edge: what the transport delivers and expects, and what the stages
    work in. With a resampler configured, inbound frames are converted to ``internal_format``
    and outbound frames to ``transport_outbound_format``."""

    transport_inbound_format: AudioFormat = field(default_factory=AudioFormat)
    transport_outbound_format: AudioFormat = field(default_factory=AudioFormat)
    internal_format: AudioFormat = field(default_factory=AudioFormat)

    @property
    def input_format(self) -> AudioFormat:
        """The format frames arrive in from the transport."""
        return self.transport_inbound_format

    @property
    def output_format(self) -> AudioFormat:
        """The format frames leave in towards the transport."""
        return self.transport_outbound_format


#: Stage role -> its contract. The role names are the ``capabilities`` an ``audio_stage``
#: plugin component declares, and pick its conformance checks.
STAGE_ROLES: dict[str, type[AudioStage]] = {
    "resampler": ResamplerProvider,
    "recorder": AudioRecorder,
    "aec": AECProvider,
    "agc": AGCProvider,
    "denoiser": DenoiserProvider,
    "vad": VADProvider,
    "diarization": DiarizationProvider,
    "dtmf": DTMFDetector,
    "postprocessor": AudioPostProcessor,
    "turn_detector": TurnDetector,
    "backchannel": BackchannelDetector,
}

#: Single-stage fields of :class:`AudioPipelineConfig` -> their role, in pipeline order.
STAGE_FIELDS: dict[str, str] = {
    "resampler": "resampler",
    "recorder": "recorder",
    "aec": "aec",
    "agc": "agc",
    "denoiser": "denoiser",
    "vad": "vad",
    "diarization": "diarization",
    "dtmf": "dtmf",
    "turn_detector": "turn_detector",
    "backchannel_detector": "backchannel",
}


@dataclass
class AudioPipelineConfig:
    """The stages and settings of an audio pipeline (RoomKit 0.6.7's fields and order).

    * Inbound: resampler -> recorder -> AEC -> AGC -> denoiser -> VAD -> diarization, with DTMF
      beside the chain. Outbound: post-processors -> recorder -> AEC reference -> resampler.
    * ``vad_config`` / ``agc_config`` are handed to each per-session VAD / AGC.
    * ``recorder`` records only when ``recording_config`` is set.
    * ``turn_detector``, ``backchannel_detector`` and ``interruption`` are used by the voice
      channel after transcription; the pipeline gives each session its own detector instance.
    * ``debug_taps``: write the audio at chosen points to WAV files (debugging only).
    * ``telemetry``: one span per session (parented by ``AudioPipeline.set_parent_span``)
      carrying the session's counters, and a metric per stage failure.
    * ``audio_level_interval_ms`` (keyword only): how often input/output level events are
      emitted (only computed when someone listens).
    * ``stage_timeout`` (keyword only): seconds a frame may spend in a ``blocking`` chain on
      the async path before the stage is reported stalled and that session's frames are
      dropped until it returns.
    """

    vad: VADProvider | None = None
    denoiser: DenoiserProvider | None = None
    diarization: DiarizationProvider | None = None
    postprocessors: list[AudioPostProcessor] = field(default_factory=list)
    vad_config: VADConfig | None = None
    aec: AECProvider | None = None
    agc: AGCProvider | None = None
    agc_config: AGCConfig | None = None
    dtmf: DTMFDetector | None = None
    turn_detector: TurnDetector | None = None
    backchannel_detector: BackchannelDetector | None = None
    recorder: AudioRecorder | None = None
    recording_config: RecordingConfig | None = None
    interruption: InterruptionConfig | None = None
    resampler: ResamplerProvider | None = None
    contract: AudioPipelineContract | None = None
    debug_taps: PipelineDebugTaps | None = None
    telemetry: TelemetryProvider | None = None
    _: KW_ONLY
    audio_level_interval_ms: int = 100
    stage_timeout: float = 2.0

    def __post_init__(self) -> None:
        for name, role in STAGE_FIELDS.items():
            value = getattr(self, name)
            contract = STAGE_ROLES[role]
            if value is not None and not isinstance(value, contract):
                raise ConfigurationError(
                    f"AudioPipelineConfig.{name} must be a {contract.__name__}, "
                    f"got {type(value).__name__}"
                )
        self.postprocessors = list(self.postprocessors)
        for index, stage in enumerate(self.postprocessors):
            if not isinstance(stage, AudioPostProcessor):
                raise ConfigurationError(
                    f"AudioPipelineConfig.postprocessors[{index}] must be an AudioPostProcessor, "
                    f"got {type(stage).__name__}"
                )
        _check_type(self, "vad_config", VADConfig)
        _check_type(self, "agc_config", AGCConfig)
        _check_type(self, "recording_config", RecordingConfig)
        _check_type(self, "contract", AudioPipelineContract)
        _check_type(self, "debug_taps", PipelineDebugTaps)
        _check_type(self, "telemetry", TelemetryProvider)
        interval = self.audio_level_interval_ms
        if type(interval) is not int or interval <= 0:
            raise ConfigurationError(
                f"AudioPipelineConfig.audio_level_interval_ms must be an int > 0, got {interval!r}"
            )
        if not isinstance(self.stage_timeout, int | float) or self.stage_timeout <= 0:
            raise ConfigurationError(
                f"AudioPipelineConfig.stage_timeout must be > 0 seconds, got {self.stage_timeout!r}"
            )

    @property
    def internal_format(self) -> AudioFormat | None:
        """The format the stages work in when a resampler converts to it, else ``None``."""
        if self.resampler is None:
            return None
        return self.contract.internal_format if self.contract else AudioFormat()


def _check_type(config: Any, name: str, expected: type) -> None:
    value = getattr(config, name)
    if value is not None and not isinstance(value, expected):
        raise ConfigurationError(
            f"AudioPipelineConfig.{name} must be a {expected.__name__}, got {type(value).__name__}"
        )
