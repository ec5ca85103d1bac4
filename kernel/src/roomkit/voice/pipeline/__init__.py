"""The audio pipeline: stage contracts, their mocks, configuration and the engine.

Every name loads lazily; stage implementations that need numpy or models come from plugins
and are found here too when installed (``from roomkit.voice.pipeline import
EnergyVADProvider`` with ``roomkit-audio``)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from roomkit.lazy import lazy_exports

_EXPORTS: dict[str, str] = {
    "AECProvider": "roomkit.voice.pipeline.aec",
    "AGCConfig": "roomkit.voice.pipeline.agc",
    "AGCProvider": "roomkit.voice.pipeline.agc",
    "AudioFormat": "roomkit.voice.pipeline.config",
    "AudioPipeline": "roomkit.voice.pipeline.engine",
    "AudioPipelineConfig": "roomkit.voice.pipeline.config",
    "AudioPipelineContract": "roomkit.voice.pipeline.config",
    "AudioPostProcessor": "roomkit.voice.pipeline.postprocessor",
    "AudioRecorder": "roomkit.voice.pipeline.recorder",
    "BackchannelContext": "roomkit.voice.pipeline.backchannel",
    "BackchannelDecision": "roomkit.voice.pipeline.backchannel",
    "BackchannelDetector": "roomkit.voice.pipeline.backchannel",
    "DTMFDetector": "roomkit.voice.pipeline.dtmf",
    "DTMFEvent": "roomkit.voice.pipeline.dtmf",
    "DenoiserProvider": "roomkit.voice.pipeline.denoiser",
    "DiarizationProvider": "roomkit.voice.pipeline.diarization",
    "DiarizationResult": "roomkit.voice.pipeline.diarization",
    "LinearResamplerProvider": "roomkit.voice.pipeline.resampler",
    "MockAECProvider": "roomkit.voice.pipeline.aec",
    "MockAGCProvider": "roomkit.voice.pipeline.agc",
    "MockAudioPostProcessor": "roomkit.voice.pipeline.postprocessor",
    "MockAudioRecorder": "roomkit.voice.pipeline.recorder",
    "MockBackchannelDetector": "roomkit.voice.pipeline.backchannel",
    "MockDTMFDetector": "roomkit.voice.pipeline.dtmf",
    "MockDenoiserProvider": "roomkit.voice.pipeline.denoiser",
    "MockDiarizationProvider": "roomkit.voice.pipeline.diarization",
    "MockResamplerProvider": "roomkit.voice.pipeline.resampler",
    "MockTurnDetector": "roomkit.voice.pipeline.turn",
    "MockVADProvider": "roomkit.voice.pipeline.vad",
    "PhraseBackchannelDetector": "roomkit.voice.pipeline.backchannel",
    "PipelineDebugTaps": "roomkit.voice.pipeline.debug_taps",
    "RecordingChannelMode": "roomkit.voice.pipeline.recorder",
    "RecordingConfig": "roomkit.voice.pipeline.recorder",
    "RecordingHandle": "roomkit.voice.pipeline.recorder",
    "RecordingMode": "roomkit.voice.pipeline.recorder",
    "RecordingResult": "roomkit.voice.pipeline.recorder",
    "RecordingTrigger": "roomkit.voice.pipeline.recorder",
    "ResamplerProvider": "roomkit.voice.pipeline.resampler",
    "SessionStages": "roomkit.voice.pipeline.session",
    "SessionStats": "roomkit.voice.pipeline.session",
    "TurnContext": "roomkit.voice.pipeline.turn",
    "TurnDecision": "roomkit.voice.pipeline.turn",
    "TurnDetector": "roomkit.voice.pipeline.turn",
    "TurnEntry": "roomkit.voice.pipeline.turn",
    "VADConfig": "roomkit.voice.pipeline.vad",
    "VADEvent": "roomkit.voice.pipeline.vad",
    "VADEventType": "roomkit.voice.pipeline.vad",
    "VADProvider": "roomkit.voice.pipeline.vad",
}

__all__ = [
    "AECProvider",
    "AGCConfig",
    "AGCProvider",
    "AudioFormat",
    "AudioPipeline",
    "AudioPipelineConfig",
    "AudioPipelineContract",
    "AudioPostProcessor",
    "AudioRecorder",
    "BackchannelContext",
    "BackchannelDecision",
    "BackchannelDetector",
    "DTMFDetector",
    "DTMFEvent",
    "DenoiserProvider",
    "DiarizationProvider",
    "DiarizationResult",
    "LinearResamplerProvider",
    "MockAECProvider",
    "MockAGCProvider",
    "MockAudioPostProcessor",
    "MockAudioRecorder",
    "MockBackchannelDetector",
    "MockDTMFDetector",
    "MockDenoiserProvider",
    "MockDiarizationProvider",
    "MockResamplerProvider",
    "MockTurnDetector",
    "MockVADProvider",
    "PhraseBackchannelDetector",
    "PipelineDebugTaps",
    "RecordingChannelMode",
    "RecordingConfig",
    "RecordingHandle",
    "RecordingMode",
    "RecordingResult",
    "RecordingTrigger",
    "ResamplerProvider",
    "SessionStages",
    "SessionStats",
    "TurnContext",
    "TurnDecision",
    "TurnDetector",
    "TurnEntry",
    "VADConfig",
    "VADEvent",
    "VADEventType",
    "VADProvider",
]


def _plugin_export(name: str) -> Any:
    """Names provided by installed plugins (``EnergyVADProvider`` from roomkit-audio ...)."""
    from roomkit.plugins.catalogue import resolve_export

    return resolve_export(name)


__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS, globals(), fallback=_plugin_export)


if TYPE_CHECKING:
    from roomkit.voice.pipeline.aec import (
        AECProvider,
        MockAECProvider,
    )
    from roomkit.voice.pipeline.agc import (
        AGCConfig,
        AGCProvider,
        MockAGCProvider,
    )
    from roomkit.voice.pipeline.backchannel import (
        BackchannelContext,
        BackchannelDecision,
        BackchannelDetector,
        MockBackchannelDetector,
        PhraseBackchannelDetector,
    )
    from roomkit.voice.pipeline.config import (
        AudioFormat,
        AudioPipelineConfig,
        AudioPipelineContract,
    )
    from roomkit.voice.pipeline.debug_taps import (
        PipelineDebugTaps,
    )
    from roomkit.voice.pipeline.denoiser import (
        DenoiserProvider,
        MockDenoiserProvider,
    )
    from roomkit.voice.pipeline.diarization import (
        DiarizationProvider,
        DiarizationResult,
        MockDiarizationProvider,
    )
    from roomkit.voice.pipeline.dtmf import (
        DTMFDetector,
        DTMFEvent,
        MockDTMFDetector,
    )
    from roomkit.voice.pipeline.engine import (
        AudioPipeline,
    )
    from roomkit.voice.pipeline.postprocessor import (
        AudioPostProcessor,
        MockAudioPostProcessor,
    )
    from roomkit.voice.pipeline.recorder import (
        AudioRecorder,
        MockAudioRecorder,
        RecordingChannelMode,
        RecordingConfig,
        RecordingHandle,
        RecordingMode,
        RecordingResult,
        RecordingTrigger,
    )
    from roomkit.voice.pipeline.resampler import (
        LinearResamplerProvider,
        MockResamplerProvider,
        ResamplerProvider,
    )
    from roomkit.voice.pipeline.session import (
        SessionStages,
        SessionStats,
    )
    from roomkit.voice.pipeline.turn import (
        MockTurnDetector,
        TurnContext,
        TurnDecision,
        TurnDetector,
        TurnEntry,
    )
    from roomkit.voice.pipeline.vad import (
        MockVADProvider,
        VADConfig,
        VADEvent,
        VADEventType,
        VADProvider,
    )
