"""The remote side for tests: a real websockets server on 127.0.0.1, and the conformance factory.

:class:`StreamServer` pushes messages to every connected client, closes or aborts the
connections, and sends garbage, as a test asks; it records what clients send to it.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from typing import Any

from websockets.asyncio.server import Server, ServerConnection, serve

from roomkit_conformance.suites.source import SourceHarness
from roomkit_websocket.source import WebSocketSource

__all__ = ["StreamServer", "conformance_source"]


class StreamServer:
    """A local WebSocket server feeding JSON messages to its clients."""

    def __init__(self) -> None:
        self.clients: list[ServerConnection] = []
        self.received: list[str | bytes] = []
        self.handshake_headers: list[dict[str, str]] = []
        self._changed = asyncio.Condition()
        self._server: Server | None = None
        self.port = 0

    @property
    def url(self) -> str:
        """``ws://127.0.0.1:<port>/events``."""
        return f"ws://127.0.0.1:{self.port}/events"

    async def start(self) -> StreamServer:
        """Listen on a free port."""
        self._server = await serve(self._handle, "127.0.0.1", 0)
        self.port = next(iter(self._server.sockets)).getsockname()[1]
        return self

    async def _handle(self, ws: ServerConnection) -> None:
        assert ws.request is not None
        self.handshake_headers.append(dict(ws.request.headers.raw_items()))
        async with self._changed:
            self.clients.append(ws)
            self._changed.notify_all()
        try:
            async for message in ws:
                self.received.append(message)
        finally:
            async with self._changed:
                if ws in self.clients:
                    self.clients.remove(ws)
                self._changed.notify_all()

    async def wait_for_clients(self, count: int = 1, timeout: float = 10.0) -> None:
        """Wait until ``count`` clients are connected."""
        async with self._changed:
            await asyncio.wait_for(
                self._changed.wait_for(lambda: len(self.clients) >= count), timeout
            )

    async def send_raw(self, payload: str | bytes) -> None:
        """Send ``payload`` to every client (waiting up to 10 s for one to connect)."""
        await self.wait_for_clients()
        for ws in list(self.clients):
            await ws.send(payload)

    async def send(self, message_id: str, text: str, **fields: Any) -> None:
        """Send one JSON message."""
        body = {"id": message_id, "sender_id": "u1", "text": text, **fields}
        await self.send_raw(json.dumps(body))

    async def garbage(self) -> None:
        """Send a message that is not a JSON object."""
        await self.send_raw("\x00{not json")

    async def close_clients(self) -> None:
        """Close every connection cleanly (code 1000)."""
        for ws in list(self.clients):
            await ws.close()

    async def abort_clients(self) -> None:
        """Cut every connection without a closing handshake (a dropped network)."""
        async with self._changed:
            clients, self.clients = list(self.clients), []
        for ws in clients:
            ws.transport.abort()

    async def close(self) -> None:
        """Stop the server."""
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()


async def conformance_source() -> AsyncIterator[SourceHarness]:
    """A :class:`WebSocketSource` connected to a fresh :class:`StreamServer`."""
    server = await StreamServer().start()
    source = WebSocketSource(server.url, "websocket-source", ping_interval=5, ping_timeout=5)
    yield SourceHarness(
        source, "websocket-source", server.send, server.abort_clients, server.garbage
    )
    await source.stop()
    await server.close()
