"""Conformance factory for ``roomkit conformance mistral``.

It yields a provider pointed at a process-wide ``llmock`` subprocess on 127.0.0.1 (needs
``pip install roomkit-mistral[test]``), configured with the suite's timeout and no retries,
and registers the wire so the suite can inject faults.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from roomkit_mistral.config import MistralConfig
from roomkit_mistral.provider import MistralAIProvider

__all__ = ["conformance_instance"]

#: Matches ``AIProviderSuite.timeout_seconds``.
SUITE_TIMEOUT = 1.0


@asynccontextmanager
async def conformance_instance() -> AsyncIterator[MistralAIProvider]:
    """A :class:`MistralAIProvider` against the process-wide llmock server."""
    from roomkit_conformance.suites.ai_provider import register_wire
    from roomkit_conformance.wire.llm import shared_server

    wire = (await asyncio.to_thread(shared_server)).wire("mistral")
    await wire.reset()
    provider = MistralAIProvider(
        MistralConfig(
            api_key="test-key",
            server_url=wire.sdk_root,
            timeout=SUITE_TIMEOUT,
            max_retries=0,
        )
    )
    register_wire(provider, wire)
    try:
        yield provider
    finally:
        await provider.close()
