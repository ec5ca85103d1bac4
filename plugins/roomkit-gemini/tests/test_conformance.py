"""GeminiAIProvider passes the AI-provider conformance suite."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from roomkit_gemini import GeminiAIProvider, GeminiConfig

from roomkit_conformance.suites.ai_provider import AIProviderSuite
from roomkit_conformance.wire.llm import LLMockWire


class TestGeminiConformance(AIProviderSuite):
    capabilities = {"streaming", "tools", "vision"}

    @pytest.fixture
    def wire(self, gemini_wire: LLMockWire) -> LLMockWire:
        return gemini_wire

    @pytest.fixture
    async def component(self, gemini_wire: LLMockWire) -> AsyncIterator[GeminiAIProvider]:
        provider = GeminiAIProvider(
            GeminiConfig(
                api_key="test-key",
                base_url=gemini_wire.sdk_root,
                timeout=self.timeout_seconds,
                max_retries=0,
            )
        )
        yield provider
        await provider.close()
