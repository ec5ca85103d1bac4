"""Everything the pipeline keeps for one session: its stage instances, buffers and counters.

Nothing here is shared between sessions: :meth:`SessionStages.open` binds a fresh instance of
every configured stage to the session (see :func:`roomkit.voice.stage.bind_stage`).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from roomkit.errors import ConfigurationError
from roomkit.telemetry.base import TelemetryProvider
from roomkit.voice.base import VoiceSession
from roomkit.voice.pipeline.aec.base import AECProvider
from roomkit.voice.pipeline.agc.base import AGCProvider
from roomkit.voice.pipeline.backchannel.base import BackchannelDetector
from roomkit.voice.pipeline.config import STAGE_FIELDS, STAGE_ROLES, AudioPipelineConfig
from roomkit.voice.pipeline.debug_taps import DebugTapSession
from roomkit.voice.pipeline.denoiser.base import DenoiserProvider
from roomkit.voice.pipeline.diarization.base import DiarizationProvider
from roomkit.voice.pipeline.dtmf.base import DTMFDetector
from roomkit.voice.pipeline.postprocessor.base import AudioPostProcessor
from roomkit.voice.pipeline.recorder.base import AudioRecorder, RecordingHandle
from roomkit.voice.pipeline.resampler.base import ResamplerProvider
from roomkit.voice.pipeline.speech import SpeechSegmenter
from roomkit.voice.pipeline.turn.base import TurnDetector
from roomkit.voice.pipeline.vad.base import VADProvider
from roomkit.voice.stage import AudioStage, bind_stage

__all__ = ["SessionStages", "SessionState", "SessionStats"]

logger = logging.getLogger("roomkit.voice.pipeline")


@dataclass
class SessionStats:
    """Counters of one session, for tests, dashboards and the per-frame cost budget.

    ``processing_seconds`` / ``max_frame_seconds`` are measured with the pipeline's clock
    around the synchronous chain (inbound and outbound frames).
    """

    frames_in: int = 0
    frames_out: int = 0
    utterances: int = 0
    dropped_frames: int = 0
    stage_failures: dict[str, int] = field(default_factory=dict)
    processing_seconds: float = 0.0
    max_frame_seconds: float = 0.0

    @property
    def mean_frame_seconds(self) -> float:
        """Average processing time per frame (inbound and outbound)."""
        frames = self.frames_in + self.frames_out
        return self.processing_seconds / frames if frames else 0.0


@dataclass
class SessionStages:
    """The stage instances serving one session (``None`` where the stage is not configured)."""

    inbound_resampler: ResamplerProvider | None = None
    outbound_resampler: ResamplerProvider | None = None
    recorder: AudioRecorder | None = None
    aec: AECProvider | None = None
    agc: AGCProvider | None = None
    denoiser: DenoiserProvider | None = None
    vad: VADProvider | None = None
    diarization: DiarizationProvider | None = None
    dtmf: DTMFDetector | None = None
    postprocessors: list[AudioPostProcessor] = field(default_factory=list)
    turn_detector: TurnDetector | None = None
    backchannel_detector: BackchannelDetector | None = None

    @classmethod
    def open(cls, config: AudioPipelineConfig, session: VoiceSession) -> SessionStages:
        """Bind a new instance of every configured stage to ``session``."""
        stages = cls()
        try:
            if config.resampler is not None:
                stages.inbound_resampler = _bind(config.resampler, session, ResamplerProvider)
                stages.outbound_resampler = _bind(config.resampler, session, ResamplerProvider)
            for name, role in STAGE_FIELDS.items():
                template = getattr(config, name)
                if template is not None and role != "resampler":
                    setattr(stages, name, _bind(template, session, STAGE_ROLES[role]))
            stages.postprocessors = [
                _bind(p, session, AudioPostProcessor) for p in config.postprocessors
            ]
        except BaseException:
            stages.close()
            raise
        if stages.vad is not None and config.vad_config is not None:
            stages.vad.configure(config.vad_config)
        if stages.agc is not None and config.agc_config is not None:
            stages.agc.configure(config.agc_config)
        return stages

    def items(self) -> Iterator[tuple[str, AudioStage]]:
        """``(role, instance)`` of every stage present."""
        for role in (
            "inbound_resampler",
            "outbound_resampler",
            "recorder",
            "aec",
            "agc",
            "denoiser",
            "vad",
            "diarization",
            "dtmf",
            "turn_detector",
            "backchannel_detector",
        ):
            stage = getattr(self, role)
            if stage is not None:
                yield role, stage
        for index, stage in enumerate(self.postprocessors):
            yield f"postprocessor[{index}]", stage

    @property
    def blocking(self) -> bool:
        """Whether any stage declares heavy (``blocking``) processing."""
        return any(stage.blocking for _, stage in self.items())

    def reset(self) -> None:
        """Reset every stage, isolating failures."""
        self._each("reset", lambda stage: stage.reset())

    def close(self) -> None:
        """Close every stage, isolating failures."""
        self._each("close", lambda stage: stage.close())

    def _each(self, what: str, action: Callable[[AudioStage], Any]) -> None:
        for role, stage in self.items():
            try:
                action(stage)
            except Exception:
                logger.exception("voice pipeline: %s of stage %s failed", what, role)


def _bind(template: AudioStage, session: VoiceSession, contract: type) -> Any:
    instance = bind_stage(template, session)
    if not isinstance(instance, contract):
        raise ConfigurationError(
            f"{template.name}.for_session() returned a {type(instance).__name__}, "
            f"not a {contract.__name__}"
        )
    return instance


class SessionState:
    """Mutable per-session state of the pipeline (stages, buffers, meters, counters)."""

    def __init__(self, config: AudioPipelineConfig, session: VoiceSession) -> None:
        self.session = session
        self.stages = SessionStages.open(config, session)
        self.blocking = self.stages.blocking
        self.segmenter = SpeechSegmenter(config.vad_config)
        self.recording: RecordingHandle | None = None
        self.record_inbound = False
        self.record_outbound = False
        self.record_speech_only = False
        self.last_speaker: str | None = None
        #: (sample_rate, channels) of processed inbound frames, fixed by the first frame.
        self.format: tuple[int, int] | None = None
        self.rate = 0  # the same, unpacked for the per-frame check
        self.channels = 0
        self.inbound_level_ms = 0.0
        self.outbound_level_ms = 0.0
        #: Stage roles currently failing (reported once until they work again).
        self.failing: set[str] = set()
        self.stats = SessionStats()
        self.lock = asyncio.Lock()
        self.stalled: asyncio.Future[Any] | None = None
        #: Debug WAV writers of this session (``config.debug_taps``), if any.
        self.taps: DebugTapSession | None = None
        #: Telemetry provider and the session's span, if telemetry is configured.
        self.telemetry: TelemetryProvider | None = config.telemetry
        self.span_id: str | None = None
        #: Inbound transforms in chain order: (role, bound process method).
        self.transforms: list[tuple[str, Callable[[Any], Any]]] = []
