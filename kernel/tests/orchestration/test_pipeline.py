"""ConversationPipeline through the real engine: routing, model-driven handoffs, greetings."""

from __future__ import annotations

from typing import Any

import pytest

from roomkit import (
    Agent,
    ChannelCategory,
    ConversationPipeline,
    HandoffMemoryProvider,
    HookTrigger,
    InboundMessage,
    PipelineStage,
    RoomContext,
    RoomEvent,
    RoomKit,
    SlidingWindowMemory,
    TextContent,
    WebSocketChannel,
    get_conversation_state,
)
from roomkit.errors import ConfigurationError
from roomkit.orchestration.handoff import HANDOFF_TOOL_NAME
from roomkit.testing import MockAIProvider

STAGES = [
    PipelineStage(phase="triage", agent_id="agent-triage", next="handling"),
    PipelineStage(phase="handling", agent_id="agent-handler", next=None),
]


async def build(*, greet: bool = False) -> tuple[RoomKit, list[Any], Agent, Agent, Any]:
    kit = RoomKit()
    ws = WebSocketChannel("ws-user")
    kit.register_channel(ws)
    received: list[Any] = []

    async def socket(payload: Any) -> None:
        received.append(payload)

    ws.register_connection("c1", socket)
    triage = Agent(
        "agent-triage",
        provider=MockAIProvider(
            responses=["Let me transfer you."],
            tool_calls=[
                {
                    "id": "h1",
                    "name": HANDOFF_TOOL_NAME,
                    "arguments": {
                        "target": "agent-handler",
                        "reason": "billing question",
                        "summary": "User was charged twice",
                    },
                }
            ],
        ),
        role="Triage",
        memory=HandoffMemoryProvider(SlidingWindowMemory(max_events=50)),
    )
    handler = Agent(
        "agent-handler",
        provider=MockAIProvider(responses=["Hi, I am the billing specialist.", "Refund issued."]),
        role="Billing specialist",
        greeting="Introduce yourself and confirm the issue.",
        memory=HandoffMemoryProvider(SlidingWindowMemory(max_events=50)),
    )
    kit.register_channel(triage)
    kit.register_channel(handler)
    _router, handoff = ConversationPipeline(stages=STAGES).install(
        kit, [triage, handler], greet_on_handoff=greet
    )
    await kit.create_room(room_id="room-1")
    await kit.attach_channel("room-1", "ws-user")
    for agent in (triage, handler):
        await kit.attach_channel("room-1", agent.channel_id, category=ChannelCategory.INTELLIGENCE)
    return kit, received, triage, handler, handoff


def say(body: str) -> InboundMessage:
    return InboundMessage(channel_id="ws-user", sender_id="user-1", content=TextContent(body=body))


async def test_model_driven_handoff_end_to_end() -> None:
    kit, received, triage, handler, _ = await build(greet=True)
    fired: list[tuple[str, dict[str, Any]]] = []

    @kit.hook(HookTrigger.ON_HANDOFF)
    async def on_handoff(event: RoomEvent, ctx: RoomContext) -> None:
        fired.append(("handoff", event.content.data))  # type: ignore[union-attr]

    @kit.hook(HookTrigger.ON_PHASE_TRANSITION)
    async def on_phase(event: RoomEvent, ctx: RoomContext) -> None:
        fired.append(("phase", event.content.data))  # type: ignore[union-attr]

    # No state was set: the router starts with the pipeline's first stage.
    await kit.process_inbound(say("I was charged twice"))
    await kit.drain()

    timeline = await kit.store.list_events("room-1")
    assert [(e.source.channel_id, e.content.body) for e in timeline] == [  # type: ignore[union-attr]
        ("ws-user", "I was charged twice"),
        ("agent-triage", "Let me transfer you."),
        ("agent-handler", "Hi, I am the billing specialist."),
    ]
    # The user's socket got both agent messages.
    bodies = [p.content.body for p in received if isinstance(p, RoomEvent)]
    assert bodies == ["Let me transfer you.", "Hi, I am the billing specialist."]
    room = await kit.get_room("room-1")
    state = get_conversation_state(room)
    assert (state.phase, state.active_agent_id, state.handoff_count) == (
        "handling",
        "agent-handler",
        1,
    )
    assert [kind for kind, _ in fired] == ["phase", "handoff"]
    assert fired[1][1]["reason"] == "billing question"

    # The next message goes to the specialist only, who knows why it got the conversation.
    triage_calls = triage.provider.call_count  # type: ignore[union-attr]
    await kit.process_inbound(say("Can you refund me?"))
    timeline = await kit.store.list_events("room-1")
    assert (timeline[-1].source.channel_id, timeline[-1].content.body) == (  # type: ignore[union-attr]
        "agent-handler",
        "Refund issued.",
    )
    assert triage.provider.call_count == triage_calls  # type: ignore[union-attr]
    request = handler.provider.last_context  # type: ignore[union-attr]
    assert request is not None
    assert request.system_prompt is not None
    assert "handed off to you by agent-triage" in request.system_prompt
    assert "Summary so far: User was charged twice" in request.system_prompt
    assert [m.text for m in request.messages][-1] == "Can you refund me?"
    assert all(m.role in ("user", "assistant") for m in request.messages)


async def test_only_the_active_agent_answers_and_agents_ignore_each_other() -> None:
    kit, _, triage, handler, handoff = await build()
    triage.provider = MockAIProvider(responses=["triage here"])
    await kit.process_inbound(say("hello"))
    await kit.process_inbound(say("again"))
    assert triage.provider.call_count == 2
    assert handler.provider.call_count == 0  # type: ignore[union-attr]
    result = await handoff.handle(
        room_id="room-1", calling_agent_id="agent-triage", arguments={"target": "handling"}
    )
    assert result.accepted
    assert result.new_agent_id == "agent-handler"
    await kit.process_inbound(say("now?"))
    assert triage.provider.call_count == 2
    assert handler.provider.call_count == 1  # type: ignore[union-attr]


async def test_rejected_model_handoff_is_reported_to_the_model() -> None:
    kit, _, triage, _, _ = await build()
    triage.provider = MockAIProvider(
        responses=["I will keep helping you."],
        tool_calls=[{"name": HANDOFF_TOOL_NAME, "arguments": {"target": "agent-nobody"}}],
    )
    rejected: list[str] = []

    @kit.hook(HookTrigger.ON_HANDOFF_REJECTED)
    async def on_rejected(event: RoomEvent, ctx: RoomContext) -> None:
        rejected.append(event.content.data["rejection"])  # type: ignore[union-attr]

    await kit.process_inbound(say("help"))
    await kit.drain()
    tool_message = triage.provider.calls[1].messages[-1]
    assert tool_message.role == "tool"
    assert "unknown target agent" in tool_message.text
    assert rejected
    assert "agent-nobody" in rejected[0]
    state = get_conversation_state(await kit.get_room("room-1"))
    assert state.handoff_count == 0


def test_install_and_pipeline_validation() -> None:
    kit = RoomKit()
    only_triage = [Agent("agent-triage", provider=MockAIProvider())]
    with pytest.raises(ConfigurationError, match="agent-handler"):
        ConversationPipeline(stages=STAGES).install(kit, only_triage)
    with pytest.raises(ValueError, match="unknown phase"):
        ConversationPipeline(stages=[PipelineStage(phase="a", agent_id="x", next="b")])
    with pytest.raises(ValueError, match="unique"):
        ConversationPipeline(
            stages=[PipelineStage(phase="a", agent_id="x"), PipelineStage(phase="a", agent_id="y")]
        )
    pipeline = ConversationPipeline(stages=STAGES)
    assert pipeline.initial_state().active_agent_id == "agent-triage"
    assert pipeline.allowed_targets() == {"agent-triage": {"agent-handler"}, "agent-handler": set()}


async def test_handoff_from_code_posts_the_greeting_into_the_room() -> None:
    kit, received, _, handler, handoff = await build(greet=True)
    result = await handoff.handle(
        room_id="room-1", calling_agent_id="agent-triage", arguments={"target": "agent-handler"}
    )
    assert result.accepted
    timeline = await kit.store.list_events("room-1")
    assert [(e.source.channel_id, e.content.body) for e in timeline] == [  # type: ignore[union-attr]
        ("agent-handler", "Hi, I am the billing specialist.")
    ]
    assert [p.content.body for p in received if isinstance(p, RoomEvent)] == [
        "Hi, I am the billing specialist."
    ]
    instruction = handler.provider.calls[0].messages[-1]  # type: ignore[union-attr]
    assert "Introduce yourself and confirm the issue." in instruction.text
    # Nobody answered the greeting: agents ignore AI messages.
    assert handler.provider.call_count == 1  # type: ignore[union-attr]
