"""The silent server accepts connections and never answers."""

from __future__ import annotations

import asyncio

import pytest

from roomkit_conformance.wire import silent_server


async def test_accepts_and_never_answers() -> None:
    async with silent_server() as (host, port):
        reader, writer = await asyncio.open_connection(host, port)
        writer.write(b"PING\r\n")
        await writer.drain()
        with pytest.raises(TimeoutError):
            await asyncio.wait_for(reader.read(1), 0.2)
        writer.close()
    with pytest.raises(OSError):  # closed afterwards
        await asyncio.open_connection(host, port)
