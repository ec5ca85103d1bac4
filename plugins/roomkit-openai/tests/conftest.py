"""Shared fixtures: one llmock subprocess per session, reset around each test."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from roomkit_conformance.wire.llm import LLMockServer, LLMockWire
from roomkit_conformance.wire.llm import llmock_server as llmock_server  # fixture


@pytest.fixture
async def openai_wire(llmock_server: LLMockServer) -> AsyncIterator[LLMockWire]:
    wire = llmock_server.wire("openai")
    await wire.reset()
    yield wire
    await wire.reset()
