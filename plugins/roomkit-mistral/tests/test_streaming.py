"""Magistral thinking chunks and stream deadlines of the Mistral provider."""

from __future__ import annotations

from typing import Any

from roomkit_mistral import MistralAIProvider

from roomkit_conformance.suites.ai_streaming import AIStreamingSuite


class TestMistralStreaming(AIStreamingSuite):
    vendor = "mistral"
    capabilities = {"thinking"}

    def build(self, base_url: str, **settings: Any) -> MistralAIProvider:
        return MistralAIProvider(api_key="test-key", server_url=base_url, **settings)
