"""Fixtures of the README-sample tests: the llmock wire fake, a real MCP server, PostgreSQL."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from roomkit_conformance.wire.llm import LLMockServer, LLMockWire
from roomkit_conformance.wire.llm import llmock_server as llmock_server  # fixture

MCP_SERVER = Path(__file__).with_name("mcp_tools_server.py")


@pytest.fixture
async def gemini_wire(llmock_server: LLMockServer) -> AsyncIterator[LLMockWire]:
    """The Gemini wire of the shared llmock server, reset around the test."""
    wire = llmock_server.wire("gemini")
    await wire.reset()
    yield wire
    await wire.reset()


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@pytest.fixture
def mcp_server_url() -> Iterator[str]:
    """A real MCP server (Streamable HTTP) on 127.0.0.1 serving ``mcp_tools_server.py``."""
    pytest.importorskip("mcp", reason="the mcp SDK comes with roomkit-mcp")
    port = _free_port()
    process = subprocess.Popen(
        [sys.executable, str(MCP_SERVER), str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            if process.poll() is not None:
                pytest.fail(f"the MCP test server exited with {process.returncode}")
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                    break
            except OSError:
                if time.monotonic() > deadline:
                    pytest.fail("the MCP test server did not listen within 30 s")
                time.sleep(0.05)
        yield f"http://127.0.0.1:{port}/mcp"
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)
