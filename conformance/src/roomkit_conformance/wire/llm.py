"""An LLM wire fake for AI-provider tests: ``llmock serve`` in a subprocess on 127.0.0.1.

`llmock <https://pypi.org/project/llmock/>`_ speaks the real wire protocols of OpenAI
(``/v1``), Anthropic (``/anthropic``), Mistral (``/mistral/v1``) and Gemini (``/gemini``):
chat, SSE streaming and tool calls. Its ``/_llmock`` control API scripts replies and faults
(HTTP errors, delays, dropped or truncated streams, malformed tool arguments) and keeps a
journal of every request body. Vendor SDKs therefore run unpatched over a real socket.

Use the fixtures from a ``conftest.py``::

    from roomkit_conformance.wire.llm import llmock_server  # noqa: F401 (fixture)

    @pytest.fixture
    async def wire(llmock_server):
        w = llmock_server.wire("openai")
        await w.reset()
        yield w
        await w.reset()

:class:`LLMockWire` implements the fault-injection protocol the AI-provider conformance suite
needs (:class:`roomkit_conformance.suites.ai_provider.AIWire`).
"""

from __future__ import annotations

import asyncio
import atexit
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Sequence
from types import TracebackType
from typing import Any

import pytest

__all__ = [
    "BASE_PATHS",
    "LLMockServer",
    "LLMockWire",
    "ScriptedToolCall",
    "free_port",
    "llmock_server",
    "shared_server",
]

#: Base URL path per vendor, as each vendor's SDK expects it under the server's root URL.
BASE_PATHS: dict[str, str] = {
    "openai": "/v1",
    "anthropic": "/anthropic",
    "mistral": "/mistral/v1",
    "gemini": "/gemini",
}

#: Root a vendor SDK is given when it appends the API version itself (Mistral adds ``/v1``).
SDK_ROOTS: dict[str, str] = {
    "openai": "/v1",
    "anthropic": "/anthropic",
    "mistral": "/mistral",
    "gemini": "/gemini",
}

_STARTUP_TIMEOUT = 20.0
_CONTROL_TIMEOUT = 10.0

ScriptedToolCall = tuple[str, dict[str, Any]]
"""A tool call to script: ``(tool name, arguments)``."""


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _llmock_command() -> list[str]:
    exe = shutil.which("llmock", path=os.path.dirname(sys.executable)) or shutil.which("llmock")
    if exe:
        return [exe]
    return [sys.executable, "-c", "from llmock.cli import app; app()"]


class LLMockServer:
    """One ``llmock serve`` subprocess bound to 127.0.0.1 on a free port.

    ``start()`` waits until the control API answers; ``stop()`` terminates the process (and
    kills it if it does not exit within five seconds). Usable as a context manager.
    """

    def __init__(self, *, port: int | None = None, extra_args: Sequence[str] = ()) -> None:
        self._requested_port = port
        self._extra_args = tuple(extra_args)
        self._process: subprocess.Popen[bytes] | None = None
        # A file, not a pipe: a pipe nobody reads would block a chatty server once full.
        self._log = tempfile.TemporaryFile()  # noqa: SIM115 - lives as long as the server
        self.port = 0

    @property
    def url(self) -> str:
        """Root URL of the server, e.g. ``http://127.0.0.1:41234``."""
        return f"http://127.0.0.1:{self.port}"

    def base_url(self, vendor: str) -> str:
        """The API base URL of ``vendor``: ``openai``, ``anthropic``, ``mistral`` or ``gemini``."""
        return self.url + _lookup(BASE_PATHS, vendor)

    def sdk_root(self, vendor: str) -> str:
        """The URL to hand the vendor SDK (Mistral's SDK appends ``/v1`` itself)."""
        return self.url + _lookup(SDK_ROOTS, vendor)

    def wire(self, vendor: str) -> LLMockWire:
        """A fault-injection handle scoped to one vendor's requests."""
        _lookup(BASE_PATHS, vendor)
        return LLMockWire(self, vendor)

    def start(self) -> LLMockServer:
        """Start the subprocess and wait until it serves requests."""
        if self._process is not None:
            raise RuntimeError("the llmock server is already running")
        attempts = 1 if self._requested_port else 3
        last_error = ""
        for _ in range(attempts):
            self.port = self._requested_port or free_port()
            env = {k: v for k, v in os.environ.items() if not k.startswith("LLMOCK_")}
            command = [
                *_llmock_command(),
                "serve",
                "--host",
                "127.0.0.1",
                "--port",
                str(self.port),
                "--log-level",
                "warning",
                *self._extra_args,
            ]
            self._process = subprocess.Popen(
                command, env=env, stdout=subprocess.DEVNULL, stderr=self._log
            )
            last_error = self._wait_ready()
            if not last_error:
                return self
            self.stop()
        raise RuntimeError(f"llmock did not start: {last_error}")

    def _wait_ready(self) -> str:
        assert self._process is not None
        deadline = time.monotonic() + _STARTUP_TIMEOUT
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                self._log.seek(0)
                stderr = self._log.read().decode(errors="replace")
                return f"exited with {self._process.returncode}: {stderr.strip()[-500:]}"
            try:
                with urllib.request.urlopen(f"{self.url}/_llmock/scenario", timeout=1.0):
                    return ""
            except (urllib.error.URLError, OSError):
                time.sleep(0.05)
        return f"not ready after {_STARTUP_TIMEOUT:.0f}s on port {self.port}"

    def stop(self) -> None:
        """Terminate the subprocess (kill it after five seconds) and reap it."""
        process, self._process = self._process, None
        if process is None:
            return
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=5.0)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=5.0)
        self._log.seek(0)
        self._log.truncate()

    def __enter__(self) -> LLMockServer:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()


def _lookup(table: dict[str, str], vendor: str) -> str:
    try:
        return table[vendor]
    except KeyError:
        known = ", ".join(sorted(table))
        raise ValueError(f"unknown vendor {vendor!r}; expected one of {known}") from None


class LLMockWire:
    """Scripts replies and faults for one vendor's requests, and reads what was sent.

    Every fault is *permanent* by default (``times=None``) so that a client with retries
    enabled still sees it; :meth:`reset` drops everything queued and the request journal.
    """

    def __init__(self, server: LLMockServer, vendor: str) -> None:
        self.server = server
        self.vendor = vendor

    @property
    def base_url(self) -> str:
        """The vendor's API base URL on this server."""
        return self.server.base_url(self.vendor)

    @property
    def sdk_root(self) -> str:
        """The URL to hand the vendor SDK."""
        return self.server.sdk_root(self.vendor)

    async def _control(self, method: str, path: str, payload: Any = None) -> Any:
        return await asyncio.to_thread(self._control_sync, method, path, payload)

    def _control_sync(self, method: str, path: str, payload: Any) -> Any:
        data = None if payload is None else json.dumps(payload).encode()
        request = urllib.request.Request(
            f"{self.server.url}/_llmock{path}",
            data=data,
            method=method,
            headers={"Content-Type": "application/json"},
        )
        with urllib.request.urlopen(request, timeout=_CONTROL_TIMEOUT) as response:
            return json.loads(response.read() or b"null")

    async def _add(self, behavior: dict[str, Any], match: dict[str, Any] | None = None) -> None:
        behavior["match"] = {"provider": self.vendor, **(match or {})}
        await self._control("POST", "/scenario", {"behaviors": [behavior]})

    async def reset(self) -> None:
        """Forget queued behaviours and recorded requests."""
        await self._control("POST", "/reset")

    async def fail(
        self,
        status: int,
        *,
        times: int | None = None,
        retry_after: float | None = None,
        message: str | None = None,
    ) -> None:
        """Answer requests with HTTP ``status`` (and a ``Retry-After`` header if given); the
        vendor-shaped error body says ``message`` when given."""
        await self._add(
            {
                "type": "fail",
                "status": status,
                "times": times,
                "retry_after": retry_after,
                "message": message,
            }
        )

    async def delay(self, seconds: float, *, times: int | None = None) -> None:
        """Hold each response for ``seconds`` before answering (exercises timeouts)."""
        await self._add({"type": "delay", "seconds": seconds, "times": times})

    async def drop_stream(self, *, after_chunks: int = 2, times: int | None = None) -> None:
        """Close the connection in the middle of streamed responses."""
        await self._add(
            {
                "type": "stream_fault",
                "kind": "disconnect",
                "after_chunks": after_chunks,
                "times": times,
            },
            {"stream": True},
        )

    async def truncate_stream(self, *, after_chunks: int = 2, times: int | None = None) -> None:
        """End streamed responses early and cleanly, with no finish reason or terminator."""
        await self._add(
            {
                "type": "stream_fault",
                "kind": "truncate",
                "after_chunks": after_chunks,
                "times": times,
            },
            {"stream": True},
        )

    async def stall_stream(
        self, *, after_chunks: int = 2, seconds: float = 30.0, times: int | None = None
    ) -> None:
        """Stop sending streamed responses for ``seconds`` after ``after_chunks`` chunks."""
        await self._add(
            {
                "type": "stream_fault",
                "kind": "stall",
                "after_chunks": after_chunks,
                "stall_seconds": seconds,
                "times": times,
            },
            {"stream": True},
        )

    async def malformed_tool_arguments(self, *, times: int | None = None) -> None:
        """Make the model emit a tool call whose arguments are not valid JSON."""
        await self._add(
            {"type": "tool_fault", "kind": "malformed_arguments", "times": times},
            {"tools": True},
        )

    async def reply(
        self,
        text: str | None = None,
        *,
        tool_calls: Sequence[ScriptedToolCall] = (),
        times: int | None = 1,
    ) -> None:
        """Script what the model says next: text, tool calls, or both."""
        await self._add(
            {
                "type": "reply",
                "text": text,
                "tool_calls": [{"name": n, "arguments": a} for n, a in tool_calls],
                "times": times,
            }
        )

    async def requests(self) -> list[dict[str, Any]]:
        """The JSON bodies of this vendor's requests so far, oldest first."""
        data = await self._control("GET", "/requests")
        return [
            r.get("body") or {}
            for r in data.get("requests", [])
            if r.get("provider") == self.vendor
        ]

    async def request_count(self) -> int:
        """How many requests of this vendor the server has journaled."""
        return len(await self.requests())

    async def last_request_text(self) -> str:
        """The last request body of this vendor serialized as JSON (for substring checks)."""
        bodies = await self.requests()
        if not bodies:
            raise AssertionError(f"no {self.vendor} request reached the wire")
        return json.dumps(bodies[-1])


_SHARED: LLMockServer | None = None


def shared_server() -> LLMockServer:
    """A process-wide llmock server, started on first use and stopped at interpreter exit.

    Conformance factories use it so that building one instance per test does not start one
    subprocess per test; reset the wire before use.
    """
    global _SHARED
    if _SHARED is None or _SHARED._process is None or _SHARED._process.poll() is not None:
        server = LLMockServer().start()
        atexit.register(server.stop)
        _SHARED = server
    return _SHARED


@pytest.fixture(scope="session")
def llmock_server() -> LLMockServer:
    """The process-wide llmock subprocess (reset it per test through the wire).

    Every conftest that re-exports this fixture shares the one process from
    :func:`shared_server`; it stops when the interpreter exits.
    """
    return shared_server()
