"""Packaging: the entry point registers every stage, and the 0.6.7 names resolve from
``roomkit.voice.pipeline``."""

from __future__ import annotations

import importlib
import importlib.resources

import roomkit_audio
from roomkit_audio import plugin

from roomkit.plugins.catalogue import Catalogue


def test_descriptors_load_their_factories_and_exports() -> None:
    catalogue = Catalogue.load(autoload=False, modules={"audio": "roomkit_audio.plugin"})
    record = catalogue.plugin("audio")
    assert record.ok, record.error
    names = {d.name for d in record.components}
    assert names == {"soxr-resampler", "energy-vad", "energy-agc", "goertzel-dtmf", "wav-recorder"}
    for descriptor in record.components:
        module, _, attr = descriptor.factory.partition(":")
        factory = getattr(importlib.import_module(module), attr)
        assert descriptor.exports == (attr,)
        assert getattr(roomkit_audio, attr) is factory
    assert plugin.roomkit_plugin_info().distribution == "roomkit-audio"


def test_0_6_7_names_resolve_from_roomkit_voice_pipeline() -> None:
    from roomkit.voice.pipeline import EnergyVADProvider, WavFileRecorder

    assert EnergyVADProvider is roomkit_audio.EnergyVADProvider
    assert WavFileRecorder is roomkit_audio.WavFileRecorder


def test_py_typed_is_shipped() -> None:
    assert (importlib.resources.files("roomkit_audio") / "py.typed").is_file()
