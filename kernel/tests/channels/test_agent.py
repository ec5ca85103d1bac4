"""Agent: identity in the system prompt, room language, routing, config-only, greetings."""

from __future__ import annotations

from typing import Any

from roomkit import (
    Agent,
    AIChannel,
    AIConfig,
    ChannelBinding,
    ChannelCategory,
    ChannelType,
    ConversationRouter,
    ConversationState,
    EventSource,
    Room,
    RoomContext,
    RoomEvent,
    TextContent,
    set_conversation_state,
)
from roomkit.channels.ai import ROUTE_KEY
from roomkit.orchestration.state import LANGUAGE_KEY
from roomkit.testing import MockAIProvider


def user_event(**metadata: Any) -> RoomEvent:
    return RoomEvent(
        room_id="r1",
        source=EventSource(channel_id="ws", channel_type=ChannelType.WEBSOCKET),
        content=TextContent(body="hello"),
        metadata=metadata,
    )


def binding(channel_id: str) -> ChannelBinding:
    return ChannelBinding(
        room_id="r1",
        channel_id=channel_id,
        channel_type=ChannelType.AI,
        category=ChannelCategory.INTELLIGENCE,
    )


def ctx(event: RoomEvent, room: Room | None = None) -> RoomContext:
    return RoomContext(room=room or Room(id="r1"), recent_events=[event])


def make_agent(channel_id: str = "agent-triage", **kwargs: Any) -> Agent:
    return Agent(
        channel_id,
        provider=kwargs.pop("provider", None) or MockAIProvider(responses=["hi"]),
        role="Triage receptionist",
        description="Routes callers to the right specialist",
        scope="Financial advisory services only",
        voice="voice-1",
        greeting="Greet the caller warmly.",
        language="French",
        system_prompt="You triage incoming requests.",
        **kwargs,
    )


async def test_identity_is_injected_into_the_system_prompt() -> None:
    agent = make_agent()
    assert isinstance(agent, AIChannel)
    event = user_event()
    await agent.on_event(event, binding(agent.channel_id), ctx(event))
    prompt = agent.provider.calls[0].system_prompt  # type: ignore[union-attr]
    assert prompt is not None
    assert prompt.startswith("You triage incoming requests.")
    for fragment in (
        "Role: Triage receptionist",
        "Description: Routes callers to the right specialist",
        "Scope: Financial advisory services only",
        "always respond in French",
    ):
        assert fragment in prompt


async def test_room_language_and_room_prompt_win() -> None:
    agent = make_agent()
    room = Room(
        id="r1",
        metadata={LANGUAGE_KEY: "German"},
        ai_config=AIConfig(system_prompt="Room prompt."),
    )
    event = user_event()
    await agent.on_event(event, binding(agent.channel_id), ctx(event, room))
    prompt = agent.provider.calls[0].system_prompt  # type: ignore[union-attr]
    assert prompt is not None
    assert prompt.startswith("Room prompt.")
    assert "respond in German" in prompt
    assert "French" not in prompt


async def test_config_only_agent_never_generates() -> None:
    agent = Agent("agent-rt", role="Receptionist", voice="Zephyr", system_prompt="Greet.")
    assert agent.is_config_only
    event = user_event()
    assert not (await agent.on_event(event, binding("agent-rt"), ctx(event))).responded
    assert await agent.generate_greeting(ctx(event)) is None
    assert "Role: Receptionist" in (agent.build_system_prompt(ctx(event)) or "")


async def test_routed_agents_answer_only_when_chosen() -> None:
    triage, handler = make_agent("agent-triage"), make_agent("agent-handler")
    router = ConversationRouter(default_agent_id="agent-triage")
    router.manage([triage, handler])
    stamped = user_event(**{ROUTE_KEY: "agent-handler"})
    assert not (await triage.on_event(stamped, binding("agent-triage"), ctx(stamped))).responded
    assert (await handler.on_event(stamped, binding("agent-handler"), ctx(stamped))).responded

    # Without a stamp, the room's conversation state decides (default agent when unset).
    plain = user_event()
    room = Room(id="r1")
    assert (await triage.on_event(plain, binding("agent-triage"), ctx(plain, room))).responded
    room = set_conversation_state(room, ConversationState(active_agent_id="agent-handler"))
    assert not (await triage.on_event(plain, binding("agent-triage"), ctx(plain, room))).responded
    assert (await handler.on_event(plain, binding("agent-handler"), ctx(plain, room))).responded


async def test_unrouted_ai_channels_ignore_route_stamps() -> None:
    plain = AIChannel("summarizer", provider=MockAIProvider())
    stamped = user_event(**{ROUTE_KEY: "agent-handler"})
    assert (await plain.on_event(stamped, binding("summarizer"), ctx(stamped))).responded


async def test_greeting_is_generated_from_the_instruction() -> None:
    provider = MockAIProvider(responses=["Bonjour ! Comment puis-je vous aider ?"])
    agent = make_agent(provider=provider)
    event = user_event()
    greeting = await agent.generate_greeting(ctx(event), trigger=event)
    assert greeting is not None
    assert greeting.content == TextContent(body="Bonjour ! Comment puis-je vous aider ?")
    assert greeting.source.channel_id == "agent-triage"
    instruction = provider.calls[0].messages[-1]
    assert "Greet the caller warmly." in instruction.text
    assert agent.info()["voice"] == "voice-1"
