"""MockAIProvider: scripted replies, tool calls, streaming, delays and errors."""

from __future__ import annotations

import asyncio

import pytest

from roomkit import AIContext, AIMessage, AIResponse, AIToolCall
from roomkit.errors import ConfigurationError, ProviderError
from roomkit.testing import MockAIProvider


def ctx(text: str = "hi") -> AIContext:
    return AIContext(messages=[AIMessage(role="user", content=text)], system_prompt="sys")


async def test_responses_cycle_and_calls_are_recorded() -> None:
    provider = MockAIProvider(responses=["one", "two"])
    replies = [(await provider.generate(ctx(str(i)))).content for i in range(3)]
    assert replies == ["one", "two", "one"]
    assert provider.call_count == 3
    assert provider.last_context is not None
    assert provider.last_context.messages[0].text == "2"
    provider.reset()
    assert provider.call_count == 0
    assert (await provider.generate(ctx())).content == "one"


async def test_tool_calls_come_first_then_text() -> None:
    provider = MockAIProvider(
        responses=["done"], tool_calls=[{"name": "lookup", "arguments": {"id": 7}}]
    )
    first = await provider.generate(ctx())
    assert first.tool_calls == [AIToolCall(id="call_0", name="lookup", arguments={"id": 7})]
    assert first.content == ""
    second = await provider.generate(ctx())
    assert second.content == "done"
    assert not second.tool_calls


async def test_ai_response_objects_are_returned_as_scripted() -> None:
    scripted = AIResponse(content="x", finish_reason="length")
    provider = MockAIProvider(responses=[scripted])
    assert (await provider.generate(ctx())).finish_reason == "length"


async def test_streaming_yields_pieces_that_join_to_the_reply() -> None:
    provider = MockAIProvider(responses=["hello there world"], streaming=True)
    assert provider.supports_streaming
    chunks = [c async for c in provider.generate_stream(ctx())]
    assert "".join(c.text_delta for c in chunks) == "hello there world"
    assert len(chunks) == 4
    assert chunks[-1].finish_reason == "stop"


async def test_errors_sequence_and_every_call() -> None:
    provider = MockAIProvider(responses=["ok"], errors=[ProviderError("boom"), None])
    with pytest.raises(ProviderError, match="boom"):
        await provider.generate(ctx())
    assert (await provider.generate(ctx())).content == "ok"
    always = MockAIProvider(errors=ProviderError("down", retryable=True))
    for _ in range(2):
        with pytest.raises(ProviderError):
            await always.generate(ctx())


async def test_delay_makes_timeouts_testable() -> None:
    provider = MockAIProvider(delay=0.5)
    with pytest.raises(TimeoutError):
        await asyncio.wait_for(provider.generate(ctx()), 0.01)


def test_bad_configuration() -> None:
    with pytest.raises(ConfigurationError):
        MockAIProvider(responses=[])
    with pytest.raises(ConfigurationError):
        MockAIProvider(delay=-1)
    with pytest.raises(ConfigurationError):
        MockAIProvider(tool_calls=[{"arguments": {}}])
