"""A scripted LLM wire fake for what llmock does not do: reasoning and trickling streams.

:class:`ScriptedLLMServer` is an HTTP/1.1 server on 127.0.0.1, started inside the test's event
loop, that answers the chat endpoints of OpenAI (and OpenAI-compatible servers), Anthropic,
Mistral and Gemini with a scripted :class:`ScriptedReply`: reasoning (``reasoning_content``,
Anthropic ``thinking`` blocks with a signature, Mistral ``thinking`` chunks, Gemini thought
parts with a thought signature), text and tool calls, whole or streamed, optionally one piece
every ``interval`` seconds. Vendor SDKs talk to it unpatched over a real socket.

It records every request (:attr:`ScriptedLLMServer.requests`) and sets
:attr:`ScriptedLLMServer.hung_up` when a client closes the connection before a stream ended,
so tests wait on events, never on timing::

    async with ScriptedLLMServer() as server:
        server.script(ScriptedReply(text="Hi", thinking="The user greets me."))
        provider = OpenAIAIProvider(api_key="k", base_url=server.base_url("openai"))
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any
from urllib.parse import urlsplit

from roomkit_conformance.wire.scripted_formats import FORMATS, Piece, pieces_of

__all__ = ["RecordedRequest", "ScriptedLLMServer", "ScriptedReply"]

_MAX_BODY = 8 * 1024 * 1024
_READ_LIMIT = 64 * 1024


@dataclass(frozen=True)
class ScriptedReply:
    """What the fake model answers.

    ``thinking`` is its reasoning and ``signature`` the vendor token that signs it (Anthropic
    ``signature``, Gemini ``thoughtSignature`` as base64); ``tool_calls`` are ``(name,
    arguments)`` pairs. Streams send the reasoning and the text word by word, with
    ``interval`` seconds between chunks.
    """

    text: str = ""
    thinking: str = ""
    signature: str = ""
    tool_calls: Sequence[tuple[str, dict[str, Any]]] = ()
    interval: float = 0.0

    def pieces(self) -> list[Piece]:
        """The streamed pieces in order: reasoning words, text words, then tool calls."""
        return pieces_of(self.thinking, self.text, self.tool_calls)


@dataclass(frozen=True)
class RecordedRequest:
    """One request the server received."""

    vendor: str
    path: str
    headers: dict[str, str]
    body: dict[str, Any]

    @property
    def streamed(self) -> bool:
        """Whether the client asked for a stream."""
        return bool(self.body.get("stream")) or "streamGenerateContent" in self.path


@dataclass
class _Stats:
    streams_started: int = 0
    streams_finished: int = 0


@dataclass
class ScriptedLLMServer:
    """The server; start it with ``async with`` (or :meth:`start` / :meth:`stop`).

    Replies are taken from the queue filled by :meth:`script`, then :attr:`default` answers.
    """

    default: ScriptedReply = field(default_factory=lambda: ScriptedReply(text="Scripted."))
    requests: list[RecordedRequest] = field(default_factory=list)
    hung_up: asyncio.Event = field(default_factory=asyncio.Event)
    stats: _Stats = field(default_factory=_Stats)
    _queue: list[ScriptedReply] = field(default_factory=list)
    _server: asyncio.Server | None = None
    _connections: set[asyncio.Task[None]] = field(default_factory=set)
    port: int = 0

    @property
    def url(self) -> str:
        """Root URL, e.g. ``http://127.0.0.1:41234``."""
        return f"http://127.0.0.1:{self.port}"

    def base_url(self, vendor: str) -> str:
        """The URL to give ``vendor``'s SDK (``openai`` ends in ``/v1``; Mistral's SDK adds
        ``/v1`` itself; Anthropic's and Gemini's add their own paths)."""
        return self.url + FORMATS[vendor].sdk_root

    def script(self, *replies: ScriptedReply) -> None:
        """Queue replies, used one per request in order."""
        self._queue.extend(replies)

    async def start(self) -> ScriptedLLMServer:
        """Listen on a free port of 127.0.0.1."""
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", 0, limit=_READ_LIMIT)
        self.port = self._server.sockets[0].getsockname()[1]
        return self

    async def stop(self) -> None:
        """Stop listening and close every open connection."""
        if self._server is not None:
            self._server.close()
        for task in list(self._connections):
            task.cancel()
        for task in list(self._connections):
            with contextlib.suppress(BaseException):
                await task
        if self._server is not None:
            await self._server.wait_closed()
            self._server = None

    async def __aenter__(self) -> ScriptedLLMServer:
        return await self.start()

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.stop()

    # -- HTTP ----------------------------------------------------------------------------

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._connections.add(task)
        try:
            while await self._one_request(reader, writer):
                pass
        except (ConnectionError, asyncio.IncompleteReadError, ValueError):
            pass
        finally:
            self._connections.discard(task)
            writer.close()
            with contextlib.suppress(Exception):
                await writer.wait_closed()

    async def _one_request(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> bool:
        line = await reader.readline()
        if not line:
            return False
        method, target, _ = line.decode("latin-1").split(" ", 2)
        headers: dict[str, str] = {}
        while (raw := await reader.readline()) not in (b"\r\n", b"\n", b""):
            name, _, value = raw.decode("latin-1").partition(":")
            headers[name.strip().lower()] = value.strip()
        length = int(headers.get("content-length", "0"))
        if length > _MAX_BODY:
            raise ValueError("request body too large")
        payload = await reader.readexactly(length) if length else b""
        path = urlsplit(target).path
        vendor = next((v for v, f in FORMATS.items() if path.startswith(f.prefix)), None)
        if method != "POST" or vendor is None:
            await _respond(writer, 404, {"error": {"message": f"no route {method} {path}"}})
            return True
        body = json.loads(payload or b"{}")
        request = RecordedRequest(vendor, path, headers, body)
        self.requests.append(request)
        reply = self._queue.pop(0) if self._queue else self.default
        fmt = FORMATS[vendor]
        model = fmt.model_of(path, body)
        if not request.streamed:
            await _respond(writer, 200, fmt.whole(reply, model))
            return True
        await self._stream(reader, writer, fmt.events(reply, model, body), reply.interval)
        return False  # the stream ends with the connection

    async def _stream(
        self,
        reader: asyncio.StreamReader,
        writer: asyncio.StreamWriter,
        events: Iterator[bytes],
        interval: float,
    ) -> None:
        self.stats.streams_started += 1
        writer.write(
            b"HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\n"
            b"cache-control: no-cache\r\nconnection: close\r\n\r\n"
        )
        sender = asyncio.create_task(_send_events(writer, events, interval))
        watcher = asyncio.create_task(reader.read(1))  # b"": the client hung up
        try:
            done, _ = await asyncio.wait({sender, watcher}, return_when=asyncio.FIRST_COMPLETED)
            if sender in done and sender.exception() is None:
                self.stats.streams_finished += 1
            else:
                self.hung_up.set()
        finally:
            for task in (sender, watcher):
                task.cancel()
                with contextlib.suppress(BaseException):
                    await task


async def _send_events(writer: asyncio.StreamWriter, events: Iterator[bytes], pause: float) -> None:
    first = True
    for event in events:
        if pause and not first:
            await asyncio.sleep(pause)
        first = False
        writer.write(event)
        await writer.drain()


async def _respond(writer: asyncio.StreamWriter, status: int, payload: Any) -> None:
    data = json.dumps(payload).encode()
    reason = "OK" if status == 200 else "Not Found"
    writer.write(
        f"HTTP/1.1 {status} {reason}\r\ncontent-type: application/json\r\n"
        f"content-length: {len(data)}\r\n\r\n".encode()
        + data
    )
    await writer.drain()
