"""Fixtures of the end-to-end tests: one llmock subprocess per session, reset per test."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from roomkit_conformance.wire.llm import LLMockServer, LLMockWire
from roomkit_conformance.wire.llm import llmock_server as llmock_server  # fixture


@pytest.fixture
async def openai_wire(llmock_server: LLMockServer) -> AsyncIterator[LLMockWire]:
    """The OpenAI wire of the shared llmock server, with no scripted replies or journal."""
    wire = llmock_server.wire("openai")
    await wire.reset()
    yield wire
    await wire.reset()
