"""SSESource against a real SSE endpoint (starlette + uvicorn): the conformance suite, then
faults on the wire (drops, stalls, garbage, refusals), counting what reaches the store."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from typing import Any, ClassVar

import pytest
import pytest_asyncio
from httpx_sse import ServerSentEvent
from roomkit_sse import SSESource
from roomkit_sse.testing import EventStreamServer, conformance_source

from roomkit import (
    ConfigurationError,
    HookExecution,
    HookTrigger,
    InboundMessage,
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


class TestSSESource(SourceProviderSuite):
    capabilities: ClassVar[frozenset[str]] = frozenset({"reconnects", "rejects_garbage"})

    @pytest_asyncio.fixture
    async def component(self) -> AsyncIterator[SourceHarness]:
        async for harness in conformance_source():
            yield harness


@pytest_asyncio.fixture
async def server() -> AsyncIterator[EventStreamServer]:
    server = await EventStreamServer().start()
    yield server
    await server.close()


@pytest_asyncio.fixture
async def kit() -> AsyncIterator[RoomKit]:
    kit = RoomKit()
    kit.register_channel(WebSocketChannel("sse"))
    yield kit
    await kit.close()


async def test_drops_stalls_and_garbage_lose_and_duplicate_nothing(
    server: EventStreamServer, kit: RoomKit
) -> None:
    stages: list[str] = []

    @kit.hook(HookTrigger.ON_ERROR, execution=HookExecution.ASYNC)
    async def on_error(event: Any, ctx: Any) -> None:
        stages.append(ctx.metadata["stage"])

    sent = 0

    async def burst(n: int) -> None:
        nonlocal sent
        for _ in range(n):
            await server.send(f"id-{sent}", f"msg {sent}")
            sent += 1

    async with FaultProxy("127.0.0.1", server.port) as proxy:
        url = f"http://127.0.0.1:{proxy.port}/events"
        source = SSESource(url, "sse", timeout=1.0)
        await kit.attach_source("sse", source, restart_delay=0.05, max_restart_delay=0.2)
        await eventually(lambda: server.streams == 1, "the stream open")
        await burst(20)
        await eventually(lambda: stored_at_least(kit, 20), "20 stored")
        proxy.drop()  # the network drops; what is published meanwhile stays in the log
        await burst(10)
        await eventually(
            lambda: stored_at_least(kit, 30), "30 stored (replayed after Last-Event-ID)"
        )
        await server.garbage()
        await burst(5)
        await eventually(lambda: stored_at_least(kit, 35), "35 stored")
        await eventually(lambda: server.streams >= 1, "a stream open")
        proxy.stall()  # the server hangs: the read time-out notices
        await burst(5)
        await eventually(lambda: stored_at_least(kit, 40), "40 stored after the stall")
        server.publish_data(json.dumps({"id": "id-3", "text": "msg 3"}))  # sent twice
        await burst(1)
        await eventually(lambda: stored_at_least(kit, 41), "41 stored")
    assert sorted(await stored_texts(kit)) == sorted(f"msg {n}" for n in range(41))
    resumed = [r["last-event-id"] for r in server.requests if "last-event-id" in r]
    assert resumed  # every reconnection resumed after the last event seen
    assert [int(r) for r in resumed] == sorted(int(r) for r in resumed)
    health = await kit.source_health("sse")
    assert health.metadata["restarts"] >= 2
    assert health.metadata["rejected"] == 1
    assert health.metadata["last_event_id"] == str(len(server.log))
    await kit.hooks.drain()
    assert {"source.parse", "source.start"} <= set(stages)


async def test_a_refusing_server_is_retried_until_it_answers(
    server: EventStreamServer, kit: RoomKit
) -> None:
    server.status_code = 503
    errors: list[str] = []
    kit.on("source_error")(lambda e: errors.append(e.data["error"]))
    source = SSESource(server.url, "sse", timeout=5)
    await kit.attach_source("sse", source, restart_delay=0.02, max_restart_delay=0.05)
    await eventually(lambda: len(errors) >= 2, "two refused attempts reported")
    assert "HTTP 503" in errors[0]
    server.status_code = 200
    await server.send("x", "finally")
    await eventually(lambda: stored_at_least(kit, 1), "the message after recovery")
    assert source.status == SourceStatus.CONNECTED


async def test_heartbeats_event_types_and_custom_parser(server: EventStreamServer) -> None:
    got: list[InboundMessage] = []

    async def emit(message: InboundMessage) -> Any:
        got.append(message)

    def parse(event: ServerSentEvent) -> InboundMessage | None:
        return InboundMessage(
            channel_id="sse",
            sender_id="feed",
            content=TextContent(body=event.data.upper()),
            idempotency_key=event.id,
        )

    source = SSESource(server.url, "sse", parser=parse, event_types={"chat"})
    task = asyncio.create_task(source.start(emit))
    await eventually(lambda: server.streams == 1, "the stream open")
    server.heartbeat()
    server.publish_data("ignored", event="presence")
    server.publish_data("hello", event="chat")
    await eventually(lambda: len(got) == 1, "the chat event")
    assert got[0].content == TextContent(body="HELLO")
    assert got[0].idempotency_key == "2"
    assert source.last_event_id == "2"
    await source.stop()
    await asyncio.wait_for(task, 10)


async def test_self_reconnect_resumes_from_the_last_event(server: EventStreamServer) -> None:
    got: list[str] = []

    async def emit(message: InboundMessage) -> Any:
        assert isinstance(message.content, TextContent)
        got.append(message.content.body)

    source = SSESource(server.url, "sse", reconnect=True, max_reconnect_backoff=0.2)
    task = asyncio.create_task(source.start(emit))
    await server.send("a", "one")
    await eventually(lambda: got == ["one"], "the first event")
    await server.end_streams()
    await server.send("b", "two")  # published while the source is away
    await eventually(lambda: got == ["one", "two"], "the missed event, replayed once")
    assert source.connections == 2
    assert not task.done()
    await source.stop()
    await asyncio.wait_for(task, 10)


def test_bad_configuration_is_refused() -> None:
    with pytest.raises(ConfigurationError, match="http"):
        SSESource("ws://example.com", "sse")
    with pytest.raises(ConfigurationError, match="positive"):
        SSESource("http://example.com", "sse", timeout=0)
