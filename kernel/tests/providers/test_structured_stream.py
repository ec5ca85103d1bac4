"""The stream types and AIProvider.generate_structured_stream built on generate_stream."""

from __future__ import annotations

from collections.abc import AsyncIterator

from pydantic import TypeAdapter

from roomkit.models import (
    AIContext,
    AIMessage,
    AIResponse,
    AIStreamChunk,
    AIThinkingPart,
    AIToolCall,
    AIToolCallPart,
    AIToolResultPart,
    AIUsage,
    EventSource,
    RoomEvent,
    StreamChunk,
    StreamDone,
    StreamEnd,
    StreamError,
    StreamEvent,
    StreamMessage,
    StreamStart,
    StreamTextDelta,
    StreamThinkingDelta,
    StreamToolCall,
    TextContent,
)
from roomkit.models.enums import ChannelType
from roomkit.providers.ai.base import AIProvider, structured_events
from roomkit.providers.ai.mock import MockAIProvider

CALL = AIToolCall(id="c1", name="lookup", arguments={"q": "x"})


class Whole(AIProvider):
    """A provider that only implements generate (no streaming)."""

    name = "whole"

    async def generate(self, context: AIContext) -> AIResponse:
        return AIResponse(
            content="Four.",
            thinking="2 + 2 = 4",
            thinking_signature="sig",
            tool_calls=[CALL],
            finish_reason="tool_calls",
            usage=AIUsage(input_tokens=3, output_tokens=2),
        )


def _ask() -> AIContext:
    return AIContext(messages=[AIMessage(role="user", content="2 + 2?")])


async def test_default_structured_stream_of_a_non_streaming_provider() -> None:
    events = [e async for e in Whole().generate_structured_stream(_ask())]
    assert events == [
        StreamThinkingDelta(thinking="2 + 2 = 4"),
        StreamTextDelta(text="Four."),
        StreamToolCall(id="c1", name="lookup", arguments={"q": "x"}),
        StreamDone(
            finish_reason="tool_calls",
            usage={"input_tokens": 3, "output_tokens": 2},
            metadata={"thinking_signature": "sig", "model": "whole"},
        ),
    ]
    assert Whole().supports_structured_streaming is False


async def test_structured_stream_follows_generate_stream_pieces() -> None:
    provider = MockAIProvider(["one two three"], streaming=True)
    events = [e async for e in provider.generate_structured_stream(_ask())]
    assert [type(e) for e in events] == [StreamTextDelta] * 3 + [StreamDone]
    assert "".join(e.text for e in events if isinstance(e, StreamTextDelta)) == "one two three"
    done = events[-1]
    assert isinstance(done, StreamDone)
    assert done.finish_reason == "stop"
    assert set(done.usage) == {"input_tokens", "output_tokens"}


async def test_structured_events_close_the_chunk_stream_and_tolerate_no_finish() -> None:
    closed: list[bool] = []

    async def chunks() -> AsyncIterator[AIStreamChunk]:
        try:
            yield AIStreamChunk(thinking_delta="hm", thinking_signature="s1")
            yield AIStreamChunk(text_delta="hi")
        finally:
            closed.append(True)

    events = [e async for e in structured_events(chunks())]
    assert events[-1] == StreamDone(metadata={"thinking_signature": "s1"})
    assert closed == [True]

    stream = structured_events(chunks())
    assert await stream.__anext__() == StreamThinkingDelta(thinking="hm")
    await stream.aclose()  # type: ignore[attr-defined]
    assert closed == [True, True]


def test_stream_events_round_trip_by_type() -> None:
    adapter: TypeAdapter[StreamEvent] = TypeAdapter(StreamEvent)
    for event in (
        StreamThinkingDelta(thinking="a"),
        StreamTextDelta(text="b"),
        StreamToolCall(id="1", name="n", arguments={"k": 1}),
        StreamDone(finish_reason="stop", usage={"input_tokens": 1}),
    ):
        assert adapter.validate_python(event.model_dump()) == event


def test_client_stream_messages() -> None:
    source = EventSource(channel_id="ai", channel_type=ChannelType.AI)
    event = RoomEvent(room_id="r1", source=source, content=TextContent(body="Hello you"))
    adapter: TypeAdapter[StreamMessage] = TypeAdapter(StreamMessage)
    messages = [
        StreamStart(room_id="r1", stream_id="s1", source=source),
        StreamChunk(room_id="r1", stream_id="s1", delta="Hello", text="Hello"),
        StreamChunk(room_id="r1", stream_id="s1", delta=" you", text="Hello you"),
        StreamEnd(room_id="r1", stream_id="s1", event=event),
        StreamError(room_id="r1", stream_id="s1", error="the model timed out"),
    ]
    for message in messages:
        assert adapter.validate_json(message.model_dump_json()) == message
    assert [m.type for m in messages] == [
        "stream_start",
        "stream_chunk",
        "stream_chunk",
        "stream_end",
        "stream_error",
    ]


def test_content_parts_of_the_history() -> None:
    message = AIMessage.model_validate(
        {
            "role": "assistant",
            "content": [
                {"type": "thinking", "thinking": "why", "signature": "s"},
                {"type": "tool_call", "id": "1", "name": "n", "arguments": {}},
                {"type": "text", "text": "ok"},
            ],
        }
    )
    assert isinstance(message.content, list)
    assert isinstance(message.content[0], AIThinkingPart)
    assert isinstance(message.content[1], AIToolCallPart)
    assert message.text == "ok"
    result = AIMessage(
        role="tool", content=[AIToolResultPart(tool_call_id="1", name="n", result="r")]
    )
    assert result.text == ""
