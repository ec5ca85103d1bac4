"""The voice name tables: sorted, complete, importable, at RoomKit 0.6.7's paths."""

from __future__ import annotations

import importlib
import inspect

import pytest

import roomkit.testing
import roomkit.voice
import roomkit.voice.pipeline
from roomkit.voice.pipeline.config import STAGE_FIELDS, STAGE_ROLES
from roomkit.voice.stage import AudioStage


@pytest.mark.parametrize("package", [roomkit.voice, roomkit.voice.pipeline])
def test_all_matches_the_lazy_table(package: object) -> None:
    names = package.__all__  # type: ignore[attr-defined]
    assert names == sorted(names)
    assert set(names) == set(package._EXPORTS)  # type: ignore[attr-defined]
    for name in names:
        module = importlib.import_module(package._EXPORTS[name])  # type: ignore[attr-defined]
        assert getattr(package, name) is getattr(module, name)
        assert name in module.__all__


@pytest.mark.parametrize(
    ("module", "name"),
    [
        ("roomkit.voice.audio_frame", "AudioFrame"),
        ("roomkit.voice.base", "VoiceSession"),
        ("roomkit.voice.events", "BargeInEvent"),
        ("roomkit.voice.backends.base", "VoiceBackend"),
        ("roomkit.voice.backends.mock", "MockVoiceBackend"),
        ("roomkit.voice.stt.base", "STTProvider"),
        ("roomkit.voice.stt.mock", "MockSTTProvider"),
        ("roomkit.voice.tts.base", "TTSProvider"),
        ("roomkit.voice.tts.mock", "MockTTSProvider"),
        ("roomkit.voice.tts.sentence_splitter", "split_sentences"),
        ("roomkit.voice.interruption", "InterruptionStrategy"),
        ("roomkit.voice.pipeline.config", "AudioPipelineConfig"),
        ("roomkit.voice.pipeline.engine", "AudioPipeline"),
        ("roomkit.voice.pipeline.vad.base", "VADConfig"),
        ("roomkit.voice.pipeline.vad.mock", "MockVADProvider"),
        ("roomkit.voice.pipeline.aec.mock", "MockAECProvider"),
        ("roomkit.voice.pipeline.agc.base", "AGCConfig"),
        ("roomkit.voice.pipeline.denoiser.mock", "MockDenoiserProvider"),
        ("roomkit.voice.pipeline.diarization.base", "DiarizationResult"),
        ("roomkit.voice.pipeline.dtmf.base", "DTMFEvent"),
        ("roomkit.voice.pipeline.recorder.base", "RecordingConfig"),
        ("roomkit.voice.pipeline.resampler.linear", "LinearResamplerProvider"),
        ("roomkit.voice.pipeline.resampler.mock", "MockResamplerProvider"),
        ("roomkit.voice.pipeline.turn.base", "TurnContext"),
        ("roomkit.voice.pipeline.backchannel.mock", "MockBackchannelDetector"),
        ("roomkit.voice.pipeline.postprocessor.base", "AudioPostProcessor"),
    ],
)
def test_roomkit_067_import_paths(module: str, name: str) -> None:
    assert hasattr(importlib.import_module(module), name)


def test_every_stage_role_has_a_contract_and_a_mock_in_roomkit_testing() -> None:
    mocks = [getattr(roomkit.testing, n) for n in roomkit.testing.__all__]
    assert set(STAGE_FIELDS.values()) | {"postprocessor"} == set(STAGE_ROLES)
    for role, contract in STAGE_ROLES.items():
        assert issubclass(contract, AudioStage), role
        assert inspect.isabstract(contract), role
        assert any(issubclass(m, contract) for m in mocks), f"no mock for {role}"
    for contract in (
        roomkit.voice.STTProvider,
        roomkit.voice.TTSProvider,
        roomkit.voice.VoiceBackend,
    ):
        assert any(issubclass(m, contract) for m in mocks), contract


def test_plugin_names_resolve_through_the_catalogue() -> None:
    sherpa = pytest.importorskip("roomkit_sherpa_onnx")  # installed by `make install`
    assert roomkit.voice.SherpaOnnxVADProvider is sherpa.SherpaOnnxVADProvider
    with pytest.raises((ImportError, AttributeError), match="roomkit-sip"):
        roomkit.voice.SIPVoiceBackend  # noqa: B018  (planned, not built)
    with pytest.raises(AttributeError):
        roomkit.voice.NoSuchVoiceThing  # noqa: B018
