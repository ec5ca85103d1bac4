"""The plugin module registers lazily and the package does not import the openai SDK."""

from __future__ import annotations

import importlib
import subprocess
import sys

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


def test_importing_the_package_does_not_import_the_sdk() -> None:
    code = (
        "import sys, roomkit_openai, roomkit_openai.plugin, roomkit_openai.testing;"
        "sys.exit(1 if 'openai' in sys.modules else 0)"
    )
    assert subprocess.run([sys.executable, "-c", code], check=False).returncode == 0


def test_roomkit_exports_resolve_to_this_plugin() -> None:
    from roomkit_openai import OpenAIAIProvider, create_vllm_provider

    import roomkit

    assert roomkit.OpenAIAIProvider is OpenAIAIProvider
    assert roomkit.create_vllm_provider is create_vllm_provider


async def test_conformance_factory_builds_a_working_provider() -> None:
    from roomkit_openai.testing import conformance_instance

    from roomkit.models.ai import AIContext, AIMessage
    from roomkit_conformance.suites.ai_provider import wire_for

    async with conformance_instance() as provider:
        wire = wire_for(provider)
        assert wire is not None
        await wire.reply("from the factory")
        response = await provider.generate(
            AIContext(messages=[AIMessage(role="user", content="hi")])
        )
        assert response.content == "from the factory"
