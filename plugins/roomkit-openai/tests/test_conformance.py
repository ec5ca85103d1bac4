"""OpenAIAIProvider and create_vllm_provider pass the AI-provider conformance suite."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from roomkit_openai import plugin
from roomkit_openai.testing import conformance_instance, vllm_conformance_instance

from roomkit.providers.ai.base import AIProvider
from roomkit_conformance.suites.ai_provider import AIPluginSuite, AIProviderSuite


class TestOpenAIConformance(AIProviderSuite):
    capabilities = {"streaming", "tools", "vision"}

    @pytest.fixture
    async def component(self) -> AsyncIterator[AIProvider]:
        async with conformance_instance() as provider:
            yield provider


class TestVLLMConformance(AIProviderSuite):
    capabilities = {"streaming", "tools", "vision"}

    @pytest.fixture
    async def component(self) -> AsyncIterator[AIProvider]:
        async with vllm_conformance_instance() as provider:
            yield provider


class TestOpenAIPackaging(AIPluginSuite):
    plugin = plugin
    sdk_module = "openai"
