"""RoomKit 0.6.7's module paths of stage implementations resolve to the plugins' objects."""

from __future__ import annotations

import importlib
from collections.abc import Iterator

import pytest

import roomkit.voice.pipeline as pipeline
from roomkit.plugins import PluginNotInstalledError
from roomkit.plugins.catalogue import Catalogue, reset_catalogue

# (0.6.7 module path, names it defined), read off the installed 0.6.7 by introspection
PATHS = [
    ("roomkit.voice.pipeline.aec.speex", ("SpeexAECProvider",)),
    ("roomkit.voice.pipeline.aec.webrtc", ("WebRTCAECProvider",)),
    ("roomkit.voice.pipeline.denoiser.rnnoise", ("RNNoiseDenoiserProvider",)),
    (
        "roomkit.voice.pipeline.denoiser.sherpa_onnx",
        ("SherpaOnnxDenoiserConfig", "SherpaOnnxDenoiserProvider"),
    ),
    ("roomkit.voice.pipeline.recorder.wav", ("WavFileRecorder",)),
    ("roomkit.voice.pipeline.vad.energy", ("EnergyVADProvider",)),
    ("roomkit.voice.pipeline.vad.sherpa_onnx", ("SherpaOnnxVADConfig", "SherpaOnnxVADProvider")),
]


@pytest.mark.parametrize(("path", "names"), PATHS)
def test_the_old_path_gives_the_plugins_object(path: str, names: tuple[str, ...]) -> None:
    module = importlib.import_module(path)
    for name in names:
        assert getattr(module, name) is getattr(pipeline, name)


def test_from_import_at_the_old_path_works() -> None:
    from roomkit.voice.pipeline.aec.webrtc import WebRTCAECProvider

    assert WebRTCAECProvider.__module__.startswith("roomkit_webrtc_aec")


def test_a_name_the_old_module_did_not_define_is_an_attribute_error() -> None:
    module = importlib.import_module("roomkit.voice.pipeline.aec.webrtc")
    with pytest.raises(AttributeError, match="no attribute 'SpeexAECProvider'"):
        _ = module.SpeexAECProvider


@pytest.fixture
def nothing_installed() -> Iterator[None]:
    reset_catalogue(Catalogue([]))
    yield
    reset_catalogue()


def test_a_missing_plugin_names_the_distribution_to_install(nothing_installed: None) -> None:
    with pytest.raises(PluginNotInstalledError) as info:
        from roomkit.voice.pipeline.aec.webrtc import WebRTCAECProvider  # noqa: F401
    assert info.value.distribution == "roomkit-webrtc-aec"
    assert isinstance(info.value, ImportError)
