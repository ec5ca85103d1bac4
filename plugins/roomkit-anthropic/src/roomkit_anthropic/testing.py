"""Conformance factory for ``roomkit conformance anthropic``.

It yields a provider pointed at a process-wide ``llmock`` subprocess on 127.0.0.1 (needs
``pip install roomkit-anthropic[test]``), configured with the suite's timeout and no retries,
and registers the wire so the suite can inject faults.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from roomkit_anthropic.config import AnthropicConfig
from roomkit_anthropic.provider import AnthropicAIProvider

__all__ = ["conformance_instance"]

#: Matches ``AIProviderSuite.timeout_seconds``.
SUITE_TIMEOUT = 1.0


@asynccontextmanager
async def conformance_instance() -> AsyncIterator[AnthropicAIProvider]:
    """An :class:`AnthropicAIProvider` against the process-wide llmock server."""
    from roomkit_conformance.suites.ai_provider import register_wire
    from roomkit_conformance.wire.llm import shared_server

    wire = (await asyncio.to_thread(shared_server)).wire("anthropic")
    await wire.reset()
    provider = AnthropicAIProvider(
        AnthropicConfig(
            api_key="test-key", base_url=wire.sdk_root, timeout=SUITE_TIMEOUT, max_retries=0
        )
    )
    register_wire(provider, wire)
    try:
        yield provider
    finally:
        await provider.close()
