"""Thought parts, thought signatures and stream deadlines of the Gemini provider."""

from __future__ import annotations

from typing import Any

from roomkit_gemini import GeminiAIProvider

from roomkit_conformance.suites.ai_streaming import AIStreamingSuite


class TestGeminiStreaming(AIStreamingSuite):
    vendor = "gemini"
    capabilities = {"thinking", "thinking_signature"}

    def build(self, base_url: str, **settings: Any) -> GeminiAIProvider:
        return GeminiAIProvider(api_key="test-key", base_url=base_url, **settings)
