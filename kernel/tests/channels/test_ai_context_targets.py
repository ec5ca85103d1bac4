"""What an AI turn tells the provider about the room and the channel it answers."""

from __future__ import annotations

from typing import Any

from roomkit import (
    AIChannel,
    AIContext,
    AIMessage,
    AIResponse,
    AITool,
    ChannelCapabilities,
    ChannelMediaType,
    InboundMessage,
    RoomKit,
    TextContent,
    WebSocketChannel,
)
from roomkit.testing import MockAIProvider


async def test_provider_sees_the_room_and_the_capabilities_of_the_source_channel() -> None:
    kit = RoomKit()
    provider = MockAIProvider(["ok"])
    kit.register_channel(WebSocketChannel("ws"))
    kit.register_channel(AIChannel("ai", provider))
    room = await kit.create_room()
    sms_like = ChannelCapabilities(media_types=[ChannelMediaType.TEXT], max_length=160)
    await kit.attach_channel(room.id, "ws", capabilities=sms_like)
    await kit.attach_channel(room.id, "ai")
    await kit.process_inbound(
        InboundMessage(channel_id="ws", sender_id="u1", content=TextContent(body="hi"))
    )
    request = provider.last_context
    assert request is not None
    assert request.room is not None
    assert request.room.room.id == room.id
    assert request.target_capabilities is not None
    assert request.target_capabilities.max_length == 160
    assert request.target_media_types == [ChannelMediaType.TEXT]
    assert AIContext().target_media_types == []


async def test_extra_tools_are_the_registered_ones() -> None:
    base = AITool(name="base", description="given at construction", parameters={})
    extra = AITool(name="extra", description="registered", parameters={})
    channel = AIChannel("ai", MockAIProvider(), tools=[base])
    assert channel.extra_tools == []

    async def handler(name: str, arguments: dict[str, Any]) -> str:
        return "done"

    channel.register_tool(extra, handler)
    assert [t.name for t in channel.extra_tools] == ["extra"]
    assert {t.name for t in channel.tools} == {"base", "extra"}
    channel.unregister_tool("extra")
    assert channel.extra_tools == []


async def test_mock_provider_ai_responses_replace_the_text_script() -> None:
    provider = MockAIProvider(
        ["never used"], ai_responses=[AIResponse(content="A1"), AIResponse(content="A2")]
    )
    request = AIContext(messages=[AIMessage(role="user", content="hi", metadata={"k": 1})])
    answers = [(await provider.generate(request)).content for _ in range(3)]
    assert answers == ["A1", "A2", "A1"]
    assert request.messages[0].metadata == {"k": 1}
