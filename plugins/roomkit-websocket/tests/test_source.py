"""WebSocketSource against a real websockets server: the conformance suite, then faults on the
wire (drops, stalls, garbage), counting what reaches the store."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any, ClassVar

import pytest
import pytest_asyncio
from roomkit_websocket import WebSocketSource
from roomkit_websocket.testing import StreamServer, conformance_source

from roomkit import (
    ConfigurationError,
    HookExecution,
    HookTrigger,
    InboundMessage,
    ProviderError,
    RoomKit,
    SourceStatus,
    TextContent,
    WebSocketChannel,
)
from roomkit_conformance.suites.source import (
    SourceHarness,
    SourceProviderSuite,
    eventually,
    stored_at_least,
    stored_texts,
)
from roomkit_conformance.wire import FaultProxy


class TestWebSocketSource(SourceProviderSuite):
    capabilities: ClassVar[frozenset[str]] = frozenset({"reconnects", "rejects_garbage"})

    @pytest_asyncio.fixture
    async def component(self) -> AsyncIterator[SourceHarness]:
        async for harness in conformance_source():
            yield harness


@pytest_asyncio.fixture
async def server() -> AsyncIterator[StreamServer]:
    server = await StreamServer().start()
    yield server
    await server.close()


@pytest_asyncio.fixture
async def kit() -> AsyncIterator[RoomKit]:
    kit = RoomKit()
    kit.register_channel(WebSocketChannel("ws"))
    yield kit
    await kit.close()


async def test_drops_stalls_and_garbage_lose_and_duplicate_nothing(
    server: StreamServer, kit: RoomKit
) -> None:
    stages: list[str] = []

    @kit.hook(HookTrigger.ON_ERROR, execution=HookExecution.ASYNC)
    async def on_error(event: Any, ctx: Any) -> None:
        stages.append(ctx.metadata["stage"])

    async with FaultProxy("127.0.0.1", server.port) as proxy:
        url = f"ws://127.0.0.1:{proxy.port}/events"
        source = WebSocketSource(url, "ws", ping_interval=0.2, ping_timeout=0.5, close_timeout=0.5)
        await kit.attach_source("ws", source, restart_delay=0.05, max_restart_delay=0.2)
        sent = 0

        async def burst(count: int) -> None:
            nonlocal sent
            for _ in range(count):
                await server.send(f"id-{sent}", f"msg {sent}")
                sent += 1

        async def reconnected(connections: int) -> None:
            await eventually(lambda: source.connections >= connections, "a reconnection")
            await server.wait_for_clients()

        await reconnected(1)
        await burst(20)
        await eventually(lambda: stored_at_least(kit, 20), "20 stored")
        proxy.drop()  # the network drops
        await reconnected(2)
        await burst(20)
        await server.garbage()
        await burst(5)
        await eventually(lambda: stored_at_least(kit, 45), "45 stored")
        proxy.stall()  # the server hangs: only the pings notice
        await reconnected(3)
        await burst(5)
        # the server sends a message twice (as after a resumed subscription): stored once
        await server.send("id-0", "msg 0")
        await eventually(lambda: stored_at_least(kit, 50), "50 stored")
    texts = await stored_texts(kit)
    assert sorted(texts) == sorted(f"msg {n}" for n in range(50))
    health = await kit.source_health("ws")
    assert health.metadata["restarts"] >= 2
    assert health.metadata["rejected"] == 1
    assert health.status == SourceStatus.CONNECTED
    await kit.hooks.drain()
    assert "source.parse" in stages
    assert "source.start" in stages  # the stall ended in a keepalive failure, reported


async def test_self_reconnect_keeps_start_running(server: StreamServer) -> None:
    got: list[InboundMessage] = []

    async def emit(message: InboundMessage) -> Any:
        got.append(message)

    source = WebSocketSource(server.url, "ws", reconnect=True, max_reconnect_backoff=0.05)
    task = asyncio.create_task(source.start(emit))
    await server.send("a", "one")
    await server.close_clients()
    await eventually(lambda: source.connections == 2, "a reconnection by the source itself")
    await server.send("b", "two")
    await eventually(lambda: len(got) == 2, "both messages")
    assert not task.done()
    await source.stop()
    await asyncio.wait_for(task, 10)
    assert source.status == SourceStatus.STOPPED


async def test_headers_parser_and_send(server: StreamServer) -> None:
    def parse(raw: str | bytes) -> InboundMessage | None:
        text = raw.decode() if isinstance(raw, bytes) else raw
        if text.startswith("#"):
            return None  # a comment: skipped
        return InboundMessage(channel_id="ws", sender_id="s", content=TextContent(body=text))

    got: list[InboundMessage] = []

    async def emit(message: InboundMessage) -> Any:
        got.append(message)

    source = WebSocketSource(
        server.url, "ws", parser=parse, headers={"Authorization": "Bearer t0ken"}
    )
    with pytest.raises(ProviderError, match="not connected"):
        await source.send("early")
    task = asyncio.create_task(source.start(emit))
    await server.send_raw("# hello")
    await server.send_raw("plain text")
    await eventually(lambda: len(got) == 1, "the plain message")
    assert got[0].content == TextContent(body="plain text")
    await source.send({"type": "ack", "id": 1})
    await eventually(lambda: server.received, "the server receiving what the source sent")
    assert server.received == ['{"type": "ack", "id": 1}']
    assert server.handshake_headers[0]["Authorization"] == "Bearer t0ken"
    await source.stop()
    await asyncio.wait_for(task, 10)


async def test_a_refused_connection_is_reported_and_retried(kit: RoomKit) -> None:
    server = await StreamServer().start()
    port = server.port
    await server.close()
    failed: list[Any] = []
    kit.on("source_failed")(failed.append)
    source = WebSocketSource(f"ws://127.0.0.1:{port}/", "ws")
    await kit.attach_source("ws", source, restart_delay=0.01, max_restart_attempts=2)
    await eventually(lambda: bool(failed), "the kit giving up")
    health = await kit.source_health("ws")
    assert health.status == SourceStatus.ERROR
    assert "Connect" in (health.error or "") or "refused" in (health.error or "").lower()


def test_bad_configuration_is_refused() -> None:
    with pytest.raises(ConfigurationError, match="ws://"):
        WebSocketSource("http://example.com", "ws")
    with pytest.raises(ConfigurationError, match="rate_limit"):
        WebSocketSource("ws://example.com", "ws", rate_limit=0)


async def test_the_origin_reaches_the_handshake(server: StreamServer) -> None:
    async def emit(message: InboundMessage) -> Any:
        return None

    source = WebSocketSource(server.url, "ws", origin="https://app.example")
    task = asyncio.create_task(source.start(emit))
    await eventually(lambda: server.handshake_headers, "the handshake")
    headers = server.handshake_headers[0]
    assert headers["Origin"] == "https://app.example"
    await source.stop()
    await asyncio.wait_for(task, 10)


def test_importing_the_source_does_not_load_websockets() -> None:
    """The websockets library loads with the first connection (see test above)."""
    import subprocess
    import sys

    code = (
        "import sys; from roomkit_websocket import WebSocketSource; "
        "WebSocketSource('ws://h/x', 'ws'); print('websockets' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
