"""A TCP proxy on 127.0.0.1 that injects network faults between a client and a real server.

Source tests put it between an SDK and a local server (a websockets server, an SSE endpoint,
NATS) to make the connection fail the ways networks do, on a real socket:

* :meth:`FaultProxy.drop` closes every proxied connection (a server restart, a cut cable);
* :meth:`FaultProxy.stall` stops forwarding on the open connections, in both directions,
  without closing them (a hung peer: only the client's own time-outs and pings notice);
* :meth:`FaultProxy.inject` writes raw bytes to the clients (protocol-level garbage).

New connections made after a fault are proxied normally, so a client that reconnects recovers.
"""

from __future__ import annotations

import asyncio
import contextlib
from dataclasses import dataclass, field

__all__ = ["FaultProxy"]


@dataclass(eq=False)
class _Link:
    client: asyncio.StreamWriter
    upstream: asyncio.StreamWriter
    stalled: asyncio.Event = field(default_factory=asyncio.Event)
    tasks: list[asyncio.Task[None]] = field(default_factory=list)


class FaultProxy:
    """Proxies ``127.0.0.1:<port>`` to ``target_host:target_port`` (use ``async with``)."""

    def __init__(self, target_host: str, target_port: int) -> None:
        self.target = (target_host, target_port)
        self.port = 0
        self.connections = 0
        """Connections accepted so far."""
        self._links: list[_Link] = []
        self._server: asyncio.Server | None = None

    async def start(self) -> FaultProxy:
        """Listen on a free port (:attr:`port`)."""
        self._server = await asyncio.start_server(self._accept, "127.0.0.1", 0)
        self.port = self._server.sockets[0].getsockname()[1]
        return self

    async def __aenter__(self) -> FaultProxy:
        return await self.start()

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    @property
    def open_connections(self) -> int:
        """Proxied connections currently open."""
        return len(self._links)

    async def _accept(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            async with asyncio.timeout(10):
                up_reader, up_writer = await asyncio.open_connection(*self.target)
        except (OSError, TimeoutError):
            writer.close()
            return
        self.connections += 1
        link = _Link(writer, up_writer)
        self._links.append(link)
        link.tasks = [
            asyncio.create_task(self._pipe(reader, up_writer, link)),
            asyncio.create_task(self._pipe(up_reader, writer, link)),
        ]
        await asyncio.gather(*link.tasks, return_exceptions=True)
        self._close_link(link)

    async def _pipe(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, link: _Link
    ) -> None:
        with contextlib.suppress(OSError, asyncio.CancelledError):
            while True:
                data = await reader.read(65_536)
                if not data:
                    break
                if link.stalled.is_set():
                    await asyncio.Event().wait()  # hold the bytes: the peer hangs
                writer.write(data)
                await writer.drain()
        self._close_link(link)

    def _close_link(self, link: _Link) -> None:
        if link in self._links:
            self._links.remove(link)
        for writer in (link.client, link.upstream):
            writer.close()
        for task in link.tasks:
            if task is not asyncio.current_task():
                task.cancel()

    def drop(self) -> int:
        """Close every open connection; returns how many were closed."""
        links = list(self._links)
        for link in links:
            self._close_link(link)
        return len(links)

    def stall(self) -> int:
        """Stop forwarding on every open connection (both ways); returns how many."""
        for link in self._links:
            link.stalled.set()
        return len(self._links)

    async def inject(self, data: bytes) -> int:
        """Write ``data`` to every connected client; returns how many received it."""
        links = list(self._links)
        for link in links:
            link.client.write(data)
            with contextlib.suppress(OSError):
                await link.client.drain()
        return len(links)

    async def close(self) -> None:
        """Close the connections and stop listening."""
        self.drop()
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()
