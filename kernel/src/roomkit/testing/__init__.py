"""Test doubles that ship with RoomKit, so applications test without patching anything.

``MockAIProvider`` answers from a script and records every request; ``MockIdentityResolver``
resolves senders from a table. The voice doubles (``MockSTTProvider``, ``MockTTSProvider``,
``MockVoiceBackend`` and a mock of every audio pipeline stage) are scripted and deterministic;
see :mod:`roomkit.voice`. Names load lazily on first use.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from roomkit.lazy import lazy_exports

__all__ = [
    "MockAECProvider",
    "MockAGCProvider",
    "MockAIProvider",
    "MockAudioPostProcessor",
    "MockAudioRecorder",
    "MockBackchannelDetector",
    "MockDTMFDetector",
    "MockDenoiserProvider",
    "MockDiarizationProvider",
    "MockIdentityResolver",
    "MockResamplerProvider",
    "MockSTTProvider",
    "MockTTSProvider",
    "MockTurnDetector",
    "MockVADProvider",
    "MockVoiceBackend",
]

_WHERE = {
    "MockAECProvider": "roomkit.voice.pipeline.aec.mock",
    "MockAGCProvider": "roomkit.voice.pipeline.agc.mock",
    "MockAIProvider": "roomkit.providers.ai.mock",
    "MockAudioPostProcessor": "roomkit.voice.pipeline.postprocessor.mock",
    "MockAudioRecorder": "roomkit.voice.pipeline.recorder.mock",
    "MockBackchannelDetector": "roomkit.voice.pipeline.backchannel.mock",
    "MockDTMFDetector": "roomkit.voice.pipeline.dtmf.mock",
    "MockDenoiserProvider": "roomkit.voice.pipeline.denoiser.mock",
    "MockDiarizationProvider": "roomkit.voice.pipeline.diarization.mock",
    "MockIdentityResolver": "roomkit.identity.mock",
    "MockResamplerProvider": "roomkit.voice.pipeline.resampler.mock",
    "MockSTTProvider": "roomkit.voice.stt.mock",
    "MockTTSProvider": "roomkit.voice.tts.mock",
    "MockTurnDetector": "roomkit.voice.pipeline.turn.mock",
    "MockVADProvider": "roomkit.voice.pipeline.vad.mock",
    "MockVoiceBackend": "roomkit.voice.backends.mock",
}


__getattr__, __dir__ = lazy_exports(__name__, _WHERE, globals())


if TYPE_CHECKING:
    from roomkit.identity.mock import MockIdentityResolver
    from roomkit.providers.ai.mock import MockAIProvider
    from roomkit.voice.backends.mock import MockVoiceBackend
    from roomkit.voice.pipeline.aec.mock import MockAECProvider
    from roomkit.voice.pipeline.agc.mock import MockAGCProvider
    from roomkit.voice.pipeline.backchannel.mock import MockBackchannelDetector
    from roomkit.voice.pipeline.denoiser.mock import MockDenoiserProvider
    from roomkit.voice.pipeline.diarization.mock import MockDiarizationProvider
    from roomkit.voice.pipeline.dtmf.mock import MockDTMFDetector
    from roomkit.voice.pipeline.postprocessor.mock import MockAudioPostProcessor
    from roomkit.voice.pipeline.recorder.mock import MockAudioRecorder
    from roomkit.voice.pipeline.resampler.mock import MockResamplerProvider
    from roomkit.voice.pipeline.turn.mock import MockTurnDetector
    from roomkit.voice.pipeline.vad.mock import MockVADProvider
    from roomkit.voice.stt.mock import MockSTTProvider
    from roomkit.voice.tts.mock import MockTTSProvider
