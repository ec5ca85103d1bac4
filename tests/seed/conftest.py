"""Fixtures of the README-sample tests: the llmock wire fake and a real MCP server."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import pytest

from roomkit_conformance.wire.llm import LLMockServer, LLMockWire
from roomkit_conformance.wire.llm import llmock_server as llmock_server  # fixture


@pytest.fixture
async def gemini_wire(llmock_server: LLMockServer) -> AsyncIterator[LLMockWire]:
    """The Gemini wire of the shared llmock server, reset around the test."""
    wire = llmock_server.wire("gemini")
    await wire.reset()
    yield wire
    await wire.reset()


@pytest.fixture
def mcp_server_url() -> Iterator[str]:
    """A real MCP server (the SDK's, Streamable HTTP) on 127.0.0.1, from roomkit-mcp's testing."""
    testing = pytest.importorskip("roomkit_mcp.testing", reason="roomkit-mcp is not installed")
    server = testing.TestServer()
    server.start()
    try:
        yield server.url
    finally:
        server.stop()
