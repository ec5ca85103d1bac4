"""Thinking blocks and stream deadlines of the Anthropic provider over the scripted wire."""

from __future__ import annotations

from typing import Any

from roomkit_anthropic import AnthropicAIProvider

from roomkit_conformance.suites.ai_streaming import AIStreamingSuite


class TestAnthropicStreaming(AIStreamingSuite):
    vendor = "anthropic"
    capabilities = {"thinking", "thinking_signature"}

    def build(self, base_url: str, **settings: Any) -> AnthropicAIProvider:
        return AnthropicAIProvider(api_key="test-key", base_url=base_url, **settings)
