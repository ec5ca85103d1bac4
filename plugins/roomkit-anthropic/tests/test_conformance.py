"""AnthropicAIProvider passes the AI-provider conformance suite."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from roomkit_anthropic import AnthropicAIProvider, AnthropicConfig

from roomkit_conformance.suites.ai_provider import AIProviderSuite
from roomkit_conformance.wire.llm import LLMockWire


class TestAnthropicConformance(AIProviderSuite):
    capabilities = {"streaming", "tools", "vision"}

    @pytest.fixture
    def wire(self, anthropic_wire: LLMockWire) -> LLMockWire:
        return anthropic_wire

    @pytest.fixture
    async def component(self, anthropic_wire: LLMockWire) -> AsyncIterator[AnthropicAIProvider]:
        provider = AnthropicAIProvider(
            AnthropicConfig(
                api_key="test-key",
                base_url=anthropic_wire.sdk_root,
                timeout=self.timeout_seconds,
                max_retries=0,
            )
        )
        yield provider
        await provider.close()
