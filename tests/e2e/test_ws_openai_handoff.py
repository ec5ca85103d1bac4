"""End to end: a WebSocket user, a triage agent and a specialist on ``roomkit-openai``.

Both agents run ``OpenAIAIProvider`` (the real ``openai`` SDK over a real socket) against the
llmock wire server on 127.0.0.1, installed with ``ConversationPipeline(...).install``. The
wire is scripted turn by turn; the tests then check what the user's connection received, the
stored transcript, the room's ``ConversationState``, the hooks fired (and their payloads),
the ``TOOL_CALL_START`` / ``TOOL_CALL_END`` ephemeral events, and every request body the
model server received (system prompts, tools offered, tool results sent back).

Each scenario runs on the in-memory store, the SQLite store and the PostgreSQL store (the
last two do not share objects with the engine, so state changes must really be persisted);
the PostgreSQL runs skip when the local server is down (and fail under ``CI=true``).
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from uuid import uuid4

import pytest
from roomkit_openai import OpenAIAIProvider, OpenAIConfig

from roomkit import (
    Agent,
    AITool,
    ChannelCategory,
    ChannelType,
    ConversationPipeline,
    ConversationState,
    EphemeralEvent,
    EphemeralEventType,
    EventType,
    HandoffMemoryProvider,
    HookExecution,
    HookResult,
    HookTrigger,
    InboundMessage,
    InboundResult,
    PipelineStage,
    RoomContext,
    RoomEvent,
    RoomKit,
    SlidingWindowMemory,
    SystemContent,
    TextContent,
    WebSocketChannel,
    get_conversation_state,
    set_conversation_state,
)
from roomkit.channels.ai import ROUTE_KEY, STREAM_EVENT_KIND
from roomkit.orchestration.handoff import HandoffHandler
from roomkit_conformance.wire.llm import LLMockWire

ROOM = "room-e2e"
WS = "ws-user"
CONNECTION = "conn-1"
USER = "user-42"
TRIAGE = "agent-triage"
ORDERS = "agent-orders"
TRIAGE_MODEL = "triage-model"
ORDERS_MODEL = "orders-model"
TRIAGE_PROMPT = "You triage incoming customer requests."
ORDERS_PROMPT = "You answer questions about orders. Use lookup_order for order details."

LOOKUP_ORDER = AITool(
    name="lookup_order",
    description="Look up an order by its id.",
    parameters={
        "type": "object",
        "properties": {"order_id": {"type": "string", "description": "The order id."}},
        "required": ["order_id"],
    },
)
ORDERS_DB = {"A-1001": {"status": "shipped", "carrier": "UPS", "eta": "2026-11-26"}}

RECORDED_TRIGGERS = (
    HookTrigger.BEFORE_BROADCAST,
    HookTrigger.AFTER_BROADCAST,
    HookTrigger.ON_PHASE_TRANSITION,
    HookTrigger.ON_HANDOFF,
    HookTrigger.ON_HANDOFF_REJECTED,
)
ORCHESTRATION = (
    HookTrigger.ON_PHASE_TRANSITION,
    HookTrigger.ON_HANDOFF,
    HookTrigger.ON_HANDOFF_REJECTED,
)


@dataclass
class Fired:
    """One hook call: the trigger, its payload and the room state its context carried."""

    trigger: HookTrigger
    event: RoomEvent
    state: ConversationState


@dataclass
class Scene:
    """A running kit with the user's socket, both agents and everything recorded."""

    kit: RoomKit
    wire: LLMockWire
    triage: Agent
    orders: Agent
    handoff: HandoffHandler
    socket: list[Any] = field(default_factory=list)
    fired: list[Fired] = field(default_factory=list)
    async_handoffs: list[RoomEvent] = field(default_factory=list)
    ephemeral: list[EphemeralEvent] = field(default_factory=list)
    lookups: list[dict[str, Any]] = field(default_factory=list)

    async def say(self, body: str, room_id: str = ROOM) -> InboundResult:
        return await self.kit.process_inbound(
            InboundMessage(channel_id=WS, sender_id=USER, content=TextContent(body=body)),
            room_id=room_id,
        )

    async def state(self, room_id: str = ROOM) -> ConversationState:
        return get_conversation_state(await self.kit.get_room(room_id))

    async def transcript(self, room_id: str = ROOM) -> list[RoomEvent]:
        return await self.kit.get_timeline(room_id, limit=100)

    def hooks(self, *triggers: HookTrigger) -> list[Fired]:
        return [f for f in self.fired if f.trigger in triggers]

    def socket_messages(self) -> list[RoomEvent]:
        return [p for p in self.socket if isinstance(p, RoomEvent)]

    def socket_ephemeral(self, kind: EphemeralEventType) -> list[EphemeralEvent]:
        return [p for p in self.socket if isinstance(p, EphemeralEvent) and p.type is kind]

    async def tool_events(self, count: int) -> list[EphemeralEvent]:
        """The room subscription's TOOL_CALL_* events once ``count`` have arrived."""

        def tool_calls() -> list[EphemeralEvent]:
            kinds = (EphemeralEventType.TOOL_CALL_START, EphemeralEventType.TOOL_CALL_END)
            return [e for e in self.ephemeral if e.type in kinds]

        async with asyncio.timeout(5):  # the realtime backend delivers in its own task
            while len(tool_calls()) < count:
                await asyncio.sleep(0.005)
        await asyncio.sleep(0.02)  # and nothing more arrives
        return tool_calls()


def _provider(wire: LLMockWire, model: str) -> OpenAIAIProvider:
    return OpenAIAIProvider(
        OpenAIConfig(
            api_key="sk-e2e-not-a-secret",
            base_url=wire.base_url,
            model=model,
            timeout=10.0,
            max_retries=0,
        )
    )


async def build_scene(
    wire: LLMockWire,
    store: Any,
    *,
    greet_on_handoff: bool = False,
    rooms: tuple[str, ...] = (ROOM,),
) -> Scene:
    """The kit, both agents, the pipeline, the recorders, and ``rooms`` in the triage phase."""
    kit = RoomKit(store=store)
    ws = WebSocketChannel(WS)
    kit.register_channel(ws)
    lookups: list[dict[str, Any]] = []

    async def lookup_order(name: str, arguments: dict[str, Any]) -> str:
        lookups.append({"name": name, **arguments})
        order_id = arguments["order_id"]
        if order_id not in ORDERS_DB:
            raise KeyError(f"no order {order_id}")
        return json.dumps({"order_id": order_id, **ORDERS_DB[order_id]})

    triage = Agent(
        TRIAGE,
        provider=_provider(wire, TRIAGE_MODEL),
        role="Triage receptionist",
        description="Routes customers to the right specialist",
        system_prompt=TRIAGE_PROMPT,
        memory=HandoffMemoryProvider(SlidingWindowMemory(max_events=50)),
    )
    orders = Agent(
        ORDERS,
        provider=_provider(wire, ORDERS_MODEL),
        role="Order specialist",
        description="Answers questions about existing orders",
        scope="Orders only",
        greeting="Introduce yourself as the order specialist and ask for the order id.",
        system_prompt=ORDERS_PROMPT,
        tools=[LOOKUP_ORDER],
        tool_handler=lookup_order,
        memory=HandoffMemoryProvider(SlidingWindowMemory(max_events=50)),
    )
    kit.register_channel(triage)
    kit.register_channel(orders)
    pipeline = ConversationPipeline(
        stages=[
            PipelineStage(phase="triage", agent_id=TRIAGE, next="orders"),
            PipelineStage(phase="orders", agent_id=ORDERS, next=None),
        ]
    )
    _router, handoff = pipeline.install(kit, [triage, orders], greet_on_handoff=greet_on_handoff)
    scene = Scene(
        kit=kit, wire=wire, triage=triage, orders=orders, handoff=handoff, lookups=lookups
    )

    async def user_socket(connection_id: str, payload: Any) -> None:
        assert connection_id == CONNECTION
        scene.socket.append(payload)

    ws.register_connection(CONNECTION, user_socket)

    def recorder(trigger: HookTrigger) -> Callable[[Any, RoomContext], Any]:
        async def record(event: RoomEvent, ctx: RoomContext) -> HookResult:
            scene.fired.append(Fired(trigger, event, get_conversation_state(ctx.room)))
            return HookResult.allow()

        return record

    for trigger in RECORDED_TRIGGERS:
        kit.add_hook(
            trigger, recorder(trigger), execution=HookExecution.SYNC, name=f"rec-{trigger}"
        )

    @kit.hook(HookTrigger.ON_HANDOFF)  # the README's default (async) registration
    async def on_handoff(event: RoomEvent, ctx: RoomContext) -> None:
        scene.async_handoffs.append(event)

    async def collect(event: EphemeralEvent) -> None:
        scene.ephemeral.append(event)

    for room_id in rooms:
        await kit.create_room(room_id=room_id)
        await kit.attach_channel(room_id, WS)
        await kit.attach_channel(room_id, TRIAGE, category=ChannelCategory.INTELLIGENCE)
        await kit.attach_channel(room_id, ORDERS, category=ChannelCategory.INTELLIGENCE)
        room = await kit.get_room(room_id)
        initial = ConversationState(phase="triage", active_agent_id=TRIAGE)
        await kit.store.update_room(set_conversation_state(room, initial))
        await kit.subscribe_room(room_id, collect)
    return scene


@pytest.fixture(params=["memory", "sqlite", "postgres"])
async def store(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Any]:
    """The kit's conversation store (``None``: the default in-memory store)."""
    if request.param == "memory":
        yield None
    elif request.param == "sqlite":
        from roomkit_sqlite import SQLiteStore

        yield SQLiteStore(tmp_path / "rooms.db")
    else:
        from roomkit_postgres import PostgresStore
        from roomkit_postgres.testing import drop_schema, require_server

        dsn = await require_server()  # skips (fails under CI=true) when the server is down
        schema = f"rk_e2e_{uuid4().hex[:12]}"
        yield PostgresStore(dsn, schema=schema)
        await drop_schema(dsn, schema)


@pytest.fixture
async def scene(openai_wire: LLMockWire, store: Any) -> AsyncIterator[Scene]:
    built = await build_scene(openai_wire, store)
    yield built
    await built.kit.close()


# -- helpers -----------------------------------------------------------------------------------
def _system(body: dict[str, Any]) -> str:
    first = body["messages"][0]
    assert first["role"] == "system"
    return str(first["content"])


def _tool_names(body: dict[str, Any]) -> list[str]:
    return sorted(t["function"]["name"] for t in body.get("tools", []))


def _tool(body: dict[str, Any], name: str) -> dict[str, Any]:
    return next(t["function"] for t in body["tools"] if t["function"]["name"] == name)


def _text(event: RoomEvent) -> str:
    assert isinstance(event.content, TextContent), event.content
    return event.content.body


def _system_data(fired: Fired) -> dict[str, Any]:
    content = fired.event.content
    assert isinstance(content, SystemContent)
    return dict(content.data)


def _assert_gap_free(events: list[RoomEvent]) -> None:
    assert [e.index for e in events] == list(range(len(events)))


# -- the happy path --------------------------------------------------------------------------
async def test_triage_hands_off_and_specialist_answers_with_a_tool_round(scene: Scene) -> None:
    wire = scene.wire
    handoff_args = {
        "target": ORDERS,
        "reason": "Customer asks where an order is",
        "summary": "Customer wants the delivery status of an order.",
    }
    # Turn 1: triage calls handoff_conversation, then (told it succeeded) says goodbye.
    await wire.reply(tool_calls=[("handoff_conversation", handoff_args)])
    await wire.reply("I am passing you to our order specialist.")
    first = await scene.say("Hi, where is my order?")

    assert first.accepted
    assert [_text(e) for e in first.responses] == ["I am passing you to our order specialist."]
    assert first.responses[0].source.channel_id == TRIAGE
    state = await scene.state()
    assert state.phase == "orders"
    assert state.active_agent_id == ORDERS
    assert state.previous_agent_id == TRIAGE
    assert state.handoff_count == 1
    [step] = state.phase_history
    assert (step.from_phase, step.to_phase) == ("triage", "orders")
    assert (step.from_agent, step.to_agent) == (TRIAGE, ORDERS)
    assert step.reason == handoff_args["reason"]
    assert step.summary == handoff_args["summary"]

    # Turn 2: the specialist answers; it looks the order up first.
    await wire.reply(tool_calls=[("lookup_order", {"order_id": "A-1001"})])
    await wire.reply("Order A-1001 shipped with UPS and arrives on 2026-11-26.")
    second = await scene.say("It is order A-1001.")
    await scene.kit.drain()

    assert [_text(e) for e in second.responses] == [
        "Order A-1001 shipped with UPS and arrives on 2026-11-26."
    ]
    assert second.responses[0].source.channel_id == ORDERS
    assert scene.lookups == [{"name": "lookup_order", "order_id": "A-1001"}]

    # -- what the user's WebSocket connection received ----------------------------------------
    received = scene.socket_messages()
    assert [(e.source.channel_id, _text(e)) for e in received] == [
        (TRIAGE, "I am passing you to our order specialist."),
        (ORDERS, "Order A-1001 shipped with UPS and arrives on 2026-11-26."),
    ]
    assert all(e.room_id == ROOM for e in received)
    # Both replies were streamed to the socket first (WebSocket channels support streaming).
    deltas: dict[str, str] = {}
    for e in scene.socket_ephemeral(EphemeralEventType.CUSTOM):
        assert e.data["kind"] == STREAM_EVENT_KIND
        deltas[e.data["message_id"]] = deltas.get(e.data["message_id"], "") + e.data["delta"]
    assert deltas == {e.id: _text(e) for e in received}

    # -- the stored transcript ------------------------------------------------------------------
    events = await scene.transcript()
    _assert_gap_free(events)
    assert [(e.type, e.source.channel_id, _text(e)) for e in events] == [
        (EventType.MESSAGE, WS, "Hi, where is my order?"),
        (EventType.MESSAGE, TRIAGE, "I am passing you to our order specialist."),
        (EventType.MESSAGE, WS, "It is order A-1001."),
        (EventType.MESSAGE, ORDERS, "Order A-1001 shipped with UPS and arrives on 2026-11-26."),
    ]
    user1, triage_reply, user2, orders_reply = events
    assert user1.source.channel_type is ChannelType.WEBSOCKET
    assert user1.source.participant_id == USER
    assert triage_reply.source.channel_type is ChannelType.AI
    assert triage_reply.source.participant_id == TRIAGE
    assert triage_reply.parent_event_id == user1.id
    assert triage_reply.metadata["ai"]["tool_rounds"] == 1
    assert orders_reply.source.participant_id == ORDERS
    assert orders_reply.parent_event_id == user2.id
    assert orders_reply.metadata["ai"]["tool_rounds"] == 1
    assert orders_reply.metadata["ai"]["model"] == ORDERS_MODEL
    # The router stamped each user message with the agent that had to answer it.
    assert user1.metadata[ROUTE_KEY] == TRIAGE
    assert user2.metadata[ROUTE_KEY] == ORDERS
    # Orchestration internals stay out of the transcript.
    assert not any(isinstance(e.content, SystemContent) for e in events)

    # -- hooks --------------------------------------------------------------------------------
    broadcasts = scene.hooks(HookTrigger.BEFORE_BROADCAST)
    assert [_text(f.event) for f in broadcasts] == [_text(e) for e in events]
    orchestration = scene.hooks(*ORCHESTRATION)
    assert [f.trigger for f in orchestration] == [
        HookTrigger.ON_PHASE_TRANSITION,
        HookTrigger.ON_HANDOFF,
    ]
    # They fired during triage's turn: after the user's message was admitted, before the reply.
    sequence = [(f.trigger, f.event.id) for f in scene.fired]
    admitted_user1 = sequence.index((HookTrigger.BEFORE_BROADCAST, broadcasts[0].event.id))
    admitted_reply = sequence.index((HookTrigger.BEFORE_BROADCAST, broadcasts[1].event.id))
    transition_at = scene.fired.index(orchestration[0])
    handoff_at = scene.fired.index(orchestration[1])
    assert admitted_user1 < transition_at < handoff_at < admitted_reply
    expected = {
        "from_agent_id": TRIAGE,
        "to_agent_id": ORDERS,
        "from_phase": "triage",
        "to_phase": "orders",
        "reason": handoff_args["reason"],
        "summary": handoff_args["summary"],
        "handoff_count": 1,
    }
    for fired, code in zip(orchestration, ["phase_transition", "handoff"], strict=True):
        assert fired.event.type is EventType.SYSTEM
        assert fired.event.room_id == ROOM
        assert isinstance(fired.event.content, SystemContent)
        assert fired.event.content.code == code
        assert _system_data(fired) == expected
        # Hooks see the room already in its new state.
        assert (fired.state.phase, fired.state.active_agent_id) == ("orders", ORDERS)
    # An ordinary (async) ON_HANDOFF hook got the same payload.
    assert [e.id for e in scene.async_handoffs] == [orchestration[1].event.id]
    assert not scene.hooks(HookTrigger.ON_HANDOFF_REJECTED)

    # -- TOOL_CALL_START / TOOL_CALL_END ------------------------------------------------------
    tool_events = await scene.tool_events(4)
    assert [(e.type, e.channel_id) for e in tool_events] == [
        (EphemeralEventType.TOOL_CALL_START, TRIAGE),
        (EphemeralEventType.TOOL_CALL_END, TRIAGE),
        (EphemeralEventType.TOOL_CALL_START, ORDERS),
        (EphemeralEventType.TOOL_CALL_END, ORDERS),
    ]
    for event in tool_events:
        assert event.room_id == ROOM
        assert event.data["round"] == 1
    h_start, h_end, l_start, l_end = tool_events
    assert [(c["name"], c["arguments"]) for c in h_start.data["tool_calls"]] == [
        ("handoff_conversation", handoff_args)
    ]
    assert h_end.data["tool_calls"] == h_start.data["tool_calls"]
    assert [(c["name"], c["arguments"]) for c in l_start.data["tool_calls"]] == [
        ("lookup_order", {"order_id": "A-1001"})
    ]
    for end in (h_end, l_end):
        assert end.data["errors"] == 0
        assert isinstance(end.data["duration_ms"], float)
        assert end.data["duration_ms"] >= 0

    # -- what the model server received -------------------------------------------------------
    bodies = await wire.requests()
    assert [b["model"] for b in bodies] == [TRIAGE_MODEL, TRIAGE_MODEL, ORDERS_MODEL, ORDERS_MODEL]
    assert all(b["stream"] is True for b in bodies)
    t1, t2, o1, o2 = bodies

    # Triage: its own prompt plus identity; offered exactly the handoff tool, to the specialist.
    triage_system = _system(t1)
    assert triage_system.startswith(TRIAGE_PROMPT)
    assert f"You are {TRIAGE}." in triage_system
    assert "Role: Triage receptionist" in triage_system
    assert "handed off" not in triage_system
    assert _tool_names(t1) == ["handoff_conversation"]
    handoff_tool = _tool(t1, "handoff_conversation")
    assert handoff_tool["parameters"]["properties"]["target"]["enum"] == [ORDERS]
    assert set(handoff_tool["parameters"]["required"]) == {"target", "reason"}
    assert ORDERS in handoff_tool["description"]
    assert t1["messages"][1:] == [
        {"role": "user", "content": "Hi, where is my order?", "name": USER}
    ]

    # Triage's second request carried the handoff result back to the model.
    assistant, tool_result = t2["messages"][-2:]
    assert assistant["role"] == "assistant"
    [call] = assistant["tool_calls"]
    assert call["function"]["name"] == "handoff_conversation"
    assert json.loads(call["function"]["arguments"]) == handoff_args
    assert tool_result["role"] == "tool"
    assert tool_result["tool_call_id"] == call["id"]
    assert json.loads(tool_result["content"]) == {
        "accepted": True,
        "message": f"Conversation handed off to {ORDERS} (phase orders).",
        "new_agent_id": ORDERS,
        "new_phase": "orders",
    }

    # Specialist: its own prompt, identity, scope, and the handoff note (reason and summary).
    orders_system = _system(o1)
    assert orders_system.startswith(ORDERS_PROMPT)
    assert f"You are {ORDERS}." in orders_system
    assert "Scope: Orders only." in orders_system
    assert f"handed off to you by {TRIAGE}" in orders_system
    assert f"Reason: {handoff_args['reason']}" in orders_system
    assert f"Summary so far: {handoff_args['summary']}" in orders_system
    assert TRIAGE_PROMPT not in orders_system
    assert "lookup_order" in _tool_names(o1)
    assert _tool(o1, "lookup_order")["parameters"] == LOOKUP_ORDER.parameters
    # The specialist sees the whole conversation so far, the new message last.
    assert o1["messages"][-1] == {"role": "user", "content": "It is order A-1001.", "name": USER}
    assert [m["content"] for m in o1["messages"][1:]] == [_text(e) for e in events[:3]]

    # The tool round: the second specialist request carries the lookup result.
    assistant, tool_result = o2["messages"][-2:]
    [call] = assistant["tool_calls"]
    assert call["function"]["name"] == "lookup_order"
    assert json.loads(call["function"]["arguments"]) == {"order_id": "A-1001"}
    assert tool_result == {
        "role": "tool",
        "tool_call_id": call["id"],
        "content": json.dumps({"order_id": "A-1001", **ORDERS_DB["A-1001"]}),
    }
    assert o2["messages"][:-2] == o1["messages"]
    assert _system(o2) == orders_system


async def test_a_failing_tool_is_reported_to_the_specialist_model(scene: Scene) -> None:
    """A tool error goes back to the model as a result; the room keeps answering."""
    wire = scene.wire
    await wire.reply(tool_calls=[("handoff_conversation", {"target": ORDERS, "reason": "order"})])
    await wire.reply("One moment.")
    await scene.say("Order question")
    # The model talks while calling the tool: both texts reach the user, in one message.
    await wire.reply("Let me look that up.", tool_calls=[("lookup_order", {"order_id": "Z-9"})])
    await wire.reply("I could not find order Z-9.")
    result = await scene.say("Order Z-9 please")

    final = "Let me look that up.\n\nI could not find order Z-9."
    assert [_text(e) for e in result.responses] == [final]
    [reply] = result.responses
    streamed = "".join(
        e.data["delta"]
        for e in scene.socket_ephemeral(EphemeralEventType.CUSTOM)
        if e.data["message_id"] == reply.id
    )
    assert streamed == final
    bodies = await wire.requests()
    tool_result = bodies[-1]["messages"][-1]
    assert tool_result["role"] == "tool"
    assert json.loads(tool_result["content"]) == {"error": "KeyError: 'no order Z-9'"}
    ends = [e for e in await scene.tool_events(4) if e.type is EphemeralEventType.TOOL_CALL_END]
    assert [e.data["errors"] for e in ends] == [0, 1]
    assert [_text(e) for e in scene.socket_messages()][-1] == final
    assistant = bodies[-1]["messages"][-2]
    assert assistant["role"] == "assistant"
    assert assistant["content"] == "Let me look that up."
    _assert_gap_free(await scene.transcript())


# -- rejected handoffs ---------------------------------------------------------------------------
async def test_handoff_to_an_unknown_agent_is_rejected_and_the_room_keeps_working(
    scene: Scene,
) -> None:
    wire = scene.wire
    before = await scene.state()
    bad_args = {"target": "agent-ghost", "reason": "Wants a ghost"}
    await wire.reply(tool_calls=[("handoff_conversation", bad_args)])
    await wire.reply("Sorry, I cannot transfer you there. How else can I help?")
    first = await scene.say("Put me through to the ghost department")
    await scene.kit.drain()

    assert [(e.source.channel_id, _text(e)) for e in first.responses] == [
        (TRIAGE, "Sorry, I cannot transfer you there. How else can I help?")
    ]
    # The state did not move.
    after = await scene.state()
    assert after == before
    assert (after.phase, after.active_agent_id, after.handoff_count) == ("triage", TRIAGE, 0)
    assert after.phase_history == []
    # Only ON_HANDOFF_REJECTED fired, with the request and the reason.
    [rejected] = scene.hooks(*ORCHESTRATION)
    assert rejected.trigger is HookTrigger.ON_HANDOFF_REJECTED
    assert isinstance(rejected.event.content, SystemContent)
    assert rejected.event.content.code == "handoff_rejected"
    data = _system_data(rejected)
    assert data["room_id"] == ROOM
    assert data["calling_agent_id"] == TRIAGE
    assert data["target"] == "agent-ghost"
    assert data["reason"] == "Wants a ghost"
    assert "unknown target agent 'agent-ghost'" in data["rejection"]
    assert rejected.state == before
    assert scene.async_handoffs == []

    # The model was told why.
    bodies = await wire.requests()
    assert [b["model"] for b in bodies] == [TRIAGE_MODEL, TRIAGE_MODEL]
    tool_result = bodies[1]["messages"][-1]
    assert tool_result["role"] == "tool"
    verdict = json.loads(tool_result["content"])
    assert verdict["accepted"] is False
    assert "unknown target agent 'agent-ghost'" in verdict["reason"]
    ends = [e for e in await scene.tool_events(2) if e.type is EphemeralEventType.TOOL_CALL_END]
    assert [e.data["errors"] for e in ends] == [0]  # a rejection is an answer, not a failure

    # The room keeps working: the next message still goes to triage, which can hand off now.
    await wire.reply(tool_calls=[("handoff_conversation", {"target": ORDERS, "reason": "order"})])
    await wire.reply("Transferring you to orders.")
    second = await scene.say("Fine, my order then")
    await scene.kit.drain()
    assert [(e.source.channel_id, _text(e)) for e in second.responses] == [
        (TRIAGE, "Transferring you to orders.")
    ]
    state = await scene.state()
    assert (state.phase, state.active_agent_id, state.handoff_count) == ("orders", ORDERS, 1)
    assert [f.trigger for f in scene.hooks(*ORCHESTRATION)] == [
        HookTrigger.ON_HANDOFF_REJECTED,
        HookTrigger.ON_PHASE_TRANSITION,
        HookTrigger.ON_HANDOFF,
    ]
    events = await scene.transcript()
    _assert_gap_free(events)
    assert [e.source.channel_id for e in events] == [WS, TRIAGE, WS, TRIAGE]
    assert [_text(e) for e in scene.socket_messages()] == [
        "Sorry, I cannot transfer you there. How else can I help?",
        "Transferring you to orders.",
    ]


async def test_final_stage_cannot_hand_back_outside_the_pipeline(scene: Scene) -> None:
    """The specialist (final stage, no ``can_return_to``) asking for triage is rejected."""
    wire = scene.wire
    await wire.reply(tool_calls=[("handoff_conversation", {"target": ORDERS, "reason": "order"})])
    await wire.reply("Passing you on.")
    await scene.say("Order question")
    handed = await scene.state()

    await wire.reply(tool_calls=[("handoff_conversation", {"target": TRIAGE, "reason": "back"})])
    await wire.reply("I will keep helping you myself.")
    result = await scene.say("Actually I have a billing question")
    await scene.kit.drain()

    assert [(e.source.channel_id, _text(e)) for e in result.responses] == [
        (ORDERS, "I will keep helping you myself.")
    ]
    assert await scene.state() == handed
    rejected = scene.hooks(HookTrigger.ON_HANDOFF_REJECTED)
    assert len(rejected) == 1
    data = _system_data(rejected[0])
    assert (data["calling_agent_id"], data["target"]) == (ORDERS, TRIAGE)
    assert "does not allow" in data["rejection"]
    verdict = json.loads((await wire.requests())[-1]["messages"][-1]["content"])
    assert verdict["accepted"] is False


# -- greeting on handoff, and per-room state -----------------------------------------------------
@pytest.fixture
async def greeting_scene(openai_wire: LLMockWire, store: Any) -> AsyncIterator[Scene]:
    built = await build_scene(openai_wire, store, greet_on_handoff=True)
    yield built
    await built.kit.close()


async def test_greet_on_handoff_has_the_specialist_greet_the_user(greeting_scene: Scene) -> None:
    scene, wire = greeting_scene, greeting_scene.wire
    await wire.reply(tool_calls=[("handoff_conversation", {"target": ORDERS, "reason": "order"})])
    await wire.reply("Hello, I am the order specialist. What is your order id?")  # greeting
    await wire.reply("Transferring you now.")  # triage's own closing words
    result = await scene.say("Where is my order?")
    await scene.kit.drain()

    assert [(e.source.channel_id, _text(e)) for e in result.responses] == [
        (TRIAGE, "Transferring you now."),
        (ORDERS, "Hello, I am the order specialist. What is your order id?"),
    ]
    assert [(e.source.channel_id, _text(e)) for e in scene.socket_messages()] == [
        (TRIAGE, "Transferring you now."),
        (ORDERS, "Hello, I am the order specialist. What is your order id?"),
    ]
    events = await scene.transcript()
    _assert_gap_free(events)
    assert [e.source.channel_id for e in events] == [WS, TRIAGE, ORDERS]
    greeting = events[2]
    assert greeting.source.participant_id == ORDERS
    assert greeting.parent_event_id == events[0].id

    bodies = await wire.requests()
    assert [b["model"] for b in bodies] == [TRIAGE_MODEL, ORDERS_MODEL, TRIAGE_MODEL]
    greet_request = bodies[1]
    assert _system(greet_request).startswith(ORDERS_PROMPT)
    instruction = greet_request["messages"][-1]
    assert instruction["role"] == "user"
    assert "phase: orders" in instruction["content"]
    assert "Introduce yourself as the order specialist" in instruction["content"]
    assert {"role": "user", "content": "Where is my order?", "name": USER} in greet_request[
        "messages"
    ]
    assert [f.trigger for f in scene.hooks(*ORCHESTRATION)] == [
        HookTrigger.ON_PHASE_TRANSITION,
        HookTrigger.ON_HANDOFF,
    ]
    # No agent answered the greeting (AI messages are not routed to agents).
    assert len(bodies) == 3


async def test_conversation_state_is_per_room(openai_wire: LLMockWire, store: Any) -> None:
    """A handoff in one room leaves another room of the same agents in triage."""
    other = "room-other"
    scene = await build_scene(openai_wire, store, rooms=(ROOM, other))
    try:
        wire = scene.wire
        await wire.reply(tool_calls=[("handoff_conversation", {"target": ORDERS, "reason": "o"})])
        await wire.reply("Passing you on.")
        await scene.say("Order question", ROOM)
        await wire.reply("Triage here, how can I help?")
        answer = await scene.say("Hello?", other)

        assert [(e.source.channel_id, _text(e)) for e in answer.responses] == [
            (TRIAGE, "Triage here, how can I help?")
        ]
        moved, stayed = await scene.state(ROOM), await scene.state(other)
        assert (moved.active_agent_id, moved.phase, moved.handoff_count) == (ORDERS, "orders", 1)
        assert (stayed.active_agent_id, stayed.phase, stayed.handoff_count) == (TRIAGE, "triage", 0)
        bodies = await wire.requests()
        assert [b["model"] for b in bodies] == [TRIAGE_MODEL, TRIAGE_MODEL, TRIAGE_MODEL]
        # The other room's triage request carries only that room's conversation.
        assert bodies[2]["messages"][1:] == [{"role": "user", "content": "Hello?", "name": USER}]
        assert [e.source.channel_id for e in await scene.transcript(other)] == [WS, TRIAGE]
    finally:
        await scene.kit.close()
