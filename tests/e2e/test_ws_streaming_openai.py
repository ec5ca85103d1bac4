"""End to end: an AI reply streamed token by token to a browser-like WebSocket client.

A ``websockets`` server on 127.0.0.1 bridges each socket to a ``WebSocketChannel`` (room events
and stream messages serialised as JSON); a ``websockets`` client is the user. The agent runs
``OpenAIAIProvider`` (the real ``openai`` SDK, streaming over SSE) against the llmock wire
server. The client must see ``stream_start``, several ``stream_chunk`` frames that add up to
the answer, then ``stream_end`` carrying the event the kit stored, and never the reply twice;
a second client without streaming gets the whole reply once.
"""

from __future__ import annotations

import asyncio
import itertools
import json
from collections.abc import AsyncIterator
from typing import Any

import pytest
import websockets
from roomkit_openai import OpenAIAIProvider, OpenAIConfig

from roomkit import (
    AIChannel,
    InboundMessage,
    RoomEvent,
    RoomKit,
    StreamMessage,
    TextContent,
    WebSocketChannel,
)
from roomkit_conformance.wire.llm import LLMockWire

ANSWER = "Your order A-1001 shipped yesterday with UPS and arrives on Thursday."


class Bridge:
    """The app side: one socket per connection, registered on the kit's WebSocket channel."""

    def __init__(self, kit: RoomKit, channel: WebSocketChannel, room_id: str) -> None:
        self.kit = kit
        self.channel = channel
        self.room_id = room_id
        self.tasks: set[asyncio.Task[Any]] = set()

    async def handle(self, socket: Any) -> None:
        hello = json.loads(await socket.recv())
        connection_id, user = hello["connection"], hello["user"]

        async def send(payload: Any) -> None:
            kind = "event" if isinstance(payload, RoomEvent) else "ephemeral"
            await socket.send(json.dumps({"kind": kind, "event": payload.model_dump(mode="json")}))

        async def send_stream(cid: str, message: StreamMessage) -> None:
            await socket.send(json.dumps({"kind": "stream", **message.model_dump(mode="json")}))

        self.channel.register_connection(
            connection_id, send, stream_send_fn=send_stream if hello["stream"] else None
        )
        await socket.send(json.dumps({"kind": "ready"}))
        try:
            async for raw in socket:
                body = json.loads(raw)["text"]
                message = InboundMessage(
                    channel_id="ws",
                    sender_id=user,
                    content=TextContent(body=body),
                    room_id=self.room_id,
                )
                task = asyncio.create_task(self.kit.process_inbound(message))
                self.tasks.add(task)
                task.add_done_callback(self.tasks.discard)
        finally:
            self.channel.unregister_connection(connection_id)


@pytest.fixture
async def served(openai_wire: LLMockWire) -> AsyncIterator[tuple[RoomKit, str, str]]:
    kit = RoomKit()
    channel = WebSocketChannel("ws")
    kit.register_channel(channel)
    provider = OpenAIAIProvider(
        OpenAIConfig(
            api_key="sk-e2e-not-a-secret",
            base_url=openai_wire.base_url,
            model="stream-model",
            timeout=10.0,
            max_retries=0,
        )
    )
    kit.register_channel(AIChannel("assistant", provider, streaming=True))
    room = await kit.create_room()
    await kit.attach_channel(room.id, "ws")
    await kit.attach_channel(room.id, "assistant")
    bridge = Bridge(kit, channel, room.id)
    async with websockets.serve(bridge.handle, "127.0.0.1", 0) as server:
        port = next(iter(server.sockets)).getsockname()[1]
        yield kit, room.id, f"ws://127.0.0.1:{port}"
        if bridge.tasks:
            await asyncio.gather(*bridge.tasks)
    await kit.close()


async def _connect(url: str, connection: str, *, stream: bool) -> Any:
    socket = await websockets.connect(url)
    await socket.send(json.dumps({"connection": connection, "user": "user-1", "stream": stream}))
    assert json.loads(await socket.recv()) == {"kind": "ready"}
    return socket


async def _frames_until(socket: Any, done: Any) -> list[dict[str, Any]]:
    frames: list[dict[str, Any]] = []
    async with asyncio.timeout(15):
        while not frames or not done(frames[-1]):
            frames.append(json.loads(await socket.recv()))
    return frames


async def test_reply_streams_token_by_token_over_a_real_websocket(
    served: tuple[RoomKit, str, str], openai_wire: LLMockWire
) -> None:
    kit, room_id, url = served
    await openai_wire.reply(ANSWER)
    streaming = await _connect(url, "browser", stream=True)
    plain = await _connect(url, "legacy", stream=False)
    try:
        await streaming.send(json.dumps({"text": "Where is my order A-1001?"}))
        frames = await _frames_until(
            streaming, lambda f: f.get("type") in {"stream_end", "stream_error"}
        )
        plain_frames = await _frames_until(plain, lambda f: f["kind"] == "event")
    finally:
        await streaming.close()
        await plain.close()

    stream = [f for f in frames if f["kind"] == "stream"]
    start, *chunks, end = stream
    assert start["type"] == "stream_start"
    assert start["source"]["channel_id"] == "assistant"
    assert end["type"] == "stream_end", end
    assert len(chunks) >= 3, "the SDK stream must arrive in several pieces"
    assert all(c["type"] == "stream_chunk" for c in chunks)
    assert "".join(c["delta"] for c in chunks) == ANSWER
    assert [c["text"] for c in chunks][-1] == ANSWER
    assert all(len(a["text"]) < len(b["text"]) for a, b in itertools.pairwise(chunks))
    # The streaming socket never receives the reply whole (nor the text a second time as
    # ai_stream ephemeral events); the plain one gets it whole exactly once.
    assert [f for f in frames if f["kind"] != "stream"] == []

    stored = [e for e in await kit.store.list_events(room_id) if e.source.channel_id == "assistant"]
    assert len(stored) == 1
    reply: RoomEvent = stored[0]
    assert reply.content.body == ANSWER  # type: ignore[union-attr]
    assert end["event"]["id"] == start["stream_id"] == reply.id
    assert end["event"]["content"]["body"] == ANSWER
    assert [f["event"]["id"] for f in plain_frames if f["kind"] == "event"] == [reply.id]

    body = (await openai_wire.requests())[-1]
    assert body["stream"] is True
