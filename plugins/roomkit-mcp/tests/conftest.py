"""A real MCP server (mcp's MCPServer, formerly FastMCP) over Streamable HTTP on 127.0.0.1."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

SERVER_SCRIPT = Path(__file__).with_name("mcp_server.py")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


class MCPServerProcess:
    """``mcp_server.py`` in a subprocess; ``start``/``stop`` may be called repeatedly."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.url = f"http://127.0.0.1:{port}/mcp"
        self._process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        self._process = subprocess.Popen(
            [sys.executable, str(SERVER_SCRIPT), str(self.port)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                raise RuntimeError(f"MCP test server exited with {self._process.returncode}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.5):
                    return
            except OSError:
                time.sleep(0.05)
        self.stop()
        raise RuntimeError("MCP test server did not start within 20 s")

    def stop(self) -> None:
        process, self._process = self._process, None
        if process is not None and process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=5)


@pytest.fixture(scope="session")
def mcp_server() -> Iterator[MCPServerProcess]:
    """One MCP server for the session."""
    server = MCPServerProcess(free_port())
    server.start()
    yield server
    server.stop()


@pytest.fixture
def restartable_mcp_server() -> Iterator[MCPServerProcess]:
    """A private MCP server a test may stop and start again."""
    server = MCPServerProcess(free_port())
    server.start()
    yield server
    server.stop()


@pytest.fixture
def unused_url() -> str:
    """An MCP URL on a 127.0.0.1 port nothing listens on."""
    return f"http://127.0.0.1:{free_port()}/mcp"
