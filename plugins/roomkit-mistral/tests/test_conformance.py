"""roomkit-mistral passes the AI-provider conformance suite and the plugin packaging checks."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from roomkit_mistral import plugin
from roomkit_mistral.testing import conformance_instance

from roomkit.providers.ai.base import AIProvider
from roomkit_conformance.suites.ai_provider import AIPluginSuite, AIProviderSuite


class TestMistralConformance(AIProviderSuite):
    capabilities = {"streaming", "tools", "vision"}

    @pytest.fixture
    async def component(self) -> AsyncIterator[AIProvider]:
        async with conformance_instance() as provider:
            yield provider


class TestMistralPackaging(AIPluginSuite):
    plugin = plugin
    sdk_module = "mistralai"
