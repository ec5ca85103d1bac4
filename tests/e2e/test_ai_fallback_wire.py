"""AIChannel's retry policy, fallback provider and thinking budget over real sockets.

The primary is ``OpenAIAIProvider`` (the real ``openai`` SDK, its own retries off) and the
fallback ``AnthropicAIProvider`` (the real ``anthropic`` SDK), both against the llmock wire
server: 503 answers of the OpenAI side are retried by the channel's ``RetryPolicy``, then
the Anthropic side answers; the channel's ``thinking_budget`` reaches Anthropic's request.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from roomkit_anthropic import AnthropicAIProvider, AnthropicConfig
from roomkit_openai import OpenAIAIProvider, OpenAIConfig

from roomkit import (
    AIChannel,
    ChannelCategory,
    InboundMessage,
    RetryPolicy,
    RoomKit,
    TextContent,
    WebSocketChannel,
)
from roomkit_conformance.wire.llm import LLMockServer, LLMockWire

FAST = RetryPolicy(max_retries=2, base_delay_seconds=0.001, max_delay_seconds=0.01)


@pytest.fixture
async def anthropic_wire(llmock_server: LLMockServer) -> AsyncIterator[LLMockWire]:
    wire = llmock_server.wire("anthropic")
    await wire.reset()
    yield wire
    await wire.reset()


async def kit_with(ai: AIChannel) -> RoomKit:
    kit = RoomKit()
    kit.register_channel(WebSocketChannel("ws"))
    kit.register_channel(WebSocketChannel("screen"))
    kit.register_channel(ai)
    await kit.create_room(room_id="r")
    await kit.attach_channel("r", "ws")
    await kit.attach_channel("r", "screen")
    await kit.attach_channel("r", "ai", category=ChannelCategory.INTELLIGENCE)
    return kit


def said(body: str) -> InboundMessage:
    return InboundMessage(channel_id="ws", sender_id="u", content=TextContent(body=body))


async def test_openai_outage_is_retried_then_anthropic_answers(
    openai_wire: LLMockWire, anthropic_wire: LLMockWire
) -> None:
    primary = OpenAIAIProvider(
        OpenAIConfig(api_key="k", base_url=openai_wire.base_url, max_retries=0)
    )
    fallback = AnthropicAIProvider(
        AnthropicConfig(api_key="k", base_url=anthropic_wire.sdk_root, max_retries=0)
    )
    ai = AIChannel(
        "ai", primary, retry_policy=FAST, fallback_provider=fallback, thinking_budget=2048
    )
    kit = await kit_with(ai)
    try:
        await openai_wire.fail(503)
        await anthropic_wire.reply("Anthropic here.")
        result = await kit.process_inbound(said("hello"))
        assert await openai_wire.request_count() == 3  # first attempt and two retries
        [body] = await anthropic_wire.requests()
        assert body["thinking"] == {"type": "enabled", "budget_tokens": 2048}
        [reply] = result.responses
        assert reply.content.body == "Anthropic here."  # type: ignore[union-attr]
        assert reply.source.provider == fallback.name
        assert reply.metadata["ai"]["fallback"] is True
        assert result.failures == {}
    finally:
        await kit.close()


async def test_both_vendors_down_is_a_recorded_failure(
    openai_wire: LLMockWire, anthropic_wire: LLMockWire
) -> None:
    primary = OpenAIAIProvider(
        OpenAIConfig(api_key="k", base_url=openai_wire.base_url, max_retries=0)
    )
    fallback = AnthropicAIProvider(
        AnthropicConfig(api_key="k", base_url=anthropic_wire.sdk_root, max_retries=0)
    )
    kit = await kit_with(AIChannel("ai", primary, retry_policy=FAST, fallback_provider=fallback))
    try:
        await openai_wire.fail(503, message="openai overloaded")
        await anthropic_wire.fail(529, message="anthropic overloaded")
        result = await kit.process_inbound(said("hello"))
        assert result.responses == []
        failure = result.failures["ai"]
        assert failure.error is not None
        assert failure.error.startswith("Provider")
        assert "openai overloaded" in failure.error  # the primary's failure is reported
        assert await anthropic_wire.request_count() == 1
        assert await openai_wire.request_count() == 3
    finally:
        await kit.close()
