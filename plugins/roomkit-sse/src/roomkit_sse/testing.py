"""The remote side for tests: a real SSE endpoint (starlette, served by uvicorn on 127.0.0.1)
that keeps a log of its events and honours ``Last-Event-ID``; and the conformance factory.

starlette and uvicorn are test dependencies (``pip install "roomkit-sse[test]"``).
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response, StreamingResponse
from starlette.routing import Route

from roomkit_conformance.suites.source import SourceHarness
from roomkit_sse.source import SSESource

__all__ = ["EventStreamServer", "conformance_source"]

_END = object()


@dataclass(frozen=True)
class _Event:
    id: int
    data: str
    event: str | None = None


class EventStreamServer:
    """An SSE endpoint at ``/events``: every published event gets the next id and is kept, so a
    client reconnecting with ``Last-Event-ID: n`` is sent the events after ``n`` first."""

    def __init__(self) -> None:
        self.log: list[_Event] = []
        self.requests: list[dict[str, str]] = []
        self.status_code = 200
        """What ``/events`` answers (set 503 to refuse streams)."""
        self._streams: set[asyncio.Queue[Any]] = set()
        self._server: uvicorn.Server | None = None
        self._task: asyncio.Task[None] | None = None
        self.port = 0
        routes = [Route("/events", self._events)]
        self.app = Starlette(routes=routes)

    @property
    def url(self) -> str:
        """``http://127.0.0.1:<port>/events``."""
        return f"http://127.0.0.1:{self.port}/events"

    @property
    def streams(self) -> int:
        """Clients currently streaming."""
        return len(self._streams)

    async def start(self) -> EventStreamServer:
        """Serve on a free port."""
        config = uvicorn.Config(
            self.app,
            host="127.0.0.1",
            port=0,
            log_level="warning",
            lifespan="off",
            timeout_graceful_shutdown=1,
        )
        self._server = server = uvicorn.Server(config)
        self._task = asyncio.create_task(server.serve())
        async with asyncio.timeout(10):
            while not server.started:
                await asyncio.sleep(0.01)
        self.port = server.servers[0].sockets[0].getsockname()[1]
        return self

    async def _events(self, request: Request) -> Response:
        self.requests.append(dict(request.headers))
        if self.status_code != 200:
            return Response("unavailable", status_code=self.status_code)
        after = int(request.headers.get("last-event-id") or 0)
        queue: asyncio.Queue[Any] = asyncio.Queue(maxsize=10_000)
        backlog = [e for e in self.log if e.id > after]  # taken with the registration below
        self._streams.add(queue)

        async def body() -> AsyncIterator[str]:
            try:
                yield "retry: 50\n\n"
                for event in backlog:
                    yield _format(event)
                while True:
                    item = await queue.get()
                    if item is _END:
                        return
                    yield item if isinstance(item, str) else _format(item)
            finally:
                self._streams.discard(queue)

        return StreamingResponse(body(), media_type="text/event-stream")

    def publish_data(self, data: str, event: str | None = None) -> int:
        """Log an event with this ``data`` and send it to every stream; returns its id."""
        entry = _Event(len(self.log) + 1, data, event)
        self.log.append(entry)
        for queue in self._streams:
            queue.put_nowait(entry)
        return entry.id

    async def send(self, message_id: str, text: str) -> None:
        """Publish one JSON message."""
        self.publish_data(json.dumps({"id": message_id, "sender_id": "u1", "text": text}))

    async def garbage(self) -> None:
        """Publish data that is not a message."""
        self.publish_data("\x01{not json")

    def heartbeat(self) -> None:
        """Send a comment line (not logged) to every stream."""
        for queue in self._streams:
            queue.put_nowait(": keep-alive\n\n")

    async def end_streams(self) -> None:
        """End every open stream (the server closes the responses)."""
        for queue in list(self._streams):
            queue.put_nowait(_END)

    async def close(self) -> None:
        """Stop serving."""
        await self.end_streams()
        if self._server is not None and self._task is not None:
            self._server.should_exit = True
            await asyncio.wait_for(self._task, 15)


def _format(event: _Event) -> str:
    lines = [f"id: {event.id}"]
    if event.event:
        lines.append(f"event: {event.event}")
    lines.extend(f"data: {line}" for line in event.data.split("\n"))
    return "\n".join(lines) + "\n\n"


async def conformance_source() -> AsyncIterator[SourceHarness]:
    """An :class:`SSESource` reading a fresh :class:`EventStreamServer`."""
    server = await EventStreamServer().start()
    source = SSESource(server.url, "sse-source", timeout=10)
    yield SourceHarness(source, "sse-source", server.send, server.end_streams, server.garbage)
    await source.stop()
    await server.close()
