"""The npm ``telegram-test-api`` emulator as a fixture: started with node on a free port.

Installed by ``make install`` (``npm ci`` in ``tests/telegram-test-api``). Without node or the
installed package the emulator tests are skipped, and fail under ``CI=true``.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import socket
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

EMULATOR = Path(__file__).parent / "telegram-test-api"


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@pytest.fixture
async def emulator() -> AsyncIterator[str]:
    """The emulator's base URL (``http://127.0.0.1:<port>``), running for one test."""
    node = shutil.which("node")
    installed = (EMULATOR / "node_modules" / "telegram-test-api").is_dir()
    if node is None or not installed:
        reason = "node and telegram-test-api are needed (run `make install`)"
        if os.environ.get("CI") == "true":
            pytest.fail(reason)
        pytest.skip(reason)
    port = _free_port()
    process = await asyncio.create_subprocess_exec(
        node,
        str(EMULATOR / "serve.js"),
        str(port),
        cwd=EMULATOR,
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
    )
    try:
        assert process.stdout is not None
        async with asyncio.timeout(30):
            line = await process.stdout.readline()
        assert line.decode().strip() == f"ready {port}", line
        yield f"http://127.0.0.1:{port}"
    finally:
        if process.stdin is not None:
            process.stdin.close()
        try:
            async with asyncio.timeout(10):
                await process.wait()
        except TimeoutError:
            process.kill()
            await process.wait()
