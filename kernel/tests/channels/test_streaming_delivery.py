"""Replies streamed piece by piece to channels that support streaming delivery."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import pytest

from roomkit import (
    AIChannel,
    AIContext,
    AIResponse,
    AIStreamChunk,
    Channel,
    ChannelBinding,
    ChannelCategory,
    ChannelOutput,
    ChannelType,
    EphemeralEvent,
    EphemeralEventType,
    HookTrigger,
    InboundMessage,
    RoomContext,
    RoomEvent,
    RoomKit,
    StreamChunk,
    StreamEnd,
    StreamError,
    StreamMessage,
    StreamStart,
    TextContent,
    WebSocketChannel,
)
from roomkit.models.keys import STREAMED_KEY
from roomkit.testing import MockAIProvider


class Socket:
    """What one client connection received: whole payloads and stream messages."""

    def __init__(self) -> None:
        self.payloads: list[Any] = []
        self.stream: list[StreamMessage] = []

    async def send(self, connection_id: str, payload: Any) -> None:
        self.payloads.append(payload)

    async def send_stream(self, connection_id: str, message: StreamMessage) -> None:
        self.stream.append(message)

    def events(self) -> list[RoomEvent]:
        return [p for p in self.payloads if isinstance(p, RoomEvent)]


async def room_with(kit: RoomKit, *channels: Channel, intelligence: tuple[str, ...] = ()) -> str:
    room = await kit.create_room()
    for channel in channels:
        kit.register_channel(channel)
        category = ChannelCategory.INTELLIGENCE if channel.channel_id in intelligence else None
        if category is None:
            await kit.attach_channel(room.id, channel.channel_id)
        else:
            await kit.attach_channel(room.id, channel.channel_id, category=category)
    return room.id


def say(body: str, room_id: str) -> InboundMessage:
    return InboundMessage(
        channel_id="ws", sender_id="u1", content=TextContent(body=body), room_id=room_id
    )


async def test_ai_reply_is_streamed_word_by_word_to_streaming_connections() -> None:
    kit = RoomKit()
    ws = WebSocketChannel("ws")
    streaming, plain = Socket(), Socket()
    ws.register_connection("s", streaming.send, stream_send_fn=streaming.send_stream)
    ws.register_connection("p", plain.send)
    assert ws.connection_count == 2
    assert ws.supports_streaming_delivery
    ai = AIChannel("ai", MockAIProvider(["Hello there my friend"], streaming=True))
    assert not ai.supports_streaming_delivery
    room_id = await room_with(kit, ws, ai)

    result = await kit.process_inbound(say("hi", room_id))

    stored = [e for e in await kit.store.list_events(room_id) if e.source.channel_id == "ai"]
    assert len(stored) == 1
    reply = stored[0]
    assert reply.content.body == "Hello there my friend"  # type: ignore[union-attr]
    assert reply.metadata[STREAMED_KEY] == ["ws"]
    assert [e.id for e in result.responses] == [reply.id]

    start, *chunks, end = streaming.stream
    assert isinstance(start, StreamStart)
    assert (start.stream_id, start.source.channel_id) == (reply.id, "ai")
    assert [c.delta for c in chunks] == ["Hello ", "there ", "my ", "friend"]  # type: ignore[union-attr]
    assert all(isinstance(c, StreamChunk) for c in chunks)
    assert chunks[-1].text == "Hello there my friend"  # type: ignore[union-attr]
    assert isinstance(end, StreamEnd)
    assert (end.event.id, end.event.content) == (reply.id, reply.content)
    # The streaming connection never got the reply a second time, whole.
    assert streaming.events() == []
    # The plain connection got the reply once, whole.
    assert [(e.id, e.content) for e in plain.events()] == [(reply.id, reply.content)]


async def test_a_failing_stream_client_is_dropped_and_the_others_still_stream() -> None:
    kit = RoomKit()
    ws = WebSocketChannel("ws")
    good = Socket()
    sent: list[str] = []

    async def broken(connection_id: str, message: StreamMessage) -> None:
        sent.append(message.type)
        if isinstance(message, StreamChunk):
            raise ConnectionError("socket closed")

    ws.register_connection("good", good.send, stream_send_fn=good.send_stream)
    ws.register_connection("bad", good.send, stream_send_fn=broken)
    ai = AIChannel("ai", MockAIProvider(["one two three"], streaming=True))
    room_id = await room_with(kit, ws, ai)
    await kit.process_inbound(say("hi", room_id))
    assert sent == ["stream_start", "stream_chunk"]
    assert [m.type for m in good.stream] == ["stream_start"] + ["stream_chunk"] * 3 + ["stream_end"]


class ScriptedStreamChannel(Channel):
    """An intelligence channel answering with a ``response_stream`` of fixed pieces."""

    channel_type = ChannelType.AI
    category = ChannelCategory.INTELLIGENCE

    def __init__(self, channel_id: str, pieces: list[str], fail_after: int | None = None):
        super().__init__(channel_id)
        self.pieces = pieces
        self.fail_after = fail_after

    async def on_event(
        self, event: RoomEvent, binding: ChannelBinding, context: RoomContext
    ) -> ChannelOutput:
        if event.source.channel_type is ChannelType.AI:
            return ChannelOutput.empty()

        async def pieces() -> AsyncIterator[str]:
            for index, piece in enumerate(self.pieces):
                if self.fail_after is not None and index == self.fail_after:
                    raise RuntimeError("model connection lost")
                yield piece

        return ChannelOutput(responded=True, response_stream=pieces())


async def test_engine_streams_a_channel_response_stream_and_stores_the_reply() -> None:
    kit = RoomKit()
    ws = WebSocketChannel("ws")
    socket = Socket()
    ws.register_connection("s", socket.send, stream_send_fn=socket.send_stream)
    bot = ScriptedStreamChannel("bot", ["Stream", "ed ", "reply"])
    room_id = await room_with(kit, ws, bot, intelligence=("bot",))
    result = await kit.process_inbound(say("hi", room_id))
    assert len(result.responses) == 1
    reply = result.responses[0]
    assert reply.content.body == "Streamed reply"  # type: ignore[union-attr]
    assert reply.source.channel_id == "bot"
    assert [m.type for m in socket.stream] == ["stream_start"] + ["stream_chunk"] * 3 + [
        "stream_end"
    ]
    assert socket.stream[0].stream_id == reply.id
    stored = await kit.store.get_event(reply.id)
    assert stored is not None
    assert stored.content == reply.content


async def test_a_response_stream_failing_part_way_ends_with_stream_error() -> None:
    kit = RoomKit()
    ws = WebSocketChannel("ws")
    socket = Socket()
    ws.register_connection("s", socket.send, stream_send_fn=socket.send_stream)
    bot = ScriptedStreamChannel("bot", ["a", "b", "c"], fail_after=2)
    room_id = await room_with(kit, ws, bot, intelligence=("bot",))
    errors: list[RoomEvent] = []

    @kit.hook(HookTrigger.ON_ERROR)
    async def on_error(event: RoomEvent, ctx: RoomContext) -> None:
        errors.append(event)

    result = await kit.process_inbound(say("hi", room_id))
    assert result.responses == []
    assert [m.type for m in socket.stream] == [
        "stream_start",
        "stream_chunk",
        "stream_chunk",
        "stream_error",
    ]
    assert isinstance(socket.stream[-1], StreamError)
    assert "StreamInterruptedError" in socket.stream[-1].error
    await kit.hooks.drain()
    assert errors
    assert all(e.source.channel_id != "bot" for e in await kit.store.list_events(room_id))


async def test_a_response_stream_must_be_an_async_iterator() -> None:
    with pytest.raises(ValueError, match="async iterator"):
        ChannelOutput(response_stream=["not", "async"])


class Collector(Channel):
    """A transport that streams but keeps the default deliver_stream (whole text)."""

    channel_type = ChannelType.WEBHOOK

    def __init__(self, channel_id: str) -> None:
        super().__init__(channel_id)
        self.delivered: list[RoomEvent] = []

    @property
    def supports_streaming_delivery(self) -> bool:
        return True

    async def deliver(
        self, event: RoomEvent, binding: ChannelBinding, context: RoomContext
    ) -> ChannelOutput:
        self.delivered.append(event)
        return ChannelOutput.empty()


async def test_default_deliver_stream_delivers_the_whole_text_once() -> None:
    kit = RoomKit()
    hook = Collector("hook")
    ai = AIChannel("ai", MockAIProvider(["all of it"], streaming=True))
    kit.register_channel(WebSocketChannel("ws"))
    room_id = await room_with(kit, hook, ai)
    await kit.attach_channel(room_id, "ws")
    result = await kit.process_inbound(say("hi", room_id))
    reply = result.responses[0]
    replies = [e for e in hook.delivered if e.source.channel_id == "ai"]
    assert [(e.id, e.content.body) for e in replies] == [(reply.id, "all of it")]  # type: ignore[union-attr]


class ThinkingProvider(MockAIProvider):
    """Streams reasoning before the answer, as vendors with thinking models do."""

    async def generate_stream(self, context: AIContext) -> AsyncIterator[AIStreamChunk]:
        yield AIStreamChunk(thinking_delta="The user greets; ")
        yield AIStreamChunk(thinking_delta="greet back.")
        yield AIStreamChunk(text_delta="Hello!")
        yield AIStreamChunk(finish_reason="stop")


async def test_thinking_is_announced_and_handed_to_on_ai_thinking_hooks() -> None:
    kit = RoomKit()
    ws = WebSocketChannel("ws")
    socket = Socket()
    ws.register_connection("s", socket.send, stream_send_fn=socket.send_stream)
    ai = AIChannel("ai", ThinkingProvider(streaming=True))
    room_id = await room_with(kit, ws, ai)
    ephemeral: list[EphemeralEvent] = []
    thoughts: list[RoomEvent] = []

    async def collect(event: EphemeralEvent) -> None:
        ephemeral.append(event)

    @kit.hook(HookTrigger.ON_AI_THINKING)
    async def on_thinking(event: RoomEvent, ctx: RoomContext) -> None:
        thoughts.append(event)

    await kit.subscribe_room(room_id, collect)
    result = await kit.process_inbound(say("hi", room_id))
    assert result.responses[0].content.body == "Hello!"  # type: ignore[union-attr]
    await kit.hooks.drain()
    assert [t.content.body for t in thoughts] == ["The user greets; greet back."]  # type: ignore[union-attr]
    assert thoughts[0].content.data["event_id"] == result.event.id  # type: ignore[union-attr]
    async with asyncio.timeout(5):
        while EphemeralEventType.THINKING_END not in [e.type for e in ephemeral]:
            await asyncio.sleep(0.01)
    kinds = [e.type for e in ephemeral if e.type != EphemeralEventType.CUSTOM]
    assert kinds == [EphemeralEventType.THINKING_START, EphemeralEventType.THINKING_END]


async def test_non_streamed_thinking_reaches_the_hook_too() -> None:
    kit = RoomKit()
    ai = AIChannel("ai", MockAIProvider([AIResponse(content="ok", thinking="because")]))
    room_id = await room_with(kit, WebSocketChannel("ws"), ai)
    thoughts: list[str] = []

    @kit.hook(HookTrigger.ON_AI_THINKING)
    async def on_thinking(event: RoomEvent, ctx: RoomContext) -> None:
        thoughts.append(event.content.body)  # type: ignore[union-attr]

    await kit.process_inbound(say("hi", room_id))
    await kit.hooks.drain()
    assert thoughts == ["because"]


async def test_a_reply_without_text_opens_no_stream() -> None:
    kit = RoomKit()
    ws = WebSocketChannel("ws")
    socket = Socket()
    ws.register_connection("s", socket.send, stream_send_fn=socket.send_stream)
    ai = AIChannel("ai", MockAIProvider([""], streaming=True))
    room_id = await room_with(kit, ws, ai)
    result = await kit.process_inbound(say("hi", room_id))
    assert result.responses == []
    assert socket.stream == []
