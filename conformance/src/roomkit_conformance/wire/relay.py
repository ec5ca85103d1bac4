"""A TCP relay in front of a real backend that a test can cut and restore: a backend outage
without stopping a server other tests share.

While cut, every relayed connection is closed (both ways, as when the server process dies)
and new connections are refused; :meth:`TcpRelay.restore` listens again on the same port::

    async with tcp_relay("127.0.0.1", 5432) as relay:
        manager = PostgresLockManager(f"postgresql://postgres@127.0.0.1:{relay.port}/test")
        ...
        await relay.cut()      # the backend "goes down"
        await relay.restore()  # and comes back
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

__all__ = ["TcpRelay", "tcp_relay"]

_CHUNK = 65536


class TcpRelay:
    """Relays 127.0.0.1:``port`` to ``target_host``:``target_port`` until cut."""

    def __init__(self, target_host: str, target_port: int) -> None:
        self.target = (target_host, target_port)
        #: The relay's port on 127.0.0.1 (fixed once started, kept across cut/restore).
        self.port = 0
        self._server: asyncio.Server | None = None
        self._writers: set[asyncio.StreamWriter] = set()
        self._pumps: set[asyncio.Task[None]] = set()

    async def start(self) -> None:
        """Listen (on a free port the first time, then on the same port again)."""
        self._server = await asyncio.start_server(self._accept, "127.0.0.1", self.port)
        self.port = int(self._server.sockets[0].getsockname()[1])

    async def cut(self) -> None:
        """Close every relayed connection and refuse new ones."""
        server, self._server = self._server, None
        if server is not None:
            server.close()  # stop listening first
        for writer in list(self._writers):
            writer.close()
        for pump in list(self._pumps):
            pump.cancel()
        await asyncio.gather(*self._pumps, return_exceptions=True)
        self._writers.clear()
        if server is not None:  # (3.12+ waits here for the connections closed above)
            await server.wait_closed()

    async def restore(self) -> None:
        """Accept and relay connections again, on the same port."""
        await self.start()

    async def _accept(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            async with asyncio.timeout(10):
                up_reader, up_writer = await asyncio.open_connection(*self.target)
        except (OSError, TimeoutError):
            writer.close()
            return
        self._writers.update((writer, up_writer))
        for source, sink in ((reader, up_writer), (up_reader, writer)):
            pump = asyncio.create_task(self._pump(source, sink))
            self._pumps.add(pump)
            pump.add_done_callback(self._pumps.discard)

    async def _pump(self, source: asyncio.StreamReader, sink: asyncio.StreamWriter) -> None:
        try:
            while data := await source.read(_CHUNK):
                sink.write(data)
                await sink.drain()
        except (OSError, ConnectionError):
            pass
        finally:
            sink.close()
            self._writers.discard(sink)


@asynccontextmanager
async def tcp_relay(target_host: str, target_port: int) -> AsyncIterator[TcpRelay]:
    """A started :class:`TcpRelay` to ``target_host``:``target_port``, closed on exit."""
    relay = TcpRelay(target_host, target_port)
    await relay.start()
    try:
        yield relay
    finally:
        with contextlib.suppress(OSError):
            await relay.cut()
