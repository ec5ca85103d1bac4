"""Reasoning and stream deadlines of the OpenAI provider over the scripted wire."""

from __future__ import annotations

from typing import Any

from roomkit_openai import OpenAIAIProvider, create_vllm_provider

from roomkit_conformance.suites.ai_streaming import AIStreamingSuite


class TestOpenAIStreaming(AIStreamingSuite):
    """OpenAI-compatible servers (vLLM, DeepSeek) send ``reasoning_content``."""

    vendor = "openai"
    capabilities = {"thinking"}

    def build(self, base_url: str, **settings: Any) -> OpenAIAIProvider:
        return OpenAIAIProvider(api_key="test-key", base_url=base_url, **settings)


class TestVLLMStreaming(AIStreamingSuite):
    vendor = "openai"
    capabilities = {"thinking"}

    def build(self, base_url: str, **settings: Any) -> OpenAIAIProvider:
        return create_vllm_provider(base_url, "qwen3-8b", **settings)
