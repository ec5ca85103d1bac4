"""Conformance factories for ``roomkit conformance openai``.

Each yields a provider pointed at a process-wide ``llmock`` subprocess on 127.0.0.1 (needs
``pip install roomkit-openai[test]``), configured with the suite's timeout and no retries,
and registers the wire so the suite can inject faults.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from roomkit_openai.config import OpenAIConfig
from roomkit_openai.provider import OpenAIAIProvider
from roomkit_openai.vllm import create_vllm_provider

__all__ = ["conformance_instance", "vllm_conformance_instance"]

#: Matches ``AIProviderSuite.timeout_seconds``.
SUITE_TIMEOUT = 1.0


@asynccontextmanager
async def conformance_instance() -> AsyncIterator[OpenAIAIProvider]:
    """An :class:`OpenAIAIProvider` against the process-wide llmock server."""
    from roomkit_conformance.suites.ai_provider import register_wire
    from roomkit_conformance.wire.llm import shared_server

    wire = (await asyncio.to_thread(shared_server)).wire("openai")
    await wire.reset()
    provider = OpenAIAIProvider(
        OpenAIConfig(
            api_key="test-key",
            base_url=wire.base_url,
            timeout=SUITE_TIMEOUT,
            max_retries=0,
        )
    )
    register_wire(provider, wire)
    try:
        yield provider
    finally:
        await provider.close()


@asynccontextmanager
async def vllm_conformance_instance() -> AsyncIterator[OpenAIAIProvider]:
    """A :func:`create_vllm_provider` provider against the process-wide llmock server."""
    from roomkit_conformance.suites.ai_provider import register_wire
    from roomkit_conformance.wire.llm import shared_server

    wire = (await asyncio.to_thread(shared_server)).wire("openai")
    await wire.reset()
    provider = create_vllm_provider(wire.base_url, "gpt-4o", timeout=SUITE_TIMEOUT, max_retries=0)
    register_wire(provider, wire)
    try:
        yield provider
    finally:
        await provider.close()
