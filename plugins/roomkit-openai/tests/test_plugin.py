"""The plugin module registers lazily and the package does not import the openai SDK."""

from __future__ import annotations

import importlib

from roomkit_openai import plugin

from roomkit.plugins import ComponentDescriptor, load_ref


def _descriptors() -> list[ComponentDescriptor]:
    found: list[ComponentDescriptor] = []
    plugin.roomkit_register_ai_providers(found.append)
    return found


def test_plugin_info() -> None:
    info = plugin.roomkit_plugin_info()
    assert (info.name, info.distribution, info.version) == ("openai", "roomkit-openai", "0.1.0")


def test_descriptors_resolve_and_exports_live_in_the_factory_module() -> None:
    descriptors = {d.name: d for d in _descriptors()}
    assert set(descriptors) == {"openai", "azure-openai", "vllm"}
    for descriptor in descriptors.values():
        assert descriptor.kind == "ai_provider"
        assert descriptor.capabilities == {"streaming", "tools", "vision"}
        assert callable(load_ref(descriptor.factory))
        assert descriptor.config_model
        assert load_ref(descriptor.config_model)
        module = importlib.import_module(descriptor.factory.partition(":")[0])
        for name in descriptor.exports:
            assert hasattr(module, name), name
        if descriptor.conformance:
            assert callable(load_ref(descriptor.conformance))


def test_roomkit_exports_resolve_to_this_plugin() -> None:
    from roomkit_openai import OpenAIAIProvider, create_vllm_provider

    import roomkit

    assert roomkit.OpenAIAIProvider is OpenAIAIProvider
    assert roomkit.create_vllm_provider is create_vllm_provider
