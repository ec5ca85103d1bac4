"""The base of vendor wire fakes: a local HTTP server on 127.0.0.1 that records every request
and answers from a script.

A vendor fake subclasses :class:`WireServer` and implements :meth:`WireServer.handle` with the
vendor's documented REST answers (``POST /2010-04-01/Accounts/{sid}/Messages.json`` ->
``201 {"sid": "SM..."}`` ...). Tests then point the **real** vendor SDK (or the plugin's
httpx client) at :attr:`WireServer.url` and script faults that take precedence over
``handle``: :meth:`~WireServer.fail` (an HTTP status, optionally with ``Retry-After``),
:meth:`~WireServer.hang` (hold the answer, for timeouts), :meth:`~WireServer.drop` (close the
connection without an answer)::

    class AcmeWire(WireServer):
        def handle(self, request: RecordedRequest) -> WireResponse:
            if request.method == "POST" and request.path == "/v1/messages":
                body = request.json()
                return WireResponse.json({"id": f"acme-{len(self.requests)}"}, status=201)
            return WireResponse(404)

    with AcmeWire() as wire:
        provider = AcmeSMSProvider(base_url=wire.url, api_key="test", timeout=1.0)
        wire.fail(429, retry_after=7)
        ...

The server runs in its own thread (standard library only), so it serves synchronous SDKs
(``requests``) and asynchronous clients (httpx) alike, and a hung answer never blocks the
test's event loop. Every request is kept in :attr:`WireServer.requests`, oldest first.
"""

from __future__ import annotations

import asyncio
import json
import threading
import time
from collections import deque
from collections.abc import Mapping
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any
from urllib.parse import parse_qs, parse_qsl, urlsplit

__all__ = ["RecordedRequest", "WireResponse", "WireServer"]


@dataclass(frozen=True)
class RecordedRequest:
    """One request the fake received. ``headers`` keys are lower-case."""

    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        """The body parsed as JSON."""
        return json.loads(self.body)

    def form(self) -> dict[str, str]:
        """The body parsed as form data (last value wins)."""
        return dict(parse_qsl(self.body.decode("utf-8"), keep_blank_values=True))

    def text(self) -> str:
        """The body as UTF-8 text."""
        return self.body.decode("utf-8", errors="replace")


@dataclass
class WireResponse:
    """An answer of the fake: status, body (bytes, text, or JSON data) and headers."""

    status: int = 200
    body: bytes | str = b""
    headers: dict[str, str] = field(default_factory=dict)
    content_type: str = "application/json"

    @classmethod
    def json(
        cls, data: Any, *, status: int = 200, headers: Mapping[str, str] | None = None
    ) -> WireResponse:
        """A JSON answer."""
        return cls(status, json.dumps(data), dict(headers or {}))

    def encoded(self) -> bytes:
        """The body as bytes."""
        return self.body.encode("utf-8") if isinstance(self.body, str) else self.body


@dataclass
class _Fault:
    kind: str  # "fail", "hang" or "drop"
    response: WireResponse | None = None
    seconds: float = 0.0


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:
        """Silence the per-request stderr line."""

    def _serve(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        parts = urlsplit(self.path)
        request = RecordedRequest(
            method=self.command,
            path=parts.path,
            query=parse_qs(parts.query, keep_blank_values=True),
            headers={k.lower(): v for k, v in self.headers.items()},
            body=body,
        )
        response = self.server.wire._respond(request)
        if response is None:  # drop: close without an answer
            self.close_connection = True
            return
        payload = response.encoded()
        self.send_response(response.status)
        self.send_header("Content-Type", response.content_type)
        self.send_header("Content-Length", str(len(payload)))
        for name, value in response.headers.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(payload)

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _serve


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128  # clients open many connections at once
    wire: WireServer


class WireServer:
    """A scripted HTTP server on 127.0.0.1 (see the module docstring). Subclass and
    implement :meth:`handle`; use it as a (sync or async) context manager."""

    def __init__(self, *, port: int = 0) -> None:
        self._port = port
        self._lock = threading.Lock()
        self._requests: list[RecordedRequest] = []
        self._faults: deque[_Fault] = deque()
        self._release = threading.Event()
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

    # -- lifecycle -------------------------------------------------------------------------
    def start(self) -> WireServer:
        """Start serving in a background thread."""
        if self._server is not None:
            return self
        server = _Server(("127.0.0.1", self._port), _Handler)
        server.wire = self
        self._server = server
        self._release.clear()
        self._thread = threading.Thread(
            target=server.serve_forever, args=(0.05,), name="wire-fake", daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving; hung answers are released first."""
        self._release.set()
        server, self._server = self._server, None
        if server is not None:
            server.shutdown()
            server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=10)
            self._thread = None

    def __enter__(self) -> WireServer:
        return self.start()

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    async def __aenter__(self) -> WireServer:
        return self.start()

    async def __aexit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await asyncio.to_thread(self.stop)

    @property
    def url(self) -> str:
        """``http://127.0.0.1:<port>`` of the running server."""
        if self._server is None:
            raise RuntimeError("the wire fake is not started")
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    # -- the vendor's behaviour -------------------------------------------------------------
    def handle(self, request: RecordedRequest) -> WireResponse:
        """The vendor's normal answer to ``request`` (override; default 404)."""
        return WireResponse.json({"error": "not found"}, status=404)

    def _respond(self, request: RecordedRequest) -> WireResponse | None:
        with self._lock:
            self._requests.append(request)
            fault = self._faults.popleft() if self._faults else None
        if fault is None:
            return self.handle(request)
        if fault.kind == "drop":
            return None
        if fault.kind == "hang":
            self._release.wait(fault.seconds)
            return self.handle(request)
        return fault.response

    # -- scripting ------------------------------------------------------------------------------
    def fail(
        self,
        status: int,
        *,
        times: int = 1,
        body: Any = None,
        retry_after: float | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        """Answer the next ``times`` requests with ``status`` (and ``Retry-After``)."""
        extra = dict(headers or {})
        if retry_after is not None:
            extra["Retry-After"] = f"{retry_after:g}"
        data = body if body is not None else {"error": f"scripted {status}"}
        text = data if isinstance(data, str | bytes) else json.dumps(data)
        response = WireResponse(status, text, extra)
        with self._lock:
            self._faults.extend(_Fault("fail", response) for _ in range(times))

    def hang(self, seconds: float, *, times: int = 1) -> None:
        """Hold the next ``times`` answers for ``seconds`` (released early by :meth:`stop`)."""
        with self._lock:
            self._faults.extend(_Fault("hang", seconds=seconds) for _ in range(times))

    def drop(self, *, times: int = 1) -> None:
        """Close the connection of the next ``times`` requests without answering."""
        with self._lock:
            self._faults.extend(_Fault("drop") for _ in range(times))

    def reset(self) -> None:
        """Forget the recorded requests and the scripted faults."""
        with self._lock:
            self._requests.clear()
            self._faults.clear()

    @property
    def requests(self) -> list[RecordedRequest]:
        """The requests received so far, oldest first (a copy)."""
        with self._lock:
            return list(self._requests)

    async def wait_for_requests(self, count: int, timeout: float = 10.0) -> list[RecordedRequest]:
        """Wait (bounded) until at least ``count`` requests arrived."""
        deadline = time.monotonic() + timeout
        while len(self.requests) < count:
            if time.monotonic() > deadline:
                raise TimeoutError(f"{len(self.requests)} of {count} requests after {timeout}s")
            await asyncio.sleep(0.01)
        return self.requests
