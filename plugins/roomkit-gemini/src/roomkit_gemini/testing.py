"""Conformance factory for ``roomkit conformance gemini``.

It yields a provider pointed at a process-wide ``llmock`` subprocess on 127.0.0.1 (needs
``pip install roomkit-gemini[test]``), configured with the suite's timeout and no retries,
and registers the wire so the suite can inject faults.
"""

from __future__ import annotations

from contextlib import AbstractAsyncContextManager

from roomkit.providers.ai.base import AIProvider
from roomkit_gemini.provider import GeminiAIProvider

__all__ = ["conformance_instance"]


def conformance_instance() -> AbstractAsyncContextManager[AIProvider]:
    """A :class:`GeminiAIProvider` against the process-wide llmock server."""
    from roomkit_conformance.suites.ai_wire import SUITE_TIMEOUT, llmock_instance

    return llmock_instance(
        "gemini",
        lambda url: GeminiAIProvider(
            api_key="test-key", base_url=url, timeout=SUITE_TIMEOUT, max_retries=0
        ),
    )
