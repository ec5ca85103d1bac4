"""Packaging checks shared by every AI-provider plugin distribution."""

from __future__ import annotations

import subprocess
import sys
from types import ModuleType
from typing import ClassVar

import pytest
from pydantic import BaseModel

from roomkit.models.ai import AIContext, AIMessage
from roomkit.plugins import ComponentDescriptor, load_ref
from roomkit_conformance.suites.ai_wire import wire_for

__all__ = ["AIPluginSuite"]


def _text_context(text: str) -> AIContext:
    return AIContext(messages=[AIMessage(role="user", content=text)])


class AIPluginSuite:
    """Packaging checks every AI-provider plugin distribution passes.

    Set :attr:`plugin` (the ``roomkit_<name>.plugin`` module) and :attr:`sdk_module` (the
    vendor SDK's import name)::

        class TestPackaging(AIPluginSuite):
            plugin = roomkit_anthropic.plugin
            sdk_module = "anthropic"
    """

    plugin: ClassVar[ModuleType]
    sdk_module: ClassVar[str]

    def _descriptors(self) -> list[ComponentDescriptor]:
        found: list[ComponentDescriptor] = []
        self.plugin.roomkit_register_ai_providers(found.append)
        assert found, "the plugin registers no AI provider"
        return found

    def test_descriptors_resolve(self) -> None:
        info = self.plugin.roomkit_plugin_info()
        package = self.plugin.__name__.rsplit(".", 1)[0]
        assert info.distribution == package.replace("_", "-")
        for descriptor in self._descriptors():
            assert descriptor.kind == "ai_provider"
            assert callable(load_ref(descriptor.factory))
            if descriptor.config_model:
                assert issubclass(load_ref(descriptor.config_model), BaseModel)
            if descriptor.conformance:
                assert callable(load_ref(descriptor.conformance))

    def test_importing_the_package_does_not_import_the_sdk(self) -> None:
        package = self.plugin.__name__.rsplit(".", 1)[0]
        code = (
            f"import sys, {package}, {package}.plugin, {package}.testing;"
            f"sys.exit(1 if {self.sdk_module!r} in sys.modules else 0)"
        )
        assert subprocess.run([sys.executable, "-c", code], check=False).returncode == 0

    @pytest.mark.asyncio
    async def test_conformance_factories_build_working_providers(self) -> None:
        factories = [d.conformance for d in self._descriptors() if d.conformance]
        assert factories, "no descriptor names a conformance factory"
        for factory in factories:
            async with load_ref(factory)() as provider:
                wire = wire_for(provider)
                assert wire is not None, f"{factory} registered no wire"
                await wire.reply("from the factory")
                response = await provider.generate(_text_context("hello"))
                assert response.content == "from the factory"
