"""Test doubles that ship with RoomKit, so applications test without patching anything.

``MockAIProvider`` answers from a script and records every request; ``MockIdentityResolver``
resolves senders from a table; ``MockMemoryProvider`` returns a fixed memory and records its
calls; ``MockTelemetryProvider`` keeps every span and metric; the
messaging mocks (``MockSMSProvider``, ``MockEmailProvider`` ...) record what they send, fail on
demand and receive signed webhooks (see :mod:`roomkit.providers.mock`); the voice doubles
(``MockSTTProvider``, ``MockTTSProvider``, ``MockVoiceBackend`` and a mock of every audio
pipeline stage) are scripted and deterministic (see :mod:`roomkit.voice`). Names load lazily on
first use; the ``if TYPE_CHECKING:`` block below is the one list of them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from roomkit.lazy import TypeCheckingExports, lazy_exports

_EXPORTS = TypeCheckingExports(__name__)

_lookup, __dir__ = lazy_exports(__name__, _EXPORTS, globals())


def __getattr__(name: str) -> Any:
    if name == "__all__":
        names = globals()["__all__"] = sorted(_EXPORTS)
        return names
    return _lookup(name)


if TYPE_CHECKING:
    from roomkit.identity.mock import MockIdentityResolver as MockIdentityResolver
    from roomkit.memory.mock import MockMemoryProvider as MockMemoryProvider
    from roomkit.providers.ai.mock import MockAIProvider as MockAIProvider
    from roomkit.providers.email.mock import MockEmailProvider as MockEmailProvider
    from roomkit.providers.http.mock import MockHTTPProvider as MockHTTPProvider
    from roomkit.providers.messenger.mock import MockMessengerProvider as MockMessengerProvider
    from roomkit.providers.rcs.mock import MockRCSProvider as MockRCSProvider
    from roomkit.providers.sms.mock import MockSMSProvider as MockSMSProvider
    from roomkit.providers.teams.mock import MockTeamsProvider as MockTeamsProvider
    from roomkit.providers.telegram.mock import MockTelegramProvider as MockTelegramProvider
    from roomkit.providers.whatsapp.mock import (
        MockWhatsAppPersonalProvider as MockWhatsAppPersonalProvider,
    )
    from roomkit.providers.whatsapp.mock import MockWhatsAppProvider as MockWhatsAppProvider
    from roomkit.telemetry.mock import MockTelemetryProvider as MockTelemetryProvider
    from roomkit.voice.backends.mock import MockVoiceBackend as MockVoiceBackend
    from roomkit.voice.pipeline.aec.mock import MockAECProvider as MockAECProvider
    from roomkit.voice.pipeline.agc.mock import MockAGCProvider as MockAGCProvider
    from roomkit.voice.pipeline.backchannel.mock import (
        MockBackchannelDetector as MockBackchannelDetector,
    )
    from roomkit.voice.pipeline.denoiser.mock import MockDenoiserProvider as MockDenoiserProvider
    from roomkit.voice.pipeline.diarization.mock import (
        MockDiarizationProvider as MockDiarizationProvider,
    )
    from roomkit.voice.pipeline.dtmf.mock import MockDTMFDetector as MockDTMFDetector
    from roomkit.voice.pipeline.postprocessor.mock import (
        MockAudioPostProcessor as MockAudioPostProcessor,
    )
    from roomkit.voice.pipeline.recorder.mock import MockAudioRecorder as MockAudioRecorder
    from roomkit.voice.pipeline.resampler.mock import MockResamplerProvider as MockResamplerProvider
    from roomkit.voice.pipeline.turn.mock import MockTurnDetector as MockTurnDetector
    from roomkit.voice.pipeline.vad.mock import MockVADProvider as MockVADProvider
    from roomkit.voice.realtime.mock import MockRealtimeProvider as MockRealtimeProvider
    from roomkit.voice.realtime.mock import MockRealtimeTransport as MockRealtimeTransport
    from roomkit.voice.stt.mock import MockSTTProvider as MockSTTProvider
    from roomkit.voice.tts.mock import MockTTSProvider as MockTTSProvider
