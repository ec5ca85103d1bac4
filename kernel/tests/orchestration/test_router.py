"""ConversationRouter: stamps messages with the agent that answers them."""

from __future__ import annotations

from roomkit import (
    Agent,
    ChannelCategory,
    ChannelType,
    ConversationRouter,
    ConversationState,
    EventSource,
    EventType,
    HookTrigger,
    InboundMessage,
    Room,
    RoomContext,
    RoomEvent,
    RoomKit,
    SystemContent,
    TextContent,
    WebSocketChannel,
    set_conversation_state,
)
from roomkit.channels.ai import ROUTE_KEY
from roomkit.testing import MockAIProvider


def event(body: str = "hi", *, channel_type: ChannelType = ChannelType.WEBSOCKET) -> RoomEvent:
    return RoomEvent(
        room_id="r1",
        source=EventSource(channel_id="src", channel_type=channel_type),
        content=TextContent(body=body),
    )


async def test_route_stamps_the_active_agent() -> None:
    router = ConversationRouter(default_agent_id="a")
    room = Room(id="r1")
    result = await router.route(event(), RoomContext(room=room))
    assert result.action == "modify"
    assert result.event is not None
    assert result.event.metadata[ROUTE_KEY] == "a"
    room = set_conversation_state(room, ConversationState(active_agent_id="b"))
    result = await router.route(event(), RoomContext(room=room))
    assert result.event is not None
    assert result.event.metadata[ROUTE_KEY] == "b"


async def test_ai_messages_and_non_messages_are_left_alone() -> None:
    router = ConversationRouter(default_agent_id="a")
    ctx = RoomContext(room=Room(id="r1"))
    assert (await router.route(event(channel_type=ChannelType.AI), ctx)).action == "allow"
    notice = RoomEvent(
        room_id="r1",
        type=EventType.SYSTEM,
        source=EventSource(channel_id="s", channel_type=ChannelType.SYSTEM),
        content=SystemContent(body="x"),
    )
    assert (await router.route(notice, ctx)).action == "allow"
    assert router.select_agent(event(channel_type=ChannelType.AI), ctx.room) is None


async def test_rules_pick_an_agent_for_one_message() -> None:
    def invoices(ev: RoomEvent, state: ConversationState) -> str | None:
        return "billing" if "invoice" in getattr(ev.content, "body", "") else None

    def unmanaged(ev: RoomEvent, state: ConversationState) -> str | None:
        return "stranger"

    router = ConversationRouter(
        default_agent_id="a", agent_ids=["a", "billing"], rules=[unmanaged, invoices]
    )
    room = Room(id="r1")
    assert router.select_agent(event("my invoice"), room) == "billing"
    assert router.select_agent(event("hello"), room) == "a"


async def test_installed_router_runs_first_and_drives_agents() -> None:
    kit = RoomKit()
    kit.register_channel(WebSocketChannel("ws"))
    a = Agent("a", provider=MockAIProvider(responses=["from a"]))
    b = Agent("b", provider=MockAIProvider(responses=["from b"]))
    seen: list[object] = []

    @kit.hook(HookTrigger.BEFORE_BROADCAST, name="observer")
    async def observer(ev: RoomEvent, ctx: RoomContext) -> None:
        seen.append(ev.metadata.get(ROUTE_KEY, "unstamped"))

    for agent in (a, b):
        kit.register_channel(agent)
    router = ConversationRouter(default_agent_id="b")
    router.install(kit, [a, b])
    assert a.router is router
    assert b.router is router
    await kit.create_room(room_id="r1")
    await kit.attach_channel("r1", "ws")
    for agent_id in ("a", "b"):
        await kit.attach_channel("r1", agent_id, category=ChannelCategory.INTELLIGENCE)
    result = await kit.process_inbound(
        InboundMessage(channel_id="ws", sender_id="u", content=TextContent(body="hi"))
    )
    assert [r.content.body for r in result.responses] == ["from b"]  # type: ignore[union-attr]
    assert seen[0] == "b"  # the router ran before the ordinary hook
    assert a.provider.call_count == 0  # type: ignore[union-attr]
