"""FaultProxy forwards both ways and drops, stalls and corrupts connections on demand."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest_asyncio

from roomkit_conformance.wire import FaultProxy


@pytest_asyncio.fixture
async def echo_port() -> AsyncIterator[int]:
    async def echo(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        while data := await reader.read(1024):
            writer.write(data)
            await writer.drain()
        writer.close()

    server = await asyncio.start_server(echo, "127.0.0.1", 0)
    yield server.sockets[0].getsockname()[1]
    server.close()
    await server.wait_closed()


async def _roundtrip(port: int, data: bytes) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(data)
    await writer.drain()
    assert await asyncio.wait_for(reader.readexactly(len(data)), 5) == data
    return reader, writer


async def test_forwards_then_drops(echo_port: int) -> None:
    async with FaultProxy("127.0.0.1", echo_port) as proxy:
        reader, writer = await _roundtrip(proxy.port, b"hello")
        assert (proxy.connections, proxy.open_connections) == (1, 1)
        assert proxy.drop() == 1
        assert await asyncio.wait_for(reader.read(), 5) == b""  # closed by the proxy
        writer.close()
        _, again = await _roundtrip(proxy.port, b"back")  # a new connection works
        assert proxy.connections == 2
        again.close()


async def test_stall_holds_bytes_and_inject_writes_raw_bytes(echo_port: int) -> None:
    async with FaultProxy("127.0.0.1", echo_port) as proxy:
        reader, writer = await _roundtrip(proxy.port, b"one")
        assert await proxy.inject(b"\x00raw") == 1
        assert await asyncio.wait_for(reader.readexactly(4), 5) == b"\x00raw"
        assert proxy.stall() == 1
        writer.write(b"two")
        await writer.drain()
        read = asyncio.create_task(reader.read(3))
        done, _ = await asyncio.wait({read}, timeout=0.3)
        assert not done  # nothing comes back while stalled (the connection stays open)
        read.cancel()
        assert proxy.open_connections == 1
        writer.close()
