"""MistralAIProvider passes the AI-provider conformance suite."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from roomkit_mistral import MistralAIProvider, MistralConfig

from roomkit_conformance.suites.ai_provider import AIProviderSuite
from roomkit_conformance.wire.llm import LLMockWire


class TestMistralConformance(AIProviderSuite):
    capabilities = {"streaming", "tools", "vision"}

    @pytest.fixture
    def wire(self, mistral_wire: LLMockWire) -> LLMockWire:
        return mistral_wire

    @pytest.fixture
    async def component(self, mistral_wire: LLMockWire) -> AsyncIterator[MistralAIProvider]:
        provider = MistralAIProvider(
            MistralConfig(
                api_key="test-key",
                server_url=mistral_wire.sdk_root,
                timeout=self.timeout_seconds,
                max_retries=0,
            )
        )
        yield provider
        await provider.close()
