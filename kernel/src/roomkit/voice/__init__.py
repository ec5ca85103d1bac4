"""RoomKit's voice subsystem: audio types, events, contracts, mocks, the audio pipeline and
interruption policy (no numpy: signal processing and models are plugins).

Names keep RoomKit 0.6.7's import paths (``roomkit.voice``, ``roomkit.voice.pipeline``,
``roomkit.voice.pipeline.vad.base`` ...) and load lazily. Implementations from installed
plugins resolve here too (``from roomkit.voice import SherpaOnnxVADProvider``).

The ``if TYPE_CHECKING:`` block at the end is the one list of public names.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from roomkit.lazy import TypeCheckingExports, lazy_exports

_EXPORTS = TypeCheckingExports(__name__)


def _plugin_export(name: str) -> Any:
    """Names provided by installed plugins (``EnergyVADProvider`` from roomkit-audio ...)."""
    # lazy: the plugin catalogue reads entry points; only plugin-provided names need it
    from roomkit.plugins.catalogue import resolve_export

    return resolve_export(name)


_lookup, __dir__ = lazy_exports(__name__, _EXPORTS, globals(), fallback=_plugin_export)


def __getattr__(name: str) -> Any:
    if name == "__all__":
        names = globals()["__all__"] = sorted(_EXPORTS)
        return names
    return _lookup(name)


if TYPE_CHECKING:
    from roomkit.voice.audio_frame import AudioFrame as AudioFrame
    from roomkit.voice.audio_frame import split_frames as split_frames
    from roomkit.voice.auth import AuthCallback as AuthCallback
    from roomkit.voice.auth import auth_context as auth_context
    from roomkit.voice.backends.base import VoiceBackend as VoiceBackend
    from roomkit.voice.backends.mock import MockVoiceBackend as MockVoiceBackend
    from roomkit.voice.base import AudioChunk as AudioChunk
    from roomkit.voice.base import AudioPlayedCallback as AudioPlayedCallback
    from roomkit.voice.base import AudioReceivedCallback as AudioReceivedCallback
    from roomkit.voice.base import BargeInCallback as BargeInCallback
    from roomkit.voice.base import SessionReadyCallback as SessionReadyCallback
    from roomkit.voice.base import SpeakerChangeCallback as SpeakerChangeCallback
    from roomkit.voice.base import TranscriptionResult as TranscriptionResult
    from roomkit.voice.base import TransportDisconnectCallback as TransportDisconnectCallback
    from roomkit.voice.base import VoiceCapability as VoiceCapability
    from roomkit.voice.base import VoiceSession as VoiceSession
    from roomkit.voice.base import VoiceSessionState as VoiceSessionState
    from roomkit.voice.events import AudioLevelEvent as AudioLevelEvent
    from roomkit.voice.events import BackchannelEvent as BackchannelEvent
    from roomkit.voice.events import BargeInEvent as BargeInEvent
    from roomkit.voice.events import DTMFDetectedEvent as DTMFDetectedEvent
    from roomkit.voice.events import PartialTranscriptionEvent as PartialTranscriptionEvent
    from roomkit.voice.events import RecordingStartedEvent as RecordingStartedEvent
    from roomkit.voice.events import RecordingStoppedEvent as RecordingStoppedEvent
    from roomkit.voice.events import SessionStartedEvent as SessionStartedEvent
    from roomkit.voice.events import SpeakerChangeEvent as SpeakerChangeEvent
    from roomkit.voice.events import SpeechEndEvent as SpeechEndEvent
    from roomkit.voice.events import SpeechStartEvent as SpeechStartEvent
    from roomkit.voice.events import TTSCancelledEvent as TTSCancelledEvent
    from roomkit.voice.events import TurnCompleteEvent as TurnCompleteEvent
    from roomkit.voice.events import TurnIncompleteEvent as TurnIncompleteEvent
    from roomkit.voice.events import VADAudioLevelEvent as VADAudioLevelEvent
    from roomkit.voice.events import VADSilenceEvent as VADSilenceEvent
    from roomkit.voice.events import VoiceEvent as VoiceEvent
    from roomkit.voice.inbound import parse_voice_session as parse_voice_session
    from roomkit.voice.interruption import InterruptionConfig as InterruptionConfig
    from roomkit.voice.interruption import InterruptionDecision as InterruptionDecision
    from roomkit.voice.interruption import InterruptionHandler as InterruptionHandler
    from roomkit.voice.interruption import InterruptionStrategy as InterruptionStrategy
    from roomkit.voice.pipeline import AECProvider as AECProvider
    from roomkit.voice.pipeline import AGCConfig as AGCConfig
    from roomkit.voice.pipeline import AGCProvider as AGCProvider
    from roomkit.voice.pipeline import AudioFormat as AudioFormat
    from roomkit.voice.pipeline import AudioPipeline as AudioPipeline
    from roomkit.voice.pipeline import AudioPipelineConfig as AudioPipelineConfig
    from roomkit.voice.pipeline import AudioPipelineContract as AudioPipelineContract
    from roomkit.voice.pipeline import AudioPostProcessor as AudioPostProcessor
    from roomkit.voice.pipeline import AudioRecorder as AudioRecorder
    from roomkit.voice.pipeline import BackchannelContext as BackchannelContext
    from roomkit.voice.pipeline import BackchannelDecision as BackchannelDecision
    from roomkit.voice.pipeline import BackchannelDetector as BackchannelDetector
    from roomkit.voice.pipeline import DenoiserProvider as DenoiserProvider
    from roomkit.voice.pipeline import DiarizationProvider as DiarizationProvider
    from roomkit.voice.pipeline import DiarizationResult as DiarizationResult
    from roomkit.voice.pipeline import DTMFDetector as DTMFDetector
    from roomkit.voice.pipeline import DTMFEvent as DTMFEvent
    from roomkit.voice.pipeline import LinearResamplerProvider as LinearResamplerProvider
    from roomkit.voice.pipeline import MockAECProvider as MockAECProvider
    from roomkit.voice.pipeline import MockAGCProvider as MockAGCProvider
    from roomkit.voice.pipeline import MockAudioPostProcessor as MockAudioPostProcessor
    from roomkit.voice.pipeline import MockAudioRecorder as MockAudioRecorder
    from roomkit.voice.pipeline import MockBackchannelDetector as MockBackchannelDetector
    from roomkit.voice.pipeline import MockDenoiserProvider as MockDenoiserProvider
    from roomkit.voice.pipeline import MockDiarizationProvider as MockDiarizationProvider
    from roomkit.voice.pipeline import MockDTMFDetector as MockDTMFDetector
    from roomkit.voice.pipeline import MockResamplerProvider as MockResamplerProvider
    from roomkit.voice.pipeline import MockTurnDetector as MockTurnDetector
    from roomkit.voice.pipeline import MockVADProvider as MockVADProvider
    from roomkit.voice.pipeline import PhraseBackchannelDetector as PhraseBackchannelDetector
    from roomkit.voice.pipeline import RecordingChannelMode as RecordingChannelMode
    from roomkit.voice.pipeline import RecordingConfig as RecordingConfig
    from roomkit.voice.pipeline import RecordingHandle as RecordingHandle
    from roomkit.voice.pipeline import RecordingMode as RecordingMode
    from roomkit.voice.pipeline import RecordingResult as RecordingResult
    from roomkit.voice.pipeline import RecordingTrigger as RecordingTrigger
    from roomkit.voice.pipeline import ResamplerProvider as ResamplerProvider
    from roomkit.voice.pipeline import TurnContext as TurnContext
    from roomkit.voice.pipeline import TurnDecision as TurnDecision
    from roomkit.voice.pipeline import TurnDetector as TurnDetector
    from roomkit.voice.pipeline import TurnEntry as TurnEntry
    from roomkit.voice.pipeline import VADConfig as VADConfig
    from roomkit.voice.pipeline import VADEvent as VADEvent
    from roomkit.voice.pipeline import VADEventType as VADEventType
    from roomkit.voice.pipeline import VADProvider as VADProvider
    from roomkit.voice.realtime.events import RealtimeErrorEvent as RealtimeErrorEvent
    from roomkit.voice.realtime.events import RealtimeSpeechEvent as RealtimeSpeechEvent
    from roomkit.voice.realtime.events import RealtimeToolCallEvent as RealtimeToolCallEvent
    from roomkit.voice.realtime.events import (
        RealtimeTranscriptionEvent as RealtimeTranscriptionEvent,
    )
    from roomkit.voice.realtime.mock import MockRealtimeProvider as MockRealtimeProvider
    from roomkit.voice.realtime.mock import MockRealtimeTransport as MockRealtimeTransport
    from roomkit.voice.realtime.provider import RealtimeVoiceProvider as RealtimeVoiceProvider
    from roomkit.voice.stage import AudioStage as AudioStage
    from roomkit.voice.stt.base import STTProvider as STTProvider
    from roomkit.voice.stt.mock import MockSTTProvider as MockSTTProvider
    from roomkit.voice.tts.base import TTSProvider as TTSProvider
    from roomkit.voice.tts.mock import MockTTSProvider as MockTTSProvider
    from roomkit.voice.tts.sentence_splitter import split_sentences as split_sentences
