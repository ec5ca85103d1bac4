"""A server that accepts TCP connections and never answers: a stalled or blackholed backend.

Connecting succeeds, every read waits forever. Plugin tests point a client (Redis, PostgreSQL,
...) at it to prove that their time-outs hold when a server stops answering::

    async with silent_server() as (host, port):
        client = Client(f"redis://{host}:{port}/0", socket_timeout=30)
        ...  # a call with a 0.5 s deadline must give up after 0.5 s, not 30 s
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

__all__ = ["silent_server"]


@asynccontextmanager
async def silent_server() -> AsyncIterator[tuple[str, int]]:
    """Listen on 127.0.0.1 (a free port), accept everyone, say nothing; yields (host, port)."""
    peers: list[asyncio.StreamWriter] = []

    async def accept(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        peers.append(writer)  # kept open, never written to

    server = await asyncio.start_server(accept, "127.0.0.1", 0)
    host, port = server.sockets[0].getsockname()[:2]
    try:
        yield host, port
    finally:
        for writer in peers:
            writer.close()
        server.close()
        await server.wait_closed()
