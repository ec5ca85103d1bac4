"""Routing rules, supervisors, pipelines as routers, greetings and inbound room routers."""

from __future__ import annotations

from typing import Any

import pytest

from roomkit import (
    HANDOFF_TOOL,
    Agent,
    AIChannel,
    ChannelType,
    ConfigurationError,
    ConversationPhase,
    ConversationPipeline,
    ConversationRouter,
    ConversationState,
    DefaultInboundRoomRouter,
    EventSource,
    HandoffHandler,
    HandoffResult,
    HookExecution,
    HookTrigger,
    InboundMessage,
    InboundRoomRouter,
    PhaseTransition,
    PipelineStage,
    Room,
    RoomContext,
    RoomEvent,
    RoomKit,
    RoomNotFoundError,
    RoutingConditions,
    RoutingRule,
    TextContent,
    WebSocketChannel,
    build_handoff_tool,
    get_conversation_state,
    set_conversation_state,
    setup_handoff,
)
from roomkit.models.keys import ROUTE_KEY
from roomkit.testing import MockAIProvider


def message(
    body: str = "hi",
    *,
    channel_id: str = "sms-1",
    channel_type: ChannelType = ChannelType.SMS,
    metadata: dict[str, Any] | None = None,
) -> RoomEvent:
    return RoomEvent(
        room_id="r1",
        source=EventSource(channel_id=channel_id, channel_type=channel_type),
        content=TextContent(body=body),
        metadata=metadata or {},
    )


def test_rules_are_tried_by_priority_and_every_condition_must_hold() -> None:
    router = ConversationRouter(
        [
            RoutingRule(
                agent_id="sms-late",
                conditions=RoutingConditions(channel_types={ChannelType.SMS}),
                priority=5,
            ),
            RoutingRule(
                agent_id="sms-early",
                conditions=RoutingConditions(channel_types={ChannelType.SMS}),
                priority=1,
            ),
            RoutingRule(
                agent_id="billing",
                conditions=RoutingConditions(intents={"billing"}, phases={"handling"}),
                priority=0,
            ),
            RoutingRule(
                agent_id="vip",
                conditions=RoutingConditions(
                    source_channel_ids={"email-1"},
                    custom=lambda ev, ctx, st: st.context.get("tier") == "gold",
                ),
            ),
        ],
        "default",
    )
    ctx = RoomContext(room=Room(id="r1"))
    intake, handling = ConversationState(), ConversationState(phase="handling")
    assert router.select_agent(message(), ctx, intake) == "sms-early"
    billing = message(channel_type=ChannelType.EMAIL, metadata={"intent": "billing"})
    assert router.select_agent(billing, ctx, handling) == "billing"
    assert router.select_agent(billing, ctx, intake) == "default"  # wrong phase
    email = message(channel_id="email-1", channel_type=ChannelType.EMAIL)
    gold = ConversationState(context={"tier": "gold"})
    assert router.select_agent(email, ctx, gold) == "vip"
    assert router.select_agent(email, ctx, intake) == "default"
    # No rule matches: the active agent beats the default.
    assert router.select_agent(email, ctx, ConversationState(active_agent_id="a")) == "a"
    # The state defaults to the one stored on the context's room.
    room = set_conversation_state(Room(id="r1"), gold)
    assert router.select_agent(email, RoomContext(room=room)) == "vip"
    with pytest.raises(ConfigurationError, match="RoutingRule or a function"):
        ConversationRouter(["not a rule"])  # type: ignore[list-item]


def test_pipeline_maps_and_router() -> None:
    pipeline = ConversationPipeline(
        [
            PipelineStage(phase="intake", agent_id="a", next="handling"),
            PipelineStage(
                phase="handling", agent_id="b", next="resolution", can_return_to=["intake"]
            ),
            PipelineStage(phase="resolution", agent_id="c"),
        ],
        supervisor_id="sup",
    )
    assert pipeline.get_phase_map() == {"a": "intake", "b": "handling", "c": "resolution"}
    assert pipeline.get_allowed_transitions() == {
        "intake": {"handling"},
        "handling": {"intake", "resolution"},
        "resolution": set(),
    }
    assert [s.phase for s in pipeline.stages] == ["intake", "handling", "resolution"]
    router = pipeline.to_router()
    assert (router.default_agent_id, router.supervisor_id) == ("a", "sup")
    ctx = RoomContext(room=Room(id="r1"))
    assert router.select_agent(message(), ctx, ConversationState(phase="resolution")) == "c"
    assert router.select_agent(message(), ctx, ConversationState(phase="other")) == "a"
    with pytest.raises(ConfigurationError, match="default_phase 'nope'"):
        ConversationPipeline(pipeline.stages, default_phase="nope")
    with pytest.raises(ValueError, match="unique"):
        ConversationPipeline([pipeline.stages[0], pipeline.stages[0]])
    starts_later = ConversationPipeline(pipeline.stages, default_phase="handling")
    assert starts_later.initial_state().active_agent_id == "b"


def test_state_transition_and_phases() -> None:
    state = ConversationState()
    assert state.phase == ConversationPhase.INTAKE == "intake"
    moved = state.transition("handling", "b", "needs help", {"x": 1})
    step = moved.phase_history[-1]
    assert (step.from_phase, step.to_phase, step.from_agent, step.to_agent) == (
        "intake",
        "handling",
        None,
        "b",
    )
    assert (step.reason, step.metadata, moved.handoff_count) == ("needs help", {"x": 1}, 1)
    # States stored with the earlier key names still load.
    old = PhaseTransition.model_validate(
        {"from_phase": "a", "to_phase": "b", "from_agent_id": "x", "to_agent_id": "y"}
    )
    assert (old.from_agent, old.to_agent) == ("x", "y")


def test_handoff_tools() -> None:
    assert HANDOFF_TOOL.name == "handoff_conversation"
    assert "enum" not in HANDOFF_TOOL.parameters["properties"]["target"]
    tool = build_handoff_tool([("agent-b", "Billing"), ("agent-c", None)])
    assert tool.parameters["properties"]["target"]["enum"] == ["agent-b", "agent-c"]
    assert "agent-b: Billing" in tool.description
    with pytest.raises(ConfigurationError, match="at least one target"):
        build_handoff_tool([])
    with pytest.raises(ConfigurationError, match="pairs"):
        build_handoff_tool(["agent-b"])  # type: ignore[list-item]


def test_agent_identity_block_and_greeting_flag() -> None:
    plain = Agent("plain", MockAIProvider())
    assert plain.build_identity_block() is None
    assert plain.auto_greet is True
    triage = Agent("triage", provider=MockAIProvider(), role="Triage", auto_greet=False)
    block = triage.build_identity_block("German")
    assert block is not None
    assert "Role: Triage" in block
    assert "German" in block
    assert triage.auto_greet is False
    # Other AIChannel settings pass through **kwargs.
    assert Agent("x", MockAIProvider(), respond_to_ai=True).respond_to_ai is True


async def kit_with_agents(
    *agents: Agent,
) -> tuple[RoomKit, str, list[RoomEvent]]:
    kit = RoomKit()
    ws = WebSocketChannel("ws")
    kit.register_channel(ws)
    seen: list[RoomEvent] = []

    async def send(payload: Any) -> None:
        if isinstance(payload, RoomEvent):
            seen.append(payload)

    ws.register_connection("c1", send)
    room = await kit.create_room()
    await kit.attach_channel(room.id, "ws")
    for agent in agents:
        kit.register_channel(agent)
        await kit.attach_channel(room.id, agent.channel_id)
    return kit, room.id, seen


async def test_supervisor_answers_every_message_with_the_routed_agent() -> None:
    worker = Agent("worker", MockAIProvider(["worker reply"]))
    supervisor = Agent("sup", MockAIProvider(["supervisor note"]))
    idle = Agent("idle", MockAIProvider(["must not answer"]))
    kit, _, _ = await kit_with_agents(worker, supervisor, idle)
    router = ConversationRouter(default_agent_id="worker", supervisor_id="sup")
    handoff = router.install(kit, [worker, supervisor, idle])
    assert isinstance(handoff, HandoffHandler)
    assert "handoff_conversation" in {t.name for t in worker.tools}
    result = await kit.process_inbound(
        InboundMessage(channel_id="ws", sender_id="u1", content=TextContent(body="hello"))
    )
    assert result.event.metadata[ROUTE_KEY] == "worker"
    bodies = sorted(e.content.body for e in result.responses)  # type: ignore[union-attr]
    assert bodies == ["supervisor note", "worker reply"]


async def test_as_hook_registers_by_hand() -> None:
    a = Agent("a", MockAIProvider(["from a"]))
    b = Agent("b", MockAIProvider(["from b"]))
    kit, _, _ = await kit_with_agents(a, b)
    router = ConversationRouter(
        [RoutingRule(agent_id="b", conditions=RoutingConditions(intents={"sales"}))],
        default_agent_id="a",
    )
    kit.hook(HookTrigger.BEFORE_BROADCAST, execution=HookExecution.SYNC)(router.as_hook())
    router.manage([a, b])
    sales = await kit.process_inbound(
        InboundMessage(
            channel_id="ws",
            sender_id="u1",
            content=TextContent(body="buy"),
            metadata={"intent": "sales"},
        )
    )
    assert [e.content.body for e in sales.responses] == ["from b"]  # type: ignore[union-attr]
    other = await kit.process_inbound(
        InboundMessage(channel_id="ws", sender_id="u1", content=TextContent(body="hi"))
    )
    assert [e.content.body for e in other.responses] == ["from a"]  # type: ignore[union-attr]


async def test_pipeline_handoff_follows_phase_links_aliases_and_completion_callback() -> None:
    a = Agent("agent-a", MockAIProvider(), greeting="Welcome, I am A.")
    b = Agent("agent-b", MockAIProvider(), greeting="B here.", language="French")
    human = Agent("agent-human", MockAIProvider())
    kit, room_id, _ = await kit_with_agents(a, b, human)
    pipeline = ConversationPipeline(
        [
            PipelineStage(phase="intake", agent_id="agent-a", next="handling"),
            PipelineStage(phase="handling", agent_id="agent-b", next="escalation"),
            PipelineStage(phase="escalation", agent_id="agent-human"),
        ]
    )
    _, handoff = pipeline.install(kit, [a, b, human], agent_aliases={"human": "agent-human"})
    completed: list[tuple[str, HandoffResult]] = []

    async def done(room: str, result: HandoffResult) -> None:
        completed.append((room, result))

    handoff.on_handoff_complete = done
    assert handoff.greeting_map == {"agent-a": "Welcome, I am A.", "agent-b": "B here."}
    room = await kit.get_room(room_id)
    assert handoff.get_room_language(room, "agent-b") == "French"
    assert handoff.get_room_language(room, "agent-a") is None
    await handoff.set_language(room_id, "Spanish")
    assert handoff.get_room_language(await kit.get_room(room_id), "agent-b") == "Spanish"

    skipped = await handoff.handle(room_id, "agent-a", {"target": "human", "reason": "angry"})
    assert not skipped.accepted
    assert "pipeline does not allow" in skipped.reason
    moved = await handoff.handle(room_id, "agent-a", {"target": "agent-b", "reason": "r"})
    assert moved.accepted
    assert moved.new_phase == "handling"
    assert completed == [(room_id, moved)]
    escalated = await handoff.handle(room_id, "agent-b", {"target": "human", "reason": "x"})
    assert escalated.new_agent_id == "agent-human"
    state = get_conversation_state(await kit.get_room(room_id))
    assert (state.phase, state.active_agent_id) == ("escalation", "agent-human")


async def test_allowed_transitions_are_checked_on_phases() -> None:
    a = Agent("agent-a", MockAIProvider())
    b = Agent("agent-b", MockAIProvider())
    kit, room_id, _ = await kit_with_agents(a, b)
    router = ConversationRouter(default_agent_id="agent-a")
    handler = HandoffHandler(
        kit,
        router,
        None,
        {"agent-a": "intake", "agent-b": "handling"},
        {"intake": {"handling"}, "handling": set()},
        agents=[a, b],
    )
    ok = await handler.handle(room_id, "agent-a", {"target": "agent-b", "reason": "r"})
    assert ok.accepted
    back = await handler.handle(room_id, "agent-b", {"target": "agent-a", "reason": "r"})
    assert not back.accepted
    assert back.reason == "transition from 'handling' to 'intake' is not allowed"


async def test_send_greeting_posts_the_agent_greeting_as_it_is() -> None:
    quiet = Agent("quiet", MockAIProvider(["never"]), greeting="not me", auto_greet=False)
    a = Agent("agent-a", MockAIProvider(["never either"]), greeting="Welcome! I am A.")
    b = Agent("agent-b", MockAIProvider(["never"]), greeting="Hi from B")
    kit, room_id, seen = await kit_with_agents(quiet, a, b)
    await kit.send_greeting(room_id)
    await kit.send_greeting(room_id, channel_id="agent-b")
    await kit.send_greeting(room_id, agent_id="agent-b", greeting="custom")
    greetings = [e for e in await kit.store.list_events(room_id) if e.metadata.get("auto_greeting")]
    assert [(e.source.channel_id, e.content.body) for e in greetings] == [  # type: ignore[union-attr]
        ("agent-a", "Welcome! I am A."),
        ("agent-b", "Hi from B"),
        ("agent-b", "custom"),
    ]
    assert [e.id for e in seen] == [e.id for e in greetings]  # delivered, and nobody answered
    with pytest.raises(ConfigurationError, match="not an Agent attached"):
        await kit.send_greeting(room_id, agent_id="ws")
    with pytest.raises(RoomNotFoundError):
        await kit.send_greeting("no-such-room")
    silent = Agent("silent", MockAIProvider())
    kit.register_channel(silent)
    await kit.attach_channel(room_id, "silent")
    with pytest.raises(ConfigurationError, match="has no greeting"):
        await kit.send_greeting(room_id, agent_id="silent")

    # The handoff handler greets with the room's active agent.
    router = ConversationRouter(default_agent_id="agent-a")
    handler = router.install(kit, [a, b])
    room = await kit.get_room(room_id)
    await kit.store.update_room(
        set_conversation_state(room, ConversationState(active_agent_id="agent-b"))
    )
    await handler.send_greeting(room_id)
    last = (await kit.store.list_events(room_id))[-1]
    assert (last.source.channel_id, last.content.body) == ("agent-b", "Hi from B")  # type: ignore[union-attr]


async def test_setup_handoff_on_a_plain_ai_channel() -> None:
    kit = RoomKit()
    helper = AIChannel("helper", MockAIProvider())
    b = Agent("agent-b", MockAIProvider(), role="Billing")
    handler = HandoffHandler(kit, ConversationRouter(default_agent_id="helper"), agents=[b])
    setup_handoff(helper, handler)
    tool = next(t for t in helper.tools if t.name == "handoff_conversation")
    assert tool.parameters["properties"]["target"]["enum"] == ["agent-b"]
    setup_handoff(b, handler, tool=HANDOFF_TOOL)
    assert HANDOFF_TOOL in b.tools
    with pytest.raises(ConfigurationError, match="needs an AIChannel"):
        setup_handoff(WebSocketChannel("ws"), handler)  # type: ignore[arg-type]


class TicketRouter(InboundRoomRouter):
    def __init__(self, rooms: dict[str, str]) -> None:
        self.rooms = rooms
        self.calls: list[tuple[str, ChannelType, str | None, dict[str, Any] | None]] = []

    async def route(
        self,
        channel_id: str,
        channel_type: ChannelType,
        participant_id: str | None = None,
        channel_data: dict[str, Any] | None = None,
    ) -> str | None:
        self.calls.append((channel_id, channel_type, participant_id, channel_data))
        return self.rooms.get(str((channel_data or {}).get("ticket")))


async def test_inbound_room_routers() -> None:
    ticket_router = TicketRouter({})
    kit = RoomKit(inbound_router=ticket_router)
    kit.register_channel(WebSocketChannel("ws"))
    first = await kit.create_room()
    second = await kit.create_room()
    await kit.attach_channel(first.id, "ws")
    await kit.attach_channel(second.id, "ws")
    ticket_router.rooms["T-2"] = first.id
    routed = await kit.process_inbound(
        InboundMessage(
            channel_id="ws",
            sender_id="u1",
            content=TextContent(body="x"),
            metadata={"ticket": "T-2"},
        )
    )
    assert routed.room_id == first.id
    assert ticket_router.calls == [("ws", ChannelType.WEBSOCKET, "u1", {"ticket": "T-2"})]

    default = DefaultInboundRoomRouter(kit.store)
    assert await default.route("ws", ChannelType.WEBSOCKET, "u1") == first.id  # u1's room
    assert await default.route("ws", ChannelType.WEBSOCKET, "u9") in {first.id, second.id}
    assert await default.route("nowhere", ChannelType.SMS, "u1") is None
    with pytest.raises(ConfigurationError, match="not both"):
        RoomKit(inbound_router=default, room_router=default.route)  # type: ignore[arg-type]
    with pytest.raises(ConfigurationError, match="InboundRoomRouter"):
        RoomKit(inbound_router=object())  # type: ignore[arg-type]
    with pytest.raises(ConfigurationError, match="ConversationStore"):
        DefaultInboundRoomRouter(object())  # type: ignore[arg-type]
