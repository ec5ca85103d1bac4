"""roomkit-anthropic passes the AI-provider conformance suite and the plugin packaging checks."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from roomkit_anthropic import plugin
from roomkit_anthropic.testing import conformance_instance

from roomkit.providers.ai.base import AIProvider
from roomkit_conformance.suites.ai_provider import AIPluginSuite, AIProviderSuite


class TestAnthropicConformance(AIProviderSuite):
    capabilities = {"streaming", "tools", "vision"}

    @pytest.fixture
    async def component(self) -> AsyncIterator[AIProvider]:
        async with conformance_instance() as provider:
            yield provider


class TestAnthropicPackaging(AIPluginSuite):
    plugin = plugin
    sdk_module = "anthropic"
