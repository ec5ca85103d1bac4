"""Conformance factories for ``roomkit conformance openai``.

Each yields a provider pointed at a process-wide ``llmock`` subprocess on 127.0.0.1 (needs
``pip install roomkit-openai[test]``), configured with the suite's timeout and no retries,
and registers the wire so the suite can inject faults.
"""

from __future__ import annotations

from contextlib import AbstractAsyncContextManager

from roomkit.providers.ai.base import AIProvider
from roomkit_openai.provider import OpenAIAIProvider
from roomkit_openai.vllm import create_vllm_provider

__all__ = ["conformance_instance", "vllm_conformance_instance"]


def conformance_instance() -> AbstractAsyncContextManager[AIProvider]:
    """An :class:`OpenAIAIProvider` against the process-wide llmock server."""
    from roomkit_conformance.suites.ai_wire import SUITE_TIMEOUT, llmock_instance

    return llmock_instance(
        "openai",
        lambda url: OpenAIAIProvider(
            api_key="test-key", base_url=url, timeout=SUITE_TIMEOUT, max_retries=0
        ),
    )


def vllm_conformance_instance() -> AbstractAsyncContextManager[AIProvider]:
    """A :func:`create_vllm_provider` provider against the process-wide llmock server."""
    from roomkit_conformance.suites.ai_wire import SUITE_TIMEOUT, llmock_instance

    return llmock_instance(
        "openai",
        lambda url: create_vllm_provider(
            url, "gpt-4o", api_key="test-key", timeout=SUITE_TIMEOUT, max_retries=0
        ),
    )
