"""Conformance fixtures for ``roomkit conformance mcp``, and the MCP server they start.

:class:`MCPConformanceFixtures` is the descriptor's ``conformance`` reference: the runner mixes
it into :class:`~roomkit_conformance.suites.tool_provider.ToolProviderSuite`. Its ``component``
fixture starts a real MCP server (``python -m roomkit_mcp.testing PORT``, the SDK's
``MCPServer`` over Streamable HTTP on 127.0.0.1, needs ``pip install roomkit-mcp[test]``) on a
free port, yields an :class:`~roomkit_mcp.provider.MCPToolProvider` pointed at it, and stops
both afterwards.
"""

from __future__ import annotations

import asyncio
import socket
import subprocess
import sys
import time
from collections.abc import AsyncIterator
from typing import Any, ClassVar

import pytest_asyncio

from roomkit.errors import ConfigurationError
from roomkit_mcp.provider import MCPToolProvider

__all__ = ["MCPConformanceFixtures", "TestServer", "build_server", "free_port"]

#: Seconds the server may take to accept connections.
START_TIMEOUT = 20.0


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def build_server() -> Any:
    """The test MCP server: ``add``, ``get_weather``, ``explode`` (always fails), ``slow``."""
    from mcp.server.mcpserver import MCPServer

    server = MCPServer("roomkit-conformance-tools")

    @server.tool()
    def add(a: int, b: int) -> int:
        """Add two integers."""
        return a + b

    @server.tool()
    def get_weather(city: str, days: int = 1) -> str:
        """Current weather for a city."""
        return f"{city}: sunny for {days} day(s)"

    @server.tool()
    def explode() -> str:
        """Always fails."""
        raise ValueError("kaboom")

    @server.tool()
    async def slow(seconds: float) -> str:
        """Answer after ``seconds``."""
        await asyncio.sleep(seconds)
        return "done"

    return server


class TestServer:
    """The test MCP server in a subprocess on ``127.0.0.1:port``."""

    __test__ = False  # not a pytest test class

    def __init__(self, port: int | None = None) -> None:
        self.port = port if port is not None else free_port()
        self.url = f"http://127.0.0.1:{self.port}/mcp"
        self._process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        """Start the server and wait until it accepts connections.

        Raises:
            ConfigurationError: the server exited or did not listen within ``START_TIMEOUT``
                (is ``uvicorn`` installed? ``pip install roomkit-mcp[test]``).
        """
        self._process = subprocess.Popen(
            [sys.executable, "-m", "roomkit_mcp.testing", str(self.port)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            code = self._process.poll()
            if code is not None:
                self._process = None
                raise ConfigurationError(
                    f"MCP test server exited with {code}; install roomkit-mcp[test]"
                )
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.5):
                    return
            except OSError:
                time.sleep(0.05)
        self.stop()
        raise ConfigurationError(f"MCP test server did not listen within {START_TIMEOUT:g} s")

    def stop(self) -> None:
        """Stop the server (no-op when it is not running)."""
        process, self._process = self._process, None
        if process is not None and process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=5)


class MCPConformanceFixtures:
    """The calls and ``component`` fixture the tool-provider suite needs."""

    sample_call: ClassVar[tuple[str, dict[str, Any]]] = ("add", {"a": 1, "b": 2})
    sample_expected: ClassVar[str] = "3"
    failing_call: ClassVar[tuple[str, dict[str, Any]]] = ("explode", {})
    slow_call: ClassVar[tuple[str, dict[str, Any]]] = ("slow", {"seconds": 5})

    @pytest_asyncio.fixture
    async def component(self) -> AsyncIterator[MCPToolProvider]:
        """A provider connected to a fresh test server."""
        server = TestServer()
        await asyncio.to_thread(server.start)
        provider = MCPToolProvider(server_url=server.url, timeout=15.0)
        try:
            yield provider
        finally:
            await provider.close()
            await asyncio.to_thread(server.stop)


if __name__ == "__main__":
    build_server().run("streamable-http", host="127.0.0.1", port=int(sys.argv[1]))
