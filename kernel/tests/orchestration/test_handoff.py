"""HandoffHandler: rules, state updates, hooks, the tool, greetings, language."""

from __future__ import annotations

import json
from typing import Any

import pytest

from roomkit import (
    Agent,
    Channel,
    ChannelBinding,
    ChannelCategory,
    ChannelType,
    ConversationPipeline,
    ConversationRouter,
    ConversationState,
    EventSource,
    HandoffHandler,
    HookTrigger,
    PipelineStage,
    Room,
    RoomContext,
    RoomEvent,
    RoomKit,
    TextContent,
    WebSocketChannel,
    get_conversation_state,
    set_conversation_state,
)
from roomkit.errors import ConfigurationError, RoomNotFoundError
from roomkit.orchestration.handoff import HANDOFF_TOOL_NAME, HandoffRequest
from roomkit.orchestration.state import LANGUAGE_KEY
from roomkit.testing import MockAIProvider


class RecordingKit(RoomKit):
    """A real kit that records the orchestration hooks it fires."""

    def __init__(self) -> None:
        super().__init__()
        self.fired: list[tuple[HookTrigger, RoomEvent]] = []
        for trigger in (
            HookTrigger.ON_HANDOFF,
            HookTrigger.ON_HANDOFF_REJECTED,
            HookTrigger.ON_PHASE_TRANSITION,
        ):
            self.hooks.add(trigger, self._recorder(trigger))

    def _recorder(self, trigger: HookTrigger) -> Any:
        async def record(event: RoomEvent, ctx: RoomContext) -> None:
            self.fired.append((trigger, event))

        record.__name__ = f"record_{trigger}"
        return record


def agents() -> list[Agent]:
    return [
        Agent("agent-triage", provider=MockAIProvider(responses=["t"]), role="Triage"),
        Agent(
            "agent-handler",
            provider=MockAIProvider(responses=["Hello, I am the specialist."]),
            role="Support specialist",
            greeting="Introduce yourself.",
        ),
        Agent("agent-billing", provider=MockAIProvider(responses=["b"]), role="Billing"),
    ]


PIPELINE = ConversationPipeline(
    stages=[
        PipelineStage(phase="triage", agent_id="agent-triage", next="handling"),
        PipelineStage(
            phase="handling", agent_id="agent-handler", next="billing", can_return_to=["triage"]
        ),
        PipelineStage(phase="billing", agent_id="agent-billing", next=None),
    ]
)


async def setup(**kwargs: Any) -> tuple[RecordingKit, HandoffHandler, list[Agent]]:
    kit = RecordingKit()
    team = agents()
    router = ConversationRouter(default_agent_id="agent-triage")
    router.manage(team)
    handler = HandoffHandler(
        kit,
        router,
        agents=team,
        phase_map=PIPELINE.phase_map(),
        allowed_targets=PIPELINE.allowed_targets(),
        **kwargs,
    )
    room = set_conversation_state(
        Room(id="r1"), ConversationState(phase="triage", active_agent_id="agent-triage")
    )
    await kit.store.create_room(room)
    return kit, handler, team


async def test_accepted_handoff_updates_state_and_fires_hooks() -> None:
    kit, handler, _ = await setup()
    result = await handler.handle(
        room_id="r1",
        calling_agent_id="agent-triage",
        arguments={"target": "agent-handler", "reason": "User needs support", "summary": "s"},
    )
    assert result.accepted
    assert (result.new_agent_id, result.new_phase) == ("agent-handler", "handling")
    room = await kit.store.get_room("r1")
    assert room is not None
    state = get_conversation_state(room)
    assert (state.active_agent_id, state.phase, state.handoff_count) == (
        "agent-handler",
        "handling",
        1,
    )
    assert state.phase_history[-1].reason == "User needs support"
    assert state.phase_history[-1].summary == "s"
    await kit.hooks.drain()
    triggers = [t for t, _ in kit.fired]
    assert triggers == [HookTrigger.ON_PHASE_TRANSITION, HookTrigger.ON_HANDOFF]
    payload = kit.fired[-1][1]
    assert payload.content.code == "handoff"  # type: ignore[union-attr]
    assert payload.content.data["to_agent_id"] == "agent-handler"  # type: ignore[union-attr]
    assert payload.visibility == "none"


@pytest.mark.parametrize(
    ("caller", "arguments", "expected"),
    [
        ("agent-triage", {"reason": "x"}, "needs a 'target'"),
        ("agent-triage", {"target": "agent-ghost"}, "unknown target agent 'agent-ghost'"),
        ("agent-triage", {"target": "agent-triage"}, "cannot hand off to itself"),
        ("agent-handler", {"target": "agent-billing"}, "only the active agent"),
        ("agent-triage", {"target": "agent-billing"}, "pipeline does not allow"),
    ],
)
async def test_rejections(caller: str, arguments: dict[str, Any], expected: str) -> None:
    kit, handler, _ = await setup()
    result = await handler.handle(room_id="r1", calling_agent_id=caller, arguments=arguments)
    assert not result.accepted
    assert expected in (result.reason or "")
    room = await kit.store.get_room("r1")
    assert room is not None
    assert get_conversation_state(room).active_agent_id == "agent-triage"
    await kit.hooks.drain()
    assert [t for t, _ in kit.fired] == [HookTrigger.ON_HANDOFF_REJECTED]


async def test_targets_may_be_phase_names_and_return_links_work() -> None:
    _, handler, _ = await setup()
    assert (await handler.handle("r1", "agent-triage", {"target": "handling"})).accepted
    back = await handler.handle("r1", "agent-handler", {"target": "agent-triage"})
    assert back.accepted
    assert back.new_phase == "triage"


async def test_final_stage_cannot_hand_off() -> None:
    _, handler, _ = await setup()
    await handler.handle("r1", "agent-triage", {"target": "agent-handler"})
    await handler.handle("r1", "agent-handler", {"target": "agent-billing"})
    result = await handler.handle("r1", "agent-billing", {"target": "agent-triage"})
    assert not result.accepted
    assert "final stage" in (result.reason or "")


async def test_custom_rules_sync_and_async() -> None:
    def business_hours(request: HandoffRequest, state: ConversationState) -> str | None:
        return "billing is closed" if request.target_agent_id == "agent-billing" else None

    async def needs_reason(request: HandoffRequest, state: ConversationState) -> str | None:
        return None if request.reason else "give a reason"

    _, handler, _ = await setup(rules=[needs_reason])
    handler.add_rule(business_hours)
    handler.allowed_targets = None  # custom rules only
    assert (await handler.handle("r1", "agent-triage", {"target": "agent-handler"})).reason == (
        "give a reason"
    )
    result = await handler.handle("r1", "agent-triage", {"target": "agent-billing", "reason": "$"})
    assert result.reason == "billing is closed"


async def test_unknown_room_raises() -> None:
    _, handler, _ = await setup()
    with pytest.raises(RoomNotFoundError):
        await handler.handle("nope", "agent-triage", {"target": "agent-handler"})


async def test_tool_is_registered_with_allowed_targets_only() -> None:
    _, handler, team = await setup()
    handler.install_tools(team)
    triage_tool = next(t for t in team[0].tools if t.name == HANDOFF_TOOL_NAME)
    assert triage_tool.parameters["properties"]["target"]["enum"] == ["agent-handler"]
    handler_tool = next(t for t in team[1].tools if t.name == HANDOFF_TOOL_NAME)
    assert handler_tool.parameters["properties"]["target"]["enum"] == [
        "agent-billing",
        "agent-triage",
    ]
    assert await handler.tool_handler(HANDOFF_TOOL_NAME, {"target": "x"}) == json.dumps(
        {"accepted": False, "reason": "handoff called outside an AI turn"}
    )


async def test_model_driven_handoff_with_greeting_in_the_same_turn() -> None:
    kit, handler, team = await setup(greet_on_handoff=True)
    handler.install_tools(team)
    triage = team[0]
    triage.provider = MockAIProvider(
        responses=["Transferring you now."],
        tool_calls=[
            {"name": HANDOFF_TOOL_NAME, "arguments": {"target": "agent-handler", "reason": "r"}}
        ],
    )
    room = await kit.store.get_room("r1")
    assert room is not None
    event = RoomEvent(
        room_id="r1",
        source=EventSource(channel_id="ws", channel_type=ChannelType.WEBSOCKET),
        content=TextContent(body="I need help"),
    )
    binding = ChannelBinding(
        room_id="r1",
        channel_id="agent-triage",
        channel_type=ChannelType.AI,
        category=ChannelCategory.INTELLIGENCE,
    )
    output = await triage.on_event(event, binding, RoomContext(room=room, recent_events=[event]))
    bodies = [(e.source.channel_id, e.content.body) for e in output.response_events]  # type: ignore[union-attr]
    assert bodies == [
        ("agent-triage", "Transferring you now."),
        ("agent-handler", "Hello, I am the specialist."),
    ]
    tool_result = json.loads(triage.provider.calls[1].messages[-1].text)  # type: ignore[union-attr]
    assert tool_result["accepted"]
    assert tool_result["new_agent_id"] == "agent-handler"
    stored = await kit.store.get_room("r1")
    assert stored is not None
    assert get_conversation_state(stored).active_agent_id == "agent-handler"


async def test_set_language_updates_room_and_tells_the_channel() -> None:
    kit, handler, _ = await setup()
    told: list[tuple[str, str]] = []

    class Voice(Channel):
        async def set_language(self, room_id: str, language: str) -> None:
            told.append((room_id, language))

    kit.register_channel(Voice("voice"))
    kit.register_channel(WebSocketChannel("text"))
    await handler.set_language("r1", "French", channel_id="voice")
    room = await kit.store.get_room("r1")
    assert room is not None
    assert room.metadata[LANGUAGE_KEY] == "French"
    assert told == [("r1", "French")]
    await handler.set_language("r1", "German", channel_id="text")  # text channels ignore it
    assert told == [("r1", "French")]
    with pytest.raises(ConfigurationError):
        await handler.set_language("r1", "  ")
    with pytest.raises(ConfigurationError, match="no channel 'ghost'"):
        await handler.set_language("r1", "French", channel_id="ghost")


async def test_voice_channel_is_reconfigured_on_handoff() -> None:
    kit, handler, team = await setup(voice_channel_id="voice", greet_on_handoff=False)
    applied: list[dict[str, Any]] = []

    class Voice(Channel):
        async def apply_agent_handoff(self, room_id: str, agent: Channel, **kw: Any) -> None:
            applied.append({"room_id": room_id, "agent": agent.channel_id, **kw})

    kit.register_channel(Voice("voice"))
    team[1].voice = "nova"
    assert handler.voice_map == {"agent-handler": "nova"}
    await handler.handle("r1", "agent-triage", {"target": "agent-handler"})
    (call,) = applied
    assert call["agent"] == "agent-handler"
    assert call["voice"] == "nova"
    assert "Role: Support specialist" in call["system_prompt"]
    assert call["greet"] is False


async def test_voice_channel_failure_is_reported_and_the_handoff_stands() -> None:
    kit, handler, _ = await setup(voice_channel_id="voice")
    errors: list[dict[str, Any]] = []

    class BrokenVoice(Channel):
        async def apply_agent_handoff(self, room_id: str, agent: Channel, **kw: Any) -> None:
            raise RuntimeError("voice backend down")

    async def on_error(event: RoomEvent, ctx: RoomContext) -> None:
        errors.append(ctx.metadata)

    kit.add_hook(HookTrigger.ON_ERROR, on_error)
    kit.register_channel(BrokenVoice("voice"))
    result = await handler.handle("r1", "agent-triage", {"target": "agent-handler"})
    await kit.drain()
    assert result.accepted
    (error,) = errors
    assert (error["stage"], error["message"]) == ("voice channel voice", "voice backend down")


async def test_unregistered_voice_channel_is_skipped() -> None:
    _, handler, _ = await setup(voice_channel_id="voice-not-registered")
    assert (await handler.handle("r1", "agent-triage", {"target": "agent-handler"})).accepted
