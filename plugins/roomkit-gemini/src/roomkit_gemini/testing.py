"""Conformance factory for ``roomkit conformance gemini``.

It yields a provider pointed at a process-wide ``llmock`` subprocess on 127.0.0.1 (needs
``pip install roomkit-gemini[test]``), configured with the suite's timeout and no retries,
and registers the wire so the suite can inject faults.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from roomkit_gemini.config import GeminiConfig
from roomkit_gemini.provider import GeminiAIProvider

__all__ = ["conformance_instance"]

#: Matches ``AIProviderSuite.timeout_seconds``.
SUITE_TIMEOUT = 1.0


@asynccontextmanager
async def conformance_instance() -> AsyncIterator[GeminiAIProvider]:
    """A :class:`GeminiAIProvider` against the process-wide llmock server."""
    from roomkit_conformance.suites.ai_provider import register_wire
    from roomkit_conformance.wire.llm import shared_server

    wire = (await asyncio.to_thread(shared_server)).wire("gemini")
    await wire.reset()
    provider = GeminiAIProvider(
        GeminiConfig(
            api_key="test-key", base_url=wire.sdk_root, timeout=SUITE_TIMEOUT, max_retries=0
        )
    )
    register_wire(provider, wire)
    try:
        yield provider
    finally:
        await provider.close()
