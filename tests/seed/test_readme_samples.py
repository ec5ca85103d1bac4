"""The code samples of the RoomKit 0.6.7 README, run against this project.

Each test holds one sample as the README shows it; only the names the README leaves to the
reader (``my_provider``, ``lookup`` ...) are defined around it. The quickstart has its own test
in ``kernel/tests/orchestration/test_quickstart.py``. Voice and realtime-voice samples belong
to plugins that are not built yet and are not run here.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace
from typing import Any
from uuid import uuid4

import pytest

from roomkit import (
    Agent,
    AIConfig,
    AIContext,
    AIMessage,
    AITool,
    ChannelCategory,
    ChannelDirection,
    ChannelType,
    ConversationPipeline,
    ConversationState,
    EphemeralEvent,
    EphemeralEventType,
    HandoffMemoryProvider,
    HookResult,
    HookTrigger,
    IdentificationStatus,
    Identity,
    IdentityResolver,
    IdentityResult,
    InboundMessage,
    MockAIProvider,
    PipelineStage,
    RateLimit,
    RetryPolicy,
    RoomContext,
    RoomEvent,
    RoomKit,
    RoomStatus,
    RoomTimers,
    SlidingWindowMemory,
    TextContent,
    WebSocketChannel,
    get_conversation_state,
    set_conversation_state,
)

pytestmark = pytest.mark.asyncio


async def test_hook_samples_block_and_filter() -> None:
    kit = RoomKit()
    seen: list[str] = []

    @kit.hook(HookTrigger.BEFORE_BROADCAST, name="compliance_check")
    async def check(event: RoomEvent, ctx: RoomContext) -> HookResult:
        seen.append("compliance")
        return HookResult.allow()

    @kit.hook(
        HookTrigger.BEFORE_BROADCAST,
        channel_types={ChannelType.SMS},
        directions={ChannelDirection.INBOUND},
    )
    async def sms_only_hook(event, ctx):  # type: ignore[no-untyped-def]
        seen.append("sms")
        return HookResult.allow()

    kit.register_channel(WebSocketChannel("ws-user"))
    await kit.create_room(room_id="room-1")
    await kit.attach_channel("room-1", "ws-user")
    result = await kit.process_inbound(
        InboundMessage(channel_id="ws-user", sender_id="u", content=TextContent(body="hello"))
    )
    assert result.event is not None
    assert not result.blocked
    assert seen == ["compliance"]  # the SMS-only hook is filtered out for a WebSocket event


async def test_per_room_ai_config_sample() -> None:
    kit = RoomKit()
    room = await kit.create_room(
        room_id="support-room",
        ai_config=AIConfig(
            system_prompt="You are a helpful support agent.",
            temperature=0.7,
            tools=[
                AITool(
                    name="lookup_order",
                    description="Look up order status",
                    parameters={"type": "object", "properties": {"order_id": {"type": "string"}}},
                )
            ],
        ),
    )
    stored = await kit.get_room("support-room")
    assert room.ai_config is not None
    assert stored.ai_config is not None
    assert stored.ai_config.tools[0].name == "lookup_order"


async def test_memory_provider_sample() -> None:
    my_provider = MockAIProvider(responses=["ok"])
    memory = SlidingWindowMemory(max_events=50)
    memory = HandoffMemoryProvider(SlidingWindowMemory(max_events=50))
    agent = Agent("agent", provider=my_provider, memory=memory, system_prompt="...")
    assert agent.channel_id == "agent"


async def test_function_calling_sample() -> None:
    ai_provider = MockAIProvider(
        responses=["done"],
        tool_calls=[{"id": "c1", "name": "lookup_order", "arguments": {"order_id": "42"}}],
    )
    results: list[Any] = []

    async def execute_tool(name: str, arguments: dict[str, Any]) -> str:
        results.append((name, arguments))
        return "shipped"

    context = AIContext(messages=[AIMessage(role="user", content="where is my order 42?")])
    response = await ai_provider.generate(context)
    if response.tool_calls:
        for call in response.tool_calls:
            result = await execute_tool(call.name, call.arguments)
    assert results == [("lookup_order", {"order_id": "42"})]
    assert result == "shipped"


async def test_realtime_events_sample() -> None:
    kit = RoomKit()
    await kit.create_room(room_id="room-1")
    received: list[EphemeralEvent] = []

    async def handle_realtime(event: EphemeralEvent):  # type: ignore[no-untyped-def]
        received.append(event)
        if event.type == EphemeralEventType.TYPING_START:
            print(f"{event.user_id} is typing...")
        elif event.type == EphemeralEventType.TOOL_CALL_START:
            tools = event.data["tool_calls"]
            print(f"Agent calling: {', '.join(t['name'] for t in tools)}")
        elif event.type == EphemeralEventType.TOOL_CALL_END:
            print(f"Tools finished in {event.data['duration_ms']}ms")

    sub_id = await kit.subscribe_room("room-1", handle_realtime)
    await kit.publish_typing("room-1", "user-1")
    await kit.publish_presence("room-1", "user-1", "online")
    await kit.publish_read_receipt("room-1", "user-1", "event-123")
    await kit.drain()
    assert sub_id
    assert [e.type for e in received] == [
        EphemeralEventType.TYPING_START,
        EphemeralEventType.PRESENCE_ONLINE,
        EphemeralEventType.READ_RECEIPT,
    ]


async def test_identity_resolution_sample() -> None:
    users = {"alice-phone": SimpleNamespace(id="u-alice", name="Alice")}

    async def lookup(sender_id: str) -> Any:
        return users.get(sender_id)

    class MyResolver(IdentityResolver):
        async def resolve(self, message, context):  # type: ignore[no-untyped-def]
            user = await lookup(message.sender_id)
            if user:
                return IdentityResult(
                    status=IdentificationStatus.IDENTIFIED,
                    identity=Identity(id=user.id, display_name=user.name),
                )
            return IdentityResult(status=IdentificationStatus.UNKNOWN)

    kit = RoomKit(identity_resolver=MyResolver())
    identified: list[Any] = []
    unknown: list[Any] = []

    @kit.hook(HookTrigger.ON_PARTICIPANT_IDENTIFIED)
    async def on_identified(payload, ctx):  # type: ignore[no-untyped-def]
        identified.append(payload)

    @kit.hook(HookTrigger.ON_IDENTITY_UNKNOWN)
    async def on_unknown(payload, ctx):  # type: ignore[no-untyped-def]
        unknown.append(payload)

    kit.register_channel(WebSocketChannel("ws"))
    await kit.create_room(room_id="r")
    await kit.attach_channel("r", "ws")
    for sender in ("alice-phone", "stranger"):
        await kit.process_inbound(
            InboundMessage(channel_id="ws", sender_id=sender, content=TextContent(body="hi"))
        )
    await kit.drain()
    assert len(identified) == 1
    assert len(unknown) == 1


async def test_resilience_sample() -> None:
    kit = RoomKit()
    kit.register_channel(WebSocketChannel("sms-out"))
    await kit.create_room(room_id="room-1")
    await kit.attach_channel(
        "room-1",
        "sms-out",
        retry_policy=RetryPolicy(max_retries=3, base_delay_seconds=1.0),
        rate_limit=RateLimit(max_per_second=5.0),
    )
    binding = await kit.get_binding("room-1", "sms-out")
    assert binding.retry_policy is not None
    assert binding.retry_policy.max_retries == 3
    assert binding.rate_limit is not None
    assert binding.rate_limit.max_per_second == 5.0


async def test_room_lifecycle_sample() -> None:
    kit = RoomKit()
    await kit.create_room(
        room_id="support-123",
        timers=RoomTimers(inactive_after_seconds=300, closed_after_seconds=3600),
    )
    transitioned = await kit.sweep_room_timers()
    assert transitioned == []  # nothing is inactive yet
    later = datetime.now(UTC) + timedelta(seconds=301)
    transitioned = await kit.sweep_room_timers(now=later)
    assert [r.status for r in transitioned] == [RoomStatus.PAUSED]


async def test_lock_manager_sample() -> None:
    from collections.abc import AsyncIterator
    from contextlib import AbstractAsyncContextManager, asynccontextmanager

    from roomkit import InMemoryLockManager

    steps: list[str] = []

    class MyRedisLockManager(InMemoryLockManager):
        """Stands in for a user's distributed lock manager: records each lock it gives."""

        def locked(
            self, room_id: str, timeout: float | None = None
        ) -> AbstractAsyncContextManager[None]:
            return self._recorded(room_id, timeout)

        @asynccontextmanager
        async def _recorded(self, room_id: str, timeout: float | None) -> AsyncIterator[None]:
            async with super().locked(room_id, timeout):
                steps.append(f"take {room_id}")
                yield
                steps.append(f"give {room_id}")

    kit = RoomKit()  # default in-memory
    kit = RoomKit(lock_manager=MyRedisLockManager())  # distributed
    kit.register_channel(WebSocketChannel("ws"))
    await kit.create_room(room_id="r")
    await kit.attach_channel("r", "ws")

    @kit.hook(HookTrigger.BEFORE_BROADCAST)
    async def check(event: RoomEvent, ctx: RoomContext) -> HookResult:
        steps.append("hook")
        return HookResult.allow()

    await kit.process_inbound(
        InboundMessage(channel_id="ws", sender_id="u", content=TextContent(body="hi")),
        room_id="r",
    )
    # The message took the room's lock from the user's manager and held it around the hooks.
    assert steps == ["take r", "hook", "give r"]


async def test_telemetry_sample(caplog: pytest.LogCaptureFixture) -> None:
    from roomkit import ConsoleTelemetryProvider, TelemetryConfig

    kit = RoomKit(telemetry=TelemetryConfig(provider=ConsoleTelemetryProvider()))
    kit.register_channel(WebSocketChannel("ws"))
    kit.register_channel(WebSocketChannel("peer"))
    await kit.create_room(room_id="r")
    await kit.attach_channel("r", "ws")
    await kit.attach_channel("r", "peer")
    with caplog.at_level(logging.INFO, logger="roomkit.telemetry"):
        result = await kit.process_inbound(
            InboundMessage(channel_id="ws", sender_id="u", content=TextContent(body="traced"))
        )
    assert result.accepted
    spans = [r.getMessage() for r in caplog.records if r.getMessage().startswith("span ")]
    names = [line.split()[1] for line in spans]
    assert names == [  # inner spans end first (in-memory store calls get no span)
        "roomkit.route",
        "roomkit.delivery",
        "roomkit.broadcast",
        "roomkit.inbound",
    ]
    assert "'room_id': 'r'" in spans[-1]
    assert "status=ok" in spans[-1]


async def test_skills_sample() -> None:
    from roomkit import Skill, SkillMetadata, SkillRegistry

    async def my_weather_handler(**kwargs: Any) -> str:
        return "sunny"

    registry = SkillRegistry()
    registry.register(
        Skill(
            metadata=SkillMetadata(name="weather", description="Get weather forecasts"),
            handler=my_weather_handler,
        )
    )
    assert "weather" in [s.metadata.name for s in registry.list()]


async def test_ai_assistant_support_sample() -> None:
    from roomkit import get_agents_md, get_ai_context, get_llms_txt

    llms_content = get_llms_txt()
    agents_content = get_agents_md()
    combined = get_ai_context()
    assert llms_content
    assert agents_content
    assert llms_content in combined
    assert agents_content in combined


async def test_conversation_state_and_pipeline_samples() -> None:
    kit = RoomKit()
    triage = Agent(
        "agent-triage",
        role="Triage receptionist",
        voice="Zephyr",
        system_prompt="Greet callers warmly.",
    )
    advisor = Agent(
        "agent-advisor",
        provider=MockAIProvider(responses=["Here is my advice."]),
        role="Advisor",
        system_prompt="You advise.",
    )
    kit.register_channel(triage)
    kit.register_channel(advisor)
    kit.register_channel(WebSocketChannel("voice"))  # stands in for the sample's voice channel
    pipeline = ConversationPipeline(
        stages=[
            PipelineStage(phase="intake", agent_id="agent-triage", next="handling"),
            PipelineStage(phase="handling", agent_id="agent-advisor", next=None),
        ]
    )
    router, handler = pipeline.install(  # noqa: RUF059 - as the README writes it
        kit,
        [triage, advisor],
        greet_on_handoff=True,
        voice_channel_id="voice",
    )
    await kit.create_room(room_id="room-1")
    await kit.attach_channel("room-1", "agent-triage", category=ChannelCategory.INTELLIGENCE)
    await kit.attach_channel("room-1", "agent-advisor", category=ChannelCategory.INTELLIGENCE)
    room = await kit.get_room("room-1")
    room = set_conversation_state(
        room, ConversationState(phase="intake", active_agent_id="agent-triage")
    )
    await kit.store.update_room(room)
    result = await handler.handle(
        room_id="room-1",
        calling_agent_id="agent-triage",
        arguments={"target": "agent-advisor", "reason": "needs advice"},
    )
    assert result.accepted

    room = await kit.get_room("room-1")
    state = get_conversation_state(room)
    print(state.phase, state.active_agent_id, state.handoff_count)
    for t in state.phase_history:
        print(f"{t.from_phase} -> {t.to_phase} ({t.reason})")
    assert (state.phase, state.active_agent_id, state.handoff_count) == (
        "handling",
        "agent-advisor",
        1,
    )
    await handler.set_language("room-1", "French", channel_id="voice")


async def test_gemini_agent_sample(gemini_wire: Any) -> None:
    pytest.importorskip("roomkit_gemini", reason="roomkit-gemini is not installed")
    from roomkit import Agent, GeminiAIProvider, GeminiConfig

    config = GeminiConfig(api_key="test-key", base_url=gemini_wire.sdk_root)  # the wire fake
    triage = Agent(
        "agent-triage",
        provider=GeminiAIProvider(config),
        role="Triage receptionist",
        description="Routes callers to the right specialist",
        scope="Financial advisory services only",
        voice="21m00Tcm4TlvDq8ikWAM",
        greeting="Greet the caller warmly and ask how you can help.",
        language="French",
        system_prompt="You triage incoming requests.",
        memory=HandoffMemoryProvider(SlidingWindowMemory(max_events=20)),
    )
    kit = RoomKit()
    kit.register_channel(WebSocketChannel("ws"))
    kit.register_channel(triage)
    await kit.create_room(room_id="call-1")
    await kit.attach_channel("call-1", "ws")
    await kit.attach_channel("call-1", "agent-triage", category=ChannelCategory.INTELLIGENCE)
    await gemini_wire.reply("Bonjour ! Comment puis-je vous aider ?")
    result = await kit.process_inbound(
        InboundMessage(channel_id="ws", sender_id="caller", content=TextContent(body="Hello"))
    )
    (reply,) = result.responses
    assert reply.content == TextContent(body="Bonjour ! Comment puis-je vous aider ?")
    assert reply.source.channel_id == "agent-triage"
    sent = await gemini_wire.last_request_text()
    assert "Role: Triage receptionist" in sent  # the identity went into the system prompt
    assert "always respond in French" in sent
    assert "Hello" in sent
    await kit.close()


async def test_mcp_tools_sample(mcp_server_url: str) -> None:
    pytest.importorskip("roomkit_mcp", reason="roomkit-mcp is not installed")
    from roomkit import MCPToolProvider, compose_tool_handlers

    async def my_custom_handler(name: str, arguments: dict[str, Any]) -> str:
        return "custom"

    mcp = MCPToolProvider(server_url=mcp_server_url)  # a real MCP server on 127.0.0.1
    handler = compose_tool_handlers(mcp.handler, my_custom_handler)
    try:
        tools = {tool.name: tool for tool in await mcp.list_tools()}
        assert tools["add"].description == "Add two integers."
        assert await handler("add", {"a": 2, "b": 40}) == "42"  # called on the server
        assert await handler("lookup_order", {}) == "custom"  # unknown to MCP: next handler
    finally:
        await mcp.close()


async def test_postgres_store_sample() -> None:
    pytest.importorskip("roomkit_postgres", reason="roomkit-postgres is not installed")
    import asyncpg
    from roomkit_postgres.testing import drop_schema, require_server

    from roomkit import PostgresStore

    dsn = await require_server()
    schema = f"rk_seed_{uuid4().hex[:12]}"  # the sample's "...": a server and a schema
    kit = RoomKit()  # uses InMemoryStore by default
    kit = RoomKit(store=PostgresStore(dsn=dsn, schema=schema))  # PostgreSQL
    try:
        kit.register_channel(WebSocketChannel("ws"))
        await kit.create_room(room_id="support-1")
        await kit.attach_channel("support-1", "ws")
        for body in ("first", "second"):
            await kit.process_inbound(
                InboundMessage(channel_id="ws", sender_id="u", content=TextContent(body=body))
            )
        conn = await asyncpg.connect(dsn, timeout=10)
        try:
            rooms = await conn.fetch(f'SELECT id FROM "{schema}".rooms')
            events = await conn.fetch(f'SELECT idx, room_id FROM "{schema}".events ORDER BY idx')
        finally:
            await conn.close()
        assert [r["id"] for r in rooms] == ["support-1"]
        assert [(e["idx"], e["room_id"]) for e in events] == [(0, "support-1"), (1, "support-1")]
    finally:
        await kit.close()
        await drop_schema(dsn, schema)


async def test_event_driven_sources_sample(capsys: pytest.CaptureFixture[str]) -> None:
    pytest.importorskip("roomkit_websocket", reason="roomkit-websocket is not installed")
    from roomkit_websocket.testing import StreamServer

    from roomkit.sources import WebSocketSource
    from roomkit_conformance.suites.source import eventually

    server = await StreamServer().start()  # the sample's wss://chat.example.com, on 127.0.0.1
    kit = RoomKit()
    kit.register_channel(WebSocketChannel("websocket-chat"))
    try:
        source = WebSocketSource(url=server.url, channel_id="websocket-chat")
        await kit.attach_source(
            "websocket-chat", source, auto_restart=True, max_restart_attempts=10
        )
        await server.send("evt-1", "hello from the stream")
        await eventually(lambda: source.status == "connected" and server.clients, "connected")
        await eventually(
            lambda: _messages_received(kit, "websocket-chat", 1), "the message received"
        )

        health = await kit.source_health("websocket-chat")
        print(f"Status: {health.status}, Messages: {health.messages_received}")
        assert capsys.readouterr().out == "Status: connected, Messages: 1\n"
    finally:
        await kit.close()
        await server.close()


async def _messages_received(kit: RoomKit, channel_id: str, count: int) -> bool:
    return (await kit.source_health(channel_id)).messages_received >= count
