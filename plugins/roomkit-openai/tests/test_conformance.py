"""OpenAIAIProvider and create_vllm_provider pass the AI-provider conformance suite."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from roomkit_openai import OpenAIAIProvider, OpenAIConfig, create_vllm_provider

from roomkit_conformance.suites.ai_provider import AIProviderSuite
from roomkit_conformance.wire.llm import LLMockWire


class TestOpenAIConformance(AIProviderSuite):
    capabilities = {"streaming", "tools", "vision"}

    @pytest.fixture
    def wire(self, openai_wire: LLMockWire) -> LLMockWire:
        return openai_wire

    @pytest.fixture
    async def component(self, openai_wire: LLMockWire) -> AsyncIterator[OpenAIAIProvider]:
        provider = OpenAIAIProvider(
            OpenAIConfig(
                api_key="test-key",
                base_url=openai_wire.base_url,
                timeout=self.timeout_seconds,
                max_retries=0,
            )
        )
        yield provider
        await provider.close()


class TestVLLMConformance(AIProviderSuite):
    capabilities = {"streaming", "tools", "vision"}

    @pytest.fixture
    def wire(self, openai_wire: LLMockWire) -> LLMockWire:
        return openai_wire

    @pytest.fixture
    async def component(self, openai_wire: LLMockWire) -> AsyncIterator[OpenAIAIProvider]:
        provider = create_vllm_provider(
            openai_wire.base_url, "gpt-4o", timeout=self.timeout_seconds, max_retries=0
        )
        yield provider
        await provider.close()
