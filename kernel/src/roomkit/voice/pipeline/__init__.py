"""The audio pipeline: stage contracts, their mocks, configuration and the engine.

Every name loads lazily; stage implementations that need numpy or models come from plugins
and are found here too when installed (``from roomkit.voice.pipeline import
EnergyVADProvider`` with ``roomkit-audio``).

The ``if TYPE_CHECKING:`` block at the end is the one list of public names.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from roomkit.lazy import TypeCheckingExports, lazy_exports
from roomkit.voice import _plugin_export

_EXPORTS = TypeCheckingExports(__name__)

_lookup, __dir__ = lazy_exports(__name__, _EXPORTS, globals(), fallback=_plugin_export)


def __getattr__(name: str) -> Any:
    if name == "__all__":
        names = globals()["__all__"] = sorted(_EXPORTS)
        return names
    return _lookup(name)


if TYPE_CHECKING:
    from roomkit.voice.pipeline.aec import AECProvider as AECProvider
    from roomkit.voice.pipeline.aec import MockAECProvider as MockAECProvider
    from roomkit.voice.pipeline.agc import AGCConfig as AGCConfig
    from roomkit.voice.pipeline.agc import AGCProvider as AGCProvider
    from roomkit.voice.pipeline.agc import MockAGCProvider as MockAGCProvider
    from roomkit.voice.pipeline.backchannel import BackchannelContext as BackchannelContext
    from roomkit.voice.pipeline.backchannel import BackchannelDecision as BackchannelDecision
    from roomkit.voice.pipeline.backchannel import BackchannelDetector as BackchannelDetector
    from roomkit.voice.pipeline.backchannel import (
        MockBackchannelDetector as MockBackchannelDetector,
    )
    from roomkit.voice.pipeline.backchannel import (
        PhraseBackchannelDetector as PhraseBackchannelDetector,
    )
    from roomkit.voice.pipeline.config import AudioFormat as AudioFormat
    from roomkit.voice.pipeline.config import AudioPipelineConfig as AudioPipelineConfig
    from roomkit.voice.pipeline.config import AudioPipelineContract as AudioPipelineContract
    from roomkit.voice.pipeline.debug_taps import PipelineDebugTaps as PipelineDebugTaps
    from roomkit.voice.pipeline.denoiser import DenoiserProvider as DenoiserProvider
    from roomkit.voice.pipeline.denoiser import MockDenoiserProvider as MockDenoiserProvider
    from roomkit.voice.pipeline.diarization import DiarizationProvider as DiarizationProvider
    from roomkit.voice.pipeline.diarization import DiarizationResult as DiarizationResult
    from roomkit.voice.pipeline.diarization import (
        MockDiarizationProvider as MockDiarizationProvider,
    )
    from roomkit.voice.pipeline.dtmf import DTMFDetector as DTMFDetector
    from roomkit.voice.pipeline.dtmf import DTMFEvent as DTMFEvent
    from roomkit.voice.pipeline.dtmf import MockDTMFDetector as MockDTMFDetector
    from roomkit.voice.pipeline.engine import AudioPipeline as AudioPipeline
    from roomkit.voice.pipeline.postprocessor import AudioPostProcessor as AudioPostProcessor
    from roomkit.voice.pipeline.postprocessor import (
        MockAudioPostProcessor as MockAudioPostProcessor,
    )
    from roomkit.voice.pipeline.recorder import AudioRecorder as AudioRecorder
    from roomkit.voice.pipeline.recorder import MockAudioRecorder as MockAudioRecorder
    from roomkit.voice.pipeline.recorder import RecordingChannelMode as RecordingChannelMode
    from roomkit.voice.pipeline.recorder import RecordingConfig as RecordingConfig
    from roomkit.voice.pipeline.recorder import RecordingHandle as RecordingHandle
    from roomkit.voice.pipeline.recorder import RecordingMode as RecordingMode
    from roomkit.voice.pipeline.recorder import RecordingResult as RecordingResult
    from roomkit.voice.pipeline.recorder import RecordingTrigger as RecordingTrigger
    from roomkit.voice.pipeline.resampler import LinearResamplerProvider as LinearResamplerProvider
    from roomkit.voice.pipeline.resampler import MockResamplerProvider as MockResamplerProvider
    from roomkit.voice.pipeline.resampler import ResamplerProvider as ResamplerProvider
    from roomkit.voice.pipeline.session import SessionStages as SessionStages
    from roomkit.voice.pipeline.session import SessionStats as SessionStats
    from roomkit.voice.pipeline.turn import MockTurnDetector as MockTurnDetector
    from roomkit.voice.pipeline.turn import TurnContext as TurnContext
    from roomkit.voice.pipeline.turn import TurnDecision as TurnDecision
    from roomkit.voice.pipeline.turn import TurnDetector as TurnDetector
    from roomkit.voice.pipeline.turn import TurnEntry as TurnEntry
    from roomkit.voice.pipeline.vad import MockVADProvider as MockVADProvider
    from roomkit.voice.pipeline.vad import VADConfig as VADConfig
    from roomkit.voice.pipeline.vad import VADEvent as VADEvent
    from roomkit.voice.pipeline.vad import VADEventType as VADEventType
    from roomkit.voice.pipeline.vad import VADProvider as VADProvider
