"""Broadcast: who receives, transcoding, intelligence responses, chains, posting from code."""

from __future__ import annotations

import asyncio
from typing import Any

from roomkit import (
    Access,
    ChannelCapabilities,
    ChannelCategory,
    ChannelMediaType,
    EventStatus,
    HookTrigger,
    InboundMessage,
    MediaContent,
    RichButton,
    RichContent,
    RoomKit,
    TextContent,
)


def msg(body: str = "hello", channel: str = "a", **kw: Any) -> InboundMessage:
    return InboundMessage(channel_id=channel, sender_id="u1", content=TextContent(body=body), **kw)


async def test_visibility_and_access_decide_who_receives(
    room_kit: Any, recorder_factory: Any
) -> None:
    kit, _, b = room_kit
    c, d = recorder_factory("c"), recorder_factory("d")
    kit.register_channel(c)
    kit.register_channel(d)
    await kit.attach_channel("r1", "c", access=Access.WRITE_ONLY)
    await kit.attach_channel("r1", "d")
    await kit.process_inbound(msg("all"))
    assert (b.bodies, c.bodies, d.bodies) == (["all"], [], ["all"])

    await kit.update_binding("r1", "a", visibility="d")  # a's events now only reach d
    await kit.process_inbound(msg("only d"))
    assert (b.bodies, d.bodies) == (["all"], ["all", "only d"])

    await kit.update_binding("r1", "a", visibility="none")
    result = await kit.process_inbound(msg("stored only"))
    assert result.event.visibility == "none"
    assert d.bodies == ["all", "only d"]
    assert await kit.store.count_events("r1") == 3


async def test_muted_transport_still_receives(room_kit: Any) -> None:
    kit, _, b = room_kit
    await kit.mute("r1", "b")
    await kit.process_inbound(msg())
    assert b.bodies == ["hello"]


async def test_transcoding_to_a_text_only_channel_with_max_length(
    room_kit: Any, recorder_factory: Any
) -> None:
    kit, _, _ = room_kit
    sms = recorder_factory("sms", capabilities=ChannelCapabilities(max_length=20))
    kit.register_channel(sms)
    await kit.attach_channel("r1", "sms")
    rich = RichContent(
        body="**Order** shipped", buttons=[RichButton(label="Track"), RichButton(label="Help")]
    )
    await kit.process_inbound(
        InboundMessage(channel_id="a", sender_id="u1", content=rich), room_id="r1"
    )
    assert sms.bodies == ["Order shipped", "1. Track\n2. Help"]
    assert [e.metadata["part"] for e in sms.sent] == [1, 2]
    assert all(e.metadata["parts"] == 2 for e in sms.sent)

    photo = MediaContent(url="https://x.test/p.jpg", mime_type="image/jpeg", caption="pic")
    await kit.process_inbound(
        InboundMessage(channel_id="a", sender_id="u1", content=photo), room_id="r1"
    )
    assert sms.bodies[2:] == ["pic:", "https://x.test/p.jpg"]  # 25 chars: two parts
    # the stored event keeps the original content
    stored = await kit.get_recent_events("r1", 1)
    assert isinstance(stored[0].content, MediaContent)


async def test_rich_capable_channel_gets_the_original(room_kit: Any, recorder_factory: Any) -> None:
    kit, _, _ = room_kit
    caps = ChannelCapabilities(media_types=[ChannelMediaType.TEXT, ChannelMediaType.RICH])
    web = recorder_factory("web", capabilities=caps)
    kit.register_channel(web)
    await kit.attach_channel("r1", "web")
    rich = RichContent(body="**hi**")
    await kit.process_inbound(InboundMessage(channel_id="a", sender_id="u", content=rich))
    assert web.sent[0].content is rich


async def test_intelligence_response_is_stored_and_broadcast(
    room_kit: Any, echo_factory: Any
) -> None:
    kit, a, b = room_kit
    bot = echo_factory("bot")
    kit.register_channel(bot)
    await kit.attach_channel("r1", "bot", category=ChannelCategory.INTELLIGENCE)
    result = await kit.process_inbound(msg("ping"))
    assert [r.content.body for r in result.responses] == ["echo: ping"]
    response = result.responses[0]
    assert response.chain_depth == 1
    assert response.parent_event_id == result.event.id
    assert response.index == 1
    assert a.bodies == ["echo: ping"]
    assert b.bodies == ["ping", "echo: ping"]
    assert len(bot.seen) == 1  # the bot is not handed its own response


async def test_muted_intelligence_is_not_asked(room_kit: Any, echo_factory: Any) -> None:
    kit, _, _ = room_kit
    bot = echo_factory("bot")
    kit.register_channel(bot)
    await kit.attach_channel("r1", "bot", category=ChannelCategory.INTELLIGENCE, muted=True)
    result = await kit.process_inbound(msg())
    assert bot.seen == []
    assert result.responses == []


async def test_chain_depth_limit_stops_a_loop_between_two_bots(
    kit: RoomKit, echo_factory: Any
) -> None:
    kit.max_chain_depth = 3
    ping, pong = echo_factory("ping"), echo_factory("pong")
    from roomkit import WebSocketChannel

    kit.register_channel(WebSocketChannel("ws"))
    for channel in (ping, pong):
        kit.register_channel(channel)
    await kit.create_room(room_id="loop")
    await kit.attach_channel("loop", "ws")
    await kit.attach_channel("loop", "ping")
    await kit.attach_channel("loop", "pong")
    errors: list[str] = []

    @kit.hook(HookTrigger.ON_ERROR)
    async def on_error(event: Any, ctx: Any) -> None:
        errors.append(ctx.metadata["error_type"])

    result = await asyncio.wait_for(kit.process_inbound(msg("go", channel="ws")), 5)
    await kit.drain()
    depths = [e.chain_depth for e in result.responses]
    assert max(depths) == 4
    blocked = [e for e in result.responses if e.status == EventStatus.BLOCKED]
    assert blocked
    assert all(e.chain_depth == 4 and e.blocked_by == "chain_depth" for e in blocked)
    assert all(e.status != EventStatus.BLOCKED for e in result.responses if e.chain_depth <= 3)
    assert "ChainDepthExceededError" in errors
    timeline = await kit.get_timeline("loop", limit=100)
    assert [e.index for e in timeline] == list(range(len(timeline)))
    assert len(timeline) == 1 + len(result.responses)


async def test_send_event_posts_from_code(room_kit: Any) -> None:
    kit, a, b = room_kit
    result = await kit.send_event("r1", TextContent(body="maintenance at 5"))
    assert a.bodies == b.bodies == ["maintenance at 5"]
    assert result.event.source.channel_id == "system"
    assert result.event.index == 0
    from_a = await kit.send_event("r1", TextContent(body="from a"), channel_id="a")
    assert b.bodies[-1] == "from a"
    assert a.bodies == ["maintenance at 5"]
    assert from_a.event.index == 1


async def test_hook_posting_into_its_own_room_does_not_deadlock(room_kit: Any) -> None:
    kit, _, b = room_kit

    @kit.hook(HookTrigger.BEFORE_BROADCAST)
    async def announce(event: Any, ctx: Any) -> None:
        if event.source.channel_id == "a":
            await kit.send_event(ctx.room.id, TextContent(body="noted"), run_hooks=False)

    await asyncio.wait_for(kit.process_inbound(msg("hi")), 2)
    assert b.bodies == ["noted", "hi"]
    assert [e.index for e in await kit.get_timeline("r1")] == [0, 1]


async def test_a_response_that_cannot_be_stored_is_reported_not_raised(
    room_kit: Any, echo_factory: Any
) -> None:
    kit, _, b = room_kit
    bot = echo_factory("bot")
    kit.register_channel(bot)
    await kit.attach_channel("r1", "bot", category=ChannelCategory.INTELLIGENCE)
    first = await kit.process_inbound(msg("one"))
    replay = first.responses[0]

    async def replay_old(event: Any, binding: Any, context: Any) -> Any:
        from roomkit import ChannelOutput

        return ChannelOutput(responded=True, response_events=[replay])  # already stored

    bot.on_event = replay_old
    errors: list[str] = []

    @kit.hook(HookTrigger.ON_ERROR)
    async def on_error(event: Any, ctx: Any) -> None:
        errors.append(f"{ctx.metadata['stage']}:{ctx.metadata['error_type']}")

    second = await kit.process_inbound(msg("two"))
    await kit.drain()
    assert second.accepted
    assert second.responses == []
    assert errors == ["response:StoreError"]
    assert b.bodies == ["one", "echo: one", "two"]


async def test_network_transports_are_served_concurrently(
    room_kit: Any, recorder_factory: Any
) -> None:
    kit, _, b = room_kit
    c = recorder_factory("c")
    kit.register_channel(c)
    await kit.attach_channel("r1", "c")
    active: list[int] = []
    running = 0

    def slow(recorder: Any) -> Any:
        async def send(event: Any, binding: Any, context: Any) -> str:
            nonlocal running
            running += 1
            active.append(running)
            await asyncio.sleep(0.02)
            running -= 1
            recorder.sent.append(event)
            return "id"

        return send

    b.send = slow(b)
    c.send = slow(c)
    await kit.process_inbound(msg())
    assert max(active) == 2  # both sends were in flight together
    assert b.bodies == c.bodies == ["hello"]


async def test_inline_channels_are_awaited_in_order(kit: RoomKit) -> None:
    from roomkit import WebSocketChannel

    order: list[str] = []
    for name in ("w1", "w2", "w3"):
        ws = WebSocketChannel(name)
        kit.register_channel(ws)

        async def send(payload: Any, name: str = name) -> None:
            order.append(name)

        ws.register_connection(f"{name}-c", send)
    await kit.create_room(room_id="r")
    for name in ("w1", "w2", "w3"):
        await kit.attach_channel("r", name)
    await kit.process_inbound(msg(channel="w1"), room_id="r")
    assert order == ["w2", "w3"]


async def test_stores_that_return_copies_are_supported(echo_factory: Any) -> None:
    from roomkit import InMemoryStore, RoomEvent, WebSocketChannel

    class CopyingStore(InMemoryStore):
        async def add_event(self, event: RoomEvent) -> RoomEvent:
            return (await super().add_event(event)).model_copy()

    kit = RoomKit(store=CopyingStore())
    got: list[str] = []
    peer = WebSocketChannel("peer")

    async def sock(payload: Any) -> None:
        got.append(payload.content.body)

    peer.register_connection("p", sock)
    for channel in (WebSocketChannel("user"), peer, echo_factory("bot")):
        kit.register_channel(channel)
    await kit.create_room(room_id="r")
    for channel_id in ("user", "peer", "bot"):
        await kit.attach_channel("r", channel_id)
    result = await kit.process_inbound(msg("hi", channel="user"), room_id="r")
    again = await kit.process_inbound(msg("hi", channel="user", idempotency_key="k"), room_id="r")
    dup = await kit.process_inbound(msg("hi", channel="user", idempotency_key="k"), room_id="r")
    assert not result.duplicate
    assert result.event.index == 0
    assert [r.index for r in result.responses] == [1]
    assert got == ["hi", "echo: hi", "hi", "echo: hi"]
    assert not again.duplicate
    assert dup.duplicate
