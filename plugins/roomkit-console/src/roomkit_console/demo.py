"""The kit ``roomkit console --demo`` serves: the quickstart's triage and support agents.

A WebSocket user channel and two agents on ``MockAIProvider`` (no network, no key) installed
with a :class:`~roomkit.ConversationPipeline`: the triage agent calls the
``handoff_conversation`` tool on the first message and hands the room to the specialist, who
answers every message after that. A BEFORE_BROADCAST hook blocks messages that look like
they carry a card number, so hooks, tool calls, the handoff and the phase change all show
up in the console.
"""

from __future__ import annotations

from roomkit import (
    Agent,
    ChannelCategory,
    ConversationPipeline,
    ConversationState,
    HandoffMemoryProvider,
    HookResult,
    HookTrigger,
    MockAIProvider,
    PipelineStage,
    RoomContext,
    RoomEvent,
    RoomKit,
    SlidingWindowMemory,
    WebSocketChannel,
    set_conversation_state,
)

__all__ = [
    "DEMO_ROOM",
    "HANDLER_REPLY",
    "TRIAGE_REPLY",
    "build_demo_kit",
]

DEMO_ROOM = "room-1"
TRIAGE_REPLY = "I'll transfer you to our specialist."
HANDLER_REPLY = "Let me help you with that."
HANDOFF_REASON = "User needs support"


async def build_demo_kit() -> RoomKit:
    """A kit with room ``room-1``: ``ws-user``, ``agent-triage`` (active) and
    ``agent-handler``."""
    kit = RoomKit()
    kit.register_channel(WebSocketChannel("ws-user"))
    triage = Agent(
        "agent-triage",
        provider=MockAIProvider(
            responses=[TRIAGE_REPLY],
            tool_calls=[
                {
                    "name": "handoff_conversation",
                    "arguments": {"target": "agent-handler", "reason": HANDOFF_REASON},
                }
            ],
        ),
        role="Triage agent",
        description="Routes incoming requests",
        system_prompt="You triage incoming requests.",
        memory=HandoffMemoryProvider(SlidingWindowMemory(max_events=50)),
    )
    handler = Agent(
        "agent-handler",
        provider=MockAIProvider(responses=[HANDLER_REPLY]),
        role="Support specialist",
        description="Handles customer requests",
        system_prompt="You handle requests.",
        memory=HandoffMemoryProvider(SlidingWindowMemory(max_events=50)),
    )
    kit.register_channel(triage)
    kit.register_channel(handler)
    pipeline = ConversationPipeline(
        stages=[
            PipelineStage(phase="triage", agent_id="agent-triage", next="handling"),
            PipelineStage(phase="handling", agent_id="agent-handler", next=None),
        ]
    )
    pipeline.install(kit, [triage, handler])

    @kit.hook(HookTrigger.BEFORE_BROADCAST, name="flag_card_numbers")
    async def flag_card_numbers(event: RoomEvent, ctx: RoomContext) -> HookResult:
        body = getattr(event.content, "body", "")
        if sum(ch.isdigit() for ch in body) >= 12:
            return HookResult.block("looks like a card number")
        return HookResult.allow()

    await kit.create_room(room_id=DEMO_ROOM)
    await kit.attach_channel(DEMO_ROOM, "ws-user")
    await kit.attach_channel(DEMO_ROOM, "agent-triage", category=ChannelCategory.INTELLIGENCE)
    await kit.attach_channel(DEMO_ROOM, "agent-handler", category=ChannelCategory.INTELLIGENCE)
    room = await kit.get_room(DEMO_ROOM)
    room = set_conversation_state(
        room, ConversationState(phase="triage", active_agent_id="agent-triage")
    )
    await kit.store.update_room(room)
    return kit
