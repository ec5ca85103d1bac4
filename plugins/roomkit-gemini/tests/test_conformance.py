"""roomkit-gemini passes the AI-provider conformance suite and the plugin packaging checks."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from roomkit_gemini import plugin
from roomkit_gemini.testing import conformance_instance

from roomkit.providers.ai.base import AIProvider
from roomkit_conformance.suites.ai_provider import AIPluginSuite, AIProviderSuite


class TestGeminiConformance(AIProviderSuite):
    capabilities = {"streaming", "tools", "vision"}

    @pytest.fixture
    async def component(self) -> AsyncIterator[AIProvider]:
        async with conformance_instance() as provider:
            yield provider


class TestGeminiPackaging(AIPluginSuite):
    plugin = plugin
    sdk_module = "google.genai"
