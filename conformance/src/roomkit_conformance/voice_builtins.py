"""Conformance factories of the kernel's built-in voice components (mocks and the pure-Python
stages), re-exported by :mod:`roomkit_conformance.builtins`."""

from __future__ import annotations

from typing import Any

from roomkit_conformance.suites.audio_stage import StageHarness
from roomkit_conformance.suites.realtime_voice import RealtimeHarness
from roomkit_conformance.suites.stt import STTHarness
from roomkit_conformance.suites.voice_backend import BackendHarness

__all__ = [
    "linear_resampler",
    "mock_aec",
    "mock_agc",
    "mock_backchannel",
    "mock_denoiser",
    "mock_diarization",
    "mock_dtmf",
    "mock_postprocessor",
    "mock_realtime_voice",
    "mock_recorder",
    "mock_resampler",
    "mock_stt",
    "mock_tts",
    "mock_turn_detector",
    "mock_vad",
    "mock_voice_backend",
    "phrase_backchannel",
    "voice_channel",
]


def mock_stt() -> STTHarness:
    """A streaming :class:`~roomkit.voice.stt.mock.MockSTTProvider` that hears "hello world"."""
    from roomkit.voice.stt.mock import MockSTTProvider

    provider = MockSTTProvider(["hello world"], streaming=True, partials=True)
    return STTHarness(provider, expected_text="hello world")


def mock_tts() -> Any:
    """A :class:`~roomkit.voice.tts.mock.MockTTSProvider`."""
    from roomkit.voice.tts.mock import MockTTSProvider

    return MockTTSProvider()


async def mock_voice_backend() -> Any:
    """A :class:`~roomkit.voice.backends.mock.MockVoiceBackend`; inbound audio is simulated."""
    from roomkit.voice.backends.mock import MockVoiceBackend

    backend = MockVoiceBackend()
    yield BackendHarness(backend, inject=backend.simulate_audio_received)
    await backend.close()


async def mock_realtime_voice() -> Any:
    """A :class:`~roomkit.voice.realtime.mock.MockRealtimeProvider`; the model side answers
    through its ``simulate_*`` methods."""
    from roomkit.voice.pcm import tone
    from roomkit.voice.realtime.mock import MockRealtimeProvider

    provider = MockRealtimeProvider()

    async def respond(session: Any) -> None:
        await provider.simulate_response_start(session)
        await provider.simulate_audio(session, tone(300, 40, 24000))
        await provider.simulate_transcription(session, "Hello there.", "assistant", True)
        await provider.simulate_response_end(session)

    yield RealtimeHarness(provider, respond=respond)
    await provider.close()


def mock_vad() -> StageHarness:
    """A scripted VAD: speech from the 13th frame to the 39th of each session."""
    from roomkit.voice.pipeline.vad.base import VADEvent, VADEventType
    from roomkit.voice.pipeline.vad.mock import MockVADProvider

    start, end = VADEvent(VADEventType.SPEECH_START), VADEvent(VADEventType.SPEECH_END)
    return StageHarness(MockVADProvider([None] * 12 + [start] + [None] * 25 + [end]))


def mock_aec() -> Any:
    from roomkit.voice.pipeline.aec.mock import MockAECProvider

    return MockAECProvider()


def mock_agc() -> Any:
    from roomkit.voice.pipeline.agc.mock import MockAGCProvider

    return MockAGCProvider()


def mock_denoiser() -> Any:
    from roomkit.voice.pipeline.denoiser.mock import MockDenoiserProvider

    return MockDenoiserProvider()


def mock_postprocessor() -> Any:
    from roomkit.voice.pipeline.postprocessor.mock import MockAudioPostProcessor

    return MockAudioPostProcessor()


def mock_diarization() -> Any:
    """A scripted diarizer: speaker 1 on the first frame, speaker 2 on the twelfth."""
    from roomkit.voice.pipeline.diarization.base import DiarizationResult
    from roomkit.voice.pipeline.diarization.mock import MockDiarizationProvider

    one, two = DiarizationResult("spk-1", 0.9, True), DiarizationResult("spk-2", 0.8, True)
    return MockDiarizationProvider([one] + [None] * 10 + [two])


def mock_dtmf() -> Any:
    """A scripted DTMF detector: a "5" on the sixth frame."""
    from roomkit.voice.pipeline.dtmf.base import DTMFEvent
    from roomkit.voice.pipeline.dtmf.mock import MockDTMFDetector

    return MockDTMFDetector([None] * 5 + [DTMFEvent("5", 80.0)])


def mock_recorder() -> Any:
    from roomkit.voice.pipeline.recorder.mock import MockAudioRecorder

    return MockAudioRecorder()


def mock_resampler() -> Any:
    from roomkit.voice.pipeline.resampler.mock import MockResamplerProvider

    return MockResamplerProvider()


def linear_resampler() -> Any:
    from roomkit.voice.pipeline.resampler.linear import LinearResamplerProvider

    return LinearResamplerProvider()


def mock_turn_detector() -> Any:
    from roomkit.voice.pipeline.turn.base import TurnDecision
    from roomkit.voice.pipeline.turn.mock import MockTurnDetector

    return MockTurnDetector([TurnDecision(False, 0.6), TurnDecision(True, 0.9)])


def mock_backchannel() -> Any:
    from roomkit.voice.pipeline.backchannel.base import BackchannelDecision
    from roomkit.voice.pipeline.backchannel.mock import MockBackchannelDetector

    return MockBackchannelDetector([BackchannelDecision(True, 0.8, "uh-huh")])


def phrase_backchannel() -> Any:
    from roomkit.voice.pipeline.backchannel.phrases import PhraseBackchannelDetector

    return PhraseBackchannelDetector()


async def voice_channel() -> Any:
    """A voice channel built by name from the mock speech components (a bare channel: its
    deliveries go to live sessions, which the channel suite's rooms do not have)."""
    from roomkit.channels.voice.config import VoiceChannelConfig, build_voice_channel

    config = VoiceChannelConfig(
        channel_id="voice-conformance", stt="mock", tts="mock", backend="mock", vad="mock-vad"
    )
    channel = build_voice_channel(config)
    yield channel
    await channel.close()
