"""Bad input through the public API (issue 2, "Bad input").

Every case either raises a typed :class:`RoomKitError` whose message names the offending id
and says what to do, or is recorded as a failure; no event is lost or stored twice, and
pydantic's ``ValidationError`` never escapes a kit method.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import pytest
from pydantic import BaseModel, ValidationError

from roomkit import (
    ChannelBinding,
    ChannelCategory,
    ChannelNotFoundError,
    ChannelNotRegisteredError,
    ChannelOutput,
    ChannelType,
    CompositeContent,
    EventSource,
    EventStatus,
    HookExecution,
    HookResult,
    HookTimeoutError,
    HookTrigger,
    InboundMessage,
    InvalidContentError,
    MockIdentityResolver,
    PayloadTooLargeError,
    RetryPolicy,
    RichContent,
    RoomClosedError,
    RoomContext,
    RoomEvent,
    RoomKit,
    RoomKitError,
    RoomNotFoundError,
    TextContent,
    TransportChannel,
    WebSocketChannel,
)
from roomkit.channels.base import Channel
from roomkit.models.enums import ChannelDirection
from roomkit.store.memory import InMemoryStore

# -- helpers -------------------------------------------------------------------------------


class Sink(TransportChannel):
    """A transport recording what it sends; ``fail`` makes every send raise it."""

    def __init__(self, channel_id: str) -> None:
        super().__init__(channel_id, channel_type=ChannelType.SMS)
        self.sent: list[RoomEvent] = []
        self.fail: BaseException | None = None

    async def send(
        self, event: RoomEvent, binding: ChannelBinding, context: RoomContext
    ) -> str | None:
        if self.fail is not None:
            raise self.fail
        self.sent.append(event)
        return None


class Replier(Channel):
    """An intelligence channel answering every event."""

    category = ChannelCategory.INTELLIGENCE
    channel_type = ChannelType.AI

    async def on_event(
        self, event: RoomEvent, binding: ChannelBinding, context: RoomContext
    ) -> ChannelOutput:
        response = RoomEvent(
            room_id=event.room_id,
            source=EventSource(
                channel_id=self.channel_id,
                channel_type=self.channel_type,
                direction=ChannelDirection.OUTBOUND,
            ),
            content=TextContent(body="reply"),
        )
        return ChannelOutput(responded=True, response_events=[response])


class RaisingChannel(Channel):
    """A custom channel (not a TransportChannel) whose delivery always raises."""

    channel_type = ChannelType.WEBHOOK

    async def on_event(
        self, event: RoomEvent, binding: ChannelBinding, context: RoomContext
    ) -> ChannelOutput:
        raise ConnectionError("provider unreachable")


class WrongOutputChannel(Channel):
    """A custom channel whose ``on_event`` returns something that is not a ChannelOutput."""

    channel_type = ChannelType.WEBHOOK

    async def on_event(  # type: ignore[override]
        self, event: RoomEvent, binding: ChannelBinding, context: RoomContext
    ) -> str:
        return "sent!"


class NoEventInbound(Sink):
    """A channel whose ``handle_inbound`` returns nothing instead of a RoomEvent."""

    async def handle_inbound(  # type: ignore[override]
        self, message: InboundMessage, context: RoomContext
    ) -> None:
        return None


class Weird(BaseModel):
    """A content-like model that is none of RoomKit's content types."""

    type: str = "weird"
    body: str = "not a real content type"


def msg(body: str = "hello", channel: str = "a", sender: str = "u1", **kw: Any) -> InboundMessage:
    return InboundMessage(
        channel_id=channel, sender_id=sender, content=TextContent(body=body), **kw
    )


def bodies(channel: Sink) -> list[str]:
    return [getattr(e.content, "body", "") for e in channel.sent]


def constructed(content: Any, channel: str = "a") -> InboundMessage:
    """An InboundMessage built without validation, as a careless adapter might."""
    return InboundMessage.model_construct(
        channel_id=channel, sender_id="u1", content=content, metadata={}
    )


def collect_errors(kit: RoomKit) -> list[dict[str, Any]]:
    seen: list[dict[str, Any]] = []

    @kit.hook(HookTrigger.ON_ERROR, name="collect_errors")
    async def on_error(event: Any, ctx: RoomContext) -> None:
        seen.append(dict(ctx.metadata))

    return seen


@pytest.fixture
async def setup() -> AsyncIterator[tuple[RoomKit, Sink, Sink]]:
    """Room ``r1`` with transports ``a`` and ``b`` attached."""
    kit = RoomKit()
    a, b = Sink("a"), Sink("b")
    kit.register_channel(a)
    kit.register_channel(b)
    await kit.create_room(room_id="r1")
    await kit.attach_channel("r1", "a")
    await kit.attach_channel("r1", "b")
    yield kit, a, b
    await kit.close()


async def total_events(kit: RoomKit) -> int:
    return sum([await kit.store.count_events(room.id) for room in await kit.list_rooms()])


# -- unknown channel, unknown room ----------------------------------------------------------


async def test_unknown_channel_names_it_says_what_to_do_and_stores_nothing(setup: Any) -> None:
    kit, _, b = setup
    with pytest.raises(RoomKitError) as info:
        await kit.process_inbound(msg(channel="ghost"), room_id="r1")
    assert isinstance(info.value, ChannelNotRegisteredError)
    assert "'ghost'" in str(info.value)
    assert "register_channel" in str(info.value)
    assert await total_events(kit) == 0
    assert b.sent == []
    assert await kit.store.list_participants("r1") == []


async def test_attach_unknown_channel_says_what_to_do(setup: Any) -> None:
    kit, _, _ = setup
    with pytest.raises(ChannelNotRegisteredError, match=r"'ghost'.*register_channel"):
        await kit.attach_channel("r1", "ghost")


@pytest.mark.parametrize(
    "call",
    [
        lambda kit: kit.process_inbound(msg(), room_id="nope"),
        lambda kit: kit.process_inbound(msg(room_id="nope")),
        lambda kit: kit.send_event("nope", TextContent(body="x")),
        lambda kit: kit.attach_channel("nope", "a"),
        lambda kit: kit.close_room("nope"),
        lambda kit: kit.get_timeline("nope"),
        lambda kit: kit.get_binding("nope", "a"),
        lambda kit: kit.build_context("nope"),
    ],
    ids=[
        "inbound-arg",
        "inbound-field",
        "send_event",
        "attach",
        "close",
        "timeline",
        "binding",
        "context",
    ],
)
async def test_unknown_room_is_room_not_found_naming_the_room(
    setup: Any, call: Callable[[RoomKit], Awaitable[Any]]
) -> None:
    kit, _, b = setup
    with pytest.raises(RoomNotFoundError, match="'nope'"):
        await call(kit)
    assert await total_events(kit) == 0
    assert b.sent == []


async def test_registered_but_unattached_channel_is_refused_and_nothing_is_stored(
    setup: Any,
) -> None:
    kit, _, b = setup
    kit.register_channel(Sink("c"))
    with pytest.raises(ChannelNotFoundError) as info:
        await kit.process_inbound(msg(channel="c"), room_id="r1")
    assert not isinstance(info.value, ChannelNotRegisteredError)
    text = str(info.value)
    assert "'c'" in text
    assert "'r1'" in text
    assert "attach_channel" in text
    assert await kit.store.count_events("r1") == 0
    assert await kit.store.list_participants("r1") == []
    assert b.sent == []


# -- closed room ----------------------------------------------------------------------------


async def test_closed_room_refuses_every_way_in_and_stores_nothing(setup: Any) -> None:
    kit, _, b = setup
    await kit.process_inbound(msg("before"), room_id="r1")
    await kit.close_room("r1")
    kit.register_channel(Sink("c"))
    refused = [
        kit.process_inbound(msg("after"), room_id="r1"),
        kit.process_inbound(
            {
                "channel_id": "a",
                "sender_id": "u2",
                "room_id": "r1",
                "content": {"type": "text", "body": "dict"},
            }
        ),
        kit.send_event("r1", TextContent(body="posted")),
        kit.attach_channel("r1", "c"),
    ]
    for call in refused:
        with pytest.raises(RoomClosedError, match="'r1'"):
            await call
    assert await kit.store.count_events("r1") == 1
    assert bodies(b) == ["before"]
    assert [p.id for p in await kit.store.list_participants("r1")] == ["u1"]


async def test_a_sender_whose_room_closed_is_not_refused_forever(setup: Any) -> None:
    kit, _, _ = setup
    await kit.process_inbound(msg(), room_id="r1")
    await kit.close_room("r1")
    result = await kit.process_inbound(msg("new conversation"))
    assert result.accepted
    assert result.room_id != "r1"
    assert await kit.store.count_events("r1") == 1


# -- malformed content ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "message",
    [
        "hello",
        None,
        ["channel_id", "a"],
        {"channel_id": "a", "sender_id": "u1"},
        {"channel_id": "a", "sender_id": "u1", "content": {"type": "nope", "body": "x"}},
        {"channel_id": "a", "sender_id": "u1", "content": {"type": "text", "body": 42}},
        {"channel_id": "a", "sender_id": "u1", "content": {"type": "text", "body": "x", "x": 1}},
        {"channel_id": "", "sender_id": "u1", "content": {"type": "text", "body": "x"}},
        {"channel_id": "a", "sender_id": "", "content": {"type": "text", "body": "x"}},
        {"channel_id": "a", "sender_id": "u1", "content": "just a string"},
    ],
    ids=[
        "str",
        "none",
        "list",
        "no-content",
        "unknown-type",
        "body-int",
        "extra-field",
        "empty-channel",
        "empty-sender",
        "content-str",
    ],
)
async def test_malformed_dict_is_invalid_content_never_validation_error(
    setup: Any, message: Any
) -> None:
    kit, _, b = setup
    with pytest.raises(InvalidContentError) as info:
        await kit.process_inbound(message, room_id="r1")
    assert not isinstance(info.value, ValidationError)
    assert info.value.__cause__ is None or not isinstance(info.value.__cause__, ValidationError)
    assert await total_events(kit) == 0
    assert b.sent == []


@pytest.mark.parametrize(
    "content",
    [
        pytest.param(
            {"type": "text", "body": "a dict"},
            id="dict",
        ),
        pytest.param(
            None,
            id="none",
        ),
        pytest.param(
            "a string",
            id="str",
        ),
        pytest.param(
            TextContent.model_construct(body=None),
            id="text-body-none",
        ),
        pytest.param(
            Weird(),
            id="unknown-model",
        ),
    ],
)
async def test_unvalidated_message_with_bad_content_is_invalid_content(
    setup: Any, content: Any
) -> None:
    kit, _, b = setup
    with pytest.raises(InvalidContentError):
        await kit.process_inbound(constructed(content), room_id="r1")
    assert await total_events(kit) == 0
    assert b.sent == []


async def test_unvalidated_message_without_a_sender_or_channel_is_invalid_content(
    setup: Any,
) -> None:
    kit, _, b = setup
    for missing in ("channel_id", "sender_id"):
        fields = {"channel_id": "a", "sender_id": "u1", "content": TextContent(body="x")}
        del fields[missing]
        with pytest.raises(InvalidContentError, match="channel_id and sender_id"):
            await kit.process_inbound(InboundMessage.model_construct(**fields), room_id="r1")
    assert await total_events(kit) == 0
    assert b.sent == []


async def test_unvalidated_but_well_formed_message_still_flows(setup: Any) -> None:
    kit, _, b = setup
    result = await kit.process_inbound(constructed(TextContent(body="fine")), room_id="r1")
    assert result.accepted
    assert bodies(b) == ["fine"]


async def test_unserialisable_metadata_is_invalid_content(setup: Any) -> None:
    kit, _, b = setup
    with pytest.raises(InvalidContentError, match="metadata"):
        await kit.process_inbound(msg(metadata={"handle": object()}), room_id="r1")
    assert await total_events(kit) == 0
    assert b.sent == []


# -- oversized payload ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "content",
    [
        TextContent(body="x" * 1_048_577),
        TextContent(body="\u00e9" * 600_000),  # 1.2 MB in UTF-8, 600k characters
        RichContent(body="y" * 1_100_000),
        CompositeContent(parts=[TextContent(body="z" * 300_000) for _ in range(4)]),
    ],
    ids=["text", "multibyte", "rich", "composite"],
)
async def test_oversized_content_is_refused_by_default(setup: Any, content: Any) -> None:
    kit, _, b = setup
    message = InboundMessage(channel_id="a", sender_id="u1", content=content)
    with pytest.raises(PayloadTooLargeError, match="max_payload_bytes") as info:
        await kit.process_inbound(message, room_id="r1")
    assert isinstance(info.value, InvalidContentError)
    assert len(str(info.value)) < 200  # the message does not echo the payload
    assert await total_events(kit) == 0
    assert b.sent == []


async def test_oversized_metadata_is_refused(setup: Any) -> None:
    kit, _, _ = setup
    with pytest.raises(PayloadTooLargeError):
        await kit.process_inbound(msg(metadata={"blob": "m" * 2_000_000}), room_id="r1")
    assert await total_events(kit) == 0


# -- extremely long ids ---------------------------------------------------------------------


async def test_very_long_sender_id_is_handled_end_to_end(setup: Any) -> None:
    kit, _, b = setup
    sender = "s" * 100_000
    first = await kit.process_inbound(msg(sender=sender, idempotency_key="k"), room_id="r1")
    again = await kit.process_inbound(msg(sender=sender, idempotency_key="k"), room_id="r1")
    assert first.accepted
    assert again.duplicate
    assert first.event.source.participant_id == sender
    assert [p.id for p in await kit.store.list_participants("r1")] == [sender]
    assert await kit.store.count_events("r1") == 1
    assert len(b.sent) == 1


async def test_error_for_a_very_long_unknown_channel_id_stays_short(setup: Any) -> None:
    kit, _, _ = setup
    with pytest.raises(ChannelNotRegisteredError) as info:
        await kit.process_inbound(msg(channel="c" * 100_000))
    assert len(str(info.value)) < 1_000


# -- hooks that raise or hang ---------------------------------------------------------------


async def test_failing_error_hooks_do_not_recurse_or_block(setup: Any) -> None:
    kit, _, b = setup
    calls: list[str] = []

    @kit.hook(HookTrigger.BEFORE_BROADCAST, name="broken")
    async def broken(event: Any, ctx: Any) -> None:
        raise RuntimeError("boom")

    @kit.hook(HookTrigger.ON_ERROR, execution=HookExecution.SYNC, name="raising_reporter")
    async def raising_reporter(event: Any, ctx: Any) -> None:
        calls.append(f"raise:{ctx.metadata['details'].get('hook')}")
        raise ValueError("the reporter fails too")

    @kit.hook(
        HookTrigger.ON_ERROR, execution=HookExecution.SYNC, name="hanging_reporter", timeout=0.05
    )
    async def hanging_reporter(event: Any, ctx: Any) -> None:
        calls.append(f"hang:{ctx.metadata['details'].get('hook')}")
        await asyncio.sleep(60)

    result = await asyncio.wait_for(kit.process_inbound(msg(), room_id="r1"), 10)
    await asyncio.wait_for(kit.drain(), 10)
    assert result.accepted
    assert bodies(b) == ["hello"]
    assert calls == ["raise:broken", "hang:broken"]  # once each: no recursion
    assert await kit.store.count_events("r1") == 1


@pytest.mark.parametrize("execution", [HookExecution.SYNC, HookExecution.ASYNC])
async def test_hanging_after_broadcast_hook_times_out_and_is_reported(
    execution: HookExecution,
) -> None:
    kit = RoomKit(hook_timeout=0.05)  # the kit default applies to hooks without their own
    b = Sink("b")
    kit.register_channel(Sink("a"))
    kit.register_channel(b)
    await kit.create_room(room_id="r1")
    await kit.attach_channel("r1", "a")
    await kit.attach_channel("r1", "b")
    errors = collect_errors(kit)

    @kit.hook(HookTrigger.AFTER_BROADCAST, execution=execution, name="stuck")
    async def stuck(event: Any, ctx: Any) -> None:
        await asyncio.sleep(60)

    first = await asyncio.wait_for(kit.process_inbound(msg("one"), room_id="r1"), 10)
    second = await asyncio.wait_for(kit.process_inbound(msg("two"), room_id="r1"), 10)
    await asyncio.wait_for(kit.drain(), 10)
    assert first.accepted
    assert second.accepted
    assert bodies(b) == ["one", "two"]
    assert [e["error_type"] for e in errors] == ["HookTimeoutError", "HookTimeoutError"]
    assert all(isinstance(e["error"], HookTimeoutError) for e in errors)
    assert all(isinstance(e["error"], RoomKitError) for e in errors)
    assert all(e["stage"] == "hook" and "'stuck'" in e["message"] for e in errors)
    await kit.close()


async def test_after_broadcast_failures_do_not_change_the_result(setup: Any) -> None:
    kit, _, b = setup
    errors = collect_errors(kit)

    @kit.hook(HookTrigger.AFTER_BROADCAST, execution=HookExecution.SYNC, name="raises")
    async def raises(event: Any, ctx: Any) -> None:
        raise RuntimeError("after broadcast failed")

    @kit.hook(HookTrigger.AFTER_BROADCAST, execution=HookExecution.SYNC, name="blocks")
    async def blocks(event: Any, ctx: Any) -> HookResult:
        return HookResult.block("too late to block")

    @kit.hook(HookTrigger.AFTER_BROADCAST, name="raises_async")
    async def raises_async(event: Any, ctx: Any) -> None:
        raise RuntimeError("async after broadcast failed")

    result = await kit.process_inbound(msg(), room_id="r1")
    await kit.drain()
    assert result.accepted
    assert not result.blocked
    assert not result.duplicate
    stored = await kit.get_event(result.event.id)
    assert stored is not None
    assert stored.status == EventStatus.DELIVERED
    assert stored.blocked_by is None
    assert stored.delivery_results == {}
    assert bodies(b) == ["hello"]
    assert sorted(e["details"]["hook"] for e in errors) == ["raises", "raises_async"]
    assert await kit.store.count_events("r1") == 1


# -- channels that raise --------------------------------------------------------------------


async def test_custom_channel_whose_delivery_raises_is_recorded_once(setup: Any) -> None:
    kit, _, b = setup
    kit.register_channel(RaisingChannel("hook-out"))
    await kit.attach_channel("r1", "hook-out")
    errors = collect_errors(kit)
    result = await kit.process_inbound(msg(), room_id="r1")
    await kit.drain()
    assert result.accepted
    stored = await kit.get_event(result.event.id)
    assert stored is not None
    assert stored.status == EventStatus.DELIVERED  # b still received
    failed = stored.delivery_results["hook-out"]
    assert failed.status == "failed"
    assert "ConnectionError" in (failed.error or "")
    assert bodies(b) == ["hello"]
    assert [(e["error_type"], e["details"]["channel_id"]) for e in errors] == [
        ("DeliveryError", "hook-out")
    ]
    assert "'hook-out'" in errors[0]["message"]
    assert await kit.store.count_events("r1") == 1


async def test_every_delivery_failing_marks_the_event_failed_but_keeps_it(setup: Any) -> None:
    kit, _, b = setup
    b.fail = OSError("down")
    result = await kit.process_inbound(msg(), room_id="r1")
    assert result.accepted
    stored = await kit.get_event(result.event.id)
    assert stored is not None
    assert stored.status == EventStatus.FAILED
    assert list(stored.delivery_results) == ["b"]
    assert await kit.store.count_events("r1") == 1


async def test_websocket_connections_that_raise(setup: Any) -> None:
    kit, _, _ = setup
    kit.register_channel(WebSocketChannel("ws"))
    await kit.attach_channel("r1", "ws")
    got: list[str] = []

    async def good(payload: Any) -> None:
        got.append(payload.content.body)

    async def bad(payload: Any) -> None:
        raise ConnectionResetError("socket closed")

    await kit.connect_websocket("ws", "bad", bad)
    await kit.connect_websocket("ws", "good", good)
    one = await kit.process_inbound(msg("one"), room_id="r1")
    assert got == ["one"]
    assert "ws" not in (await kit.get_event(one.event.id)).delivery_results

    await kit.disconnect_websocket("ws", "good")
    two = await kit.process_inbound(msg("two"), room_id="r1")
    failed = (await kit.get_event(two.event.id)).delivery_results["ws"]
    assert "DeliveryError" in (failed.error or "")
    assert "'ws'" in (failed.error or "")
    assert await kit.store.count_events("r1") == 2
    with pytest.raises(RoomKitError, match="'a'"):
        await kit.connect_websocket("a", "c1", good)  # not a WebSocket channel
    with pytest.raises(ChannelNotRegisteredError, match="'nope'"):
        await kit.connect_websocket("nope", "c1", good)


async def test_channel_returning_a_wrong_output_is_a_recorded_failure(setup: Any) -> None:
    kit, _, b = setup
    kit.register_channel(WrongOutputChannel("odd"))
    await kit.attach_channel("r1", "odd")
    result = await kit.process_inbound(msg(), room_id="r1")
    assert result.accepted
    stored = await kit.get_event(result.event.id)
    assert stored is not None
    assert "odd" in stored.delivery_results
    assert bodies(b) == ["hello"]
    assert await kit.store.count_events("r1") == 1


async def test_handle_inbound_returning_no_event_is_a_typed_error(setup: Any) -> None:
    kit, _, b = setup
    kit.register_channel(NoEventInbound("n"))
    await kit.attach_channel("r1", "n")
    with pytest.raises(RoomKitError, match="'n'"):
        await kit.process_inbound(msg(channel="n"), room_id="r1")
    assert await kit.store.count_events("r1") == 0
    assert b.sent == []


# -- idempotency under concurrency ------------------------------------------------------------


async def test_concurrent_duplicates_with_a_sync_hook_store_exactly_one(setup: Any) -> None:
    kit, _, b = setup
    seen: list[str] = []

    @kit.hook(HookTrigger.BEFORE_BROADCAST, name="yielding")
    async def yielding(event: RoomEvent, ctx: Any) -> None:
        await asyncio.sleep(0)  # let the other tasks pile up on the lock
        seen.append(event.id)

    results = await asyncio.gather(
        *(kit.process_inbound(msg("pay", idempotency_key="same"), room_id="r1") for _ in range(40))
    )
    firsts = [r for r in results if not r.duplicate]
    assert len(firsts) == 1
    assert {r.event.id for r in results} == {firsts[0].event.id}
    assert seen == [firsts[0].event.id]  # duplicates never ran the hook
    assert await kit.store.count_events("r1") == 1
    assert len(b.sent) == 1


class YieldingStore(InMemoryStore):
    """The in-memory store, suspending on room lookup and creation like a networked one."""

    async def find_latest_room(self, *args: Any, **kwargs: Any) -> Any:
        await asyncio.sleep(0)
        return await super().find_latest_room(*args, **kwargs)

    async def create_room(self, room: Any) -> Any:
        await asyncio.sleep(0)
        return await super().create_room(room)


async def test_concurrent_duplicates_from_a_new_sender_store_exactly_one() -> None:
    kit = RoomKit(store=YieldingStore())
    kit.register_channel(Sink("fresh"))
    results = await asyncio.gather(
        *(kit.process_inbound(msg(channel="fresh", idempotency_key="k")) for _ in range(10))
    )
    assert len({r.room_id for r in results}) == 1
    assert sum(not r.duplicate for r in results) == 1
    assert await total_events(kit) == 1
    await kit.close()


# -- chain depth ----------------------------------------------------------------------------


async def test_event_beyond_the_chain_limit_gets_a_blocked_response(setup: Any) -> None:
    kit, _, b = setup
    kit.max_chain_depth = 2
    kit.register_channel(Replier("ai"))
    await kit.attach_channel("r1", "ai")
    errors = collect_errors(kit)
    result = await kit.send_event("r1", TextContent(body="deep"), channel_id="a", chain_depth=5)
    await kit.drain()
    assert result.accepted
    assert [(r.chain_depth, r.status, r.blocked_by) for r in result.responses] == [
        (6, EventStatus.BLOCKED, "chain_depth")
    ]
    assert bodies(b) == ["deep"]  # the blocked reply is not delivered
    assert [e["error_type"] for e in errors] == ["ChainDepthExceededError"]
    assert "max_chain_depth=2" in errors[0]["message"]
    assert await kit.store.count_events("r1") == 2


# -- pydantic never leaks; every deliberate error is a RoomKitError -------------------------


@pytest.mark.parametrize(
    "call",
    [
        pytest.param(
            lambda kit: kit.send_event("r1", "plain string"),
            id="send_event-content",
        ),
        pytest.param(
            lambda kit: kit.send_event("r1", TextContent(body="x"), chain_depth=-1),
            id="send_event-depth",
        ),
        pytest.param(
            lambda kit: kit.attach_channel("r1", "a", access="bogus"),
            id="attach-access",
        ),
        pytest.param(
            lambda kit: kit.update_binding("r1", "a", access="bogus"),
            id="update-binding",
        ),
        pytest.param(
            lambda kit: kit.create_room(metadata="not a dict"),
            id="create-room",
        ),
        pytest.param(
            lambda kit: kit.connect_websocket("ws", "", _noop_send),
            id="ws-empty-connection",
        ),
        pytest.param(lambda kit: kit.create_room(room_id="r1"), id="create-duplicate-room"),
        pytest.param(lambda kit: kit.update_binding("r1", "a", room_id="x"), id="binding-frozen"),
    ],
)
async def test_kit_methods_raise_only_room_kit_errors(
    setup: Any, call: Callable[[RoomKit], Awaitable[Any]]
) -> None:
    kit, _, _ = setup
    kit.register_channel(WebSocketChannel("ws"))
    with pytest.raises(Exception) as info:
        await call(kit)
    assert not isinstance(info.value, ValidationError)
    assert isinstance(info.value, RoomKitError), repr(info.value)
    assert await total_events(kit) == 0


async def _noop_send(payload: Any) -> None:
    return None


@pytest.mark.parametrize(
    "register",
    [
        pytest.param(
            lambda kit: kit.add_hook("not-a-trigger", _noop_hook),
            id="trigger",
        ),
        pytest.param(
            lambda kit: kit.add_hook(HookTrigger.ON_ERROR, _noop_hook, timeout=0),
            id="timeout",
        ),
        pytest.param(
            lambda kit: kit.add_hook(HookTrigger.ON_ERROR, "not callable"),
            id="not-callable",
        ),
        pytest.param(lambda kit: kit.register_channel(object()), id="register-non-channel"),
        pytest.param(lambda kit: kit.register_channel(Sink("a")), id="register-taken-id"),
    ],
)
async def test_registration_errors_are_room_kit_errors(
    setup: Any, register: Callable[[RoomKit], Any]
) -> None:
    kit, _, _ = setup
    with pytest.raises(RoomKitError):
        register(kit)


async def _noop_hook(payload: Any, ctx: Any) -> None:
    return None


# -- races and partial failures -------------------------------------------------------------


class FailingAI(Channel):
    """An intelligence channel whose turn always raises."""

    category = ChannelCategory.INTELLIGENCE
    channel_type = ChannelType.AI

    async def on_event(
        self, event: RoomEvent, binding: ChannelBinding, context: RoomContext
    ) -> ChannelOutput:
        raise RuntimeError("model down")


async def test_failing_ai_channel_does_not_mark_a_delivered_event_failed(setup: Any) -> None:
    kit, _, b = setup
    kit.register_channel(FailingAI("ai"))
    await kit.attach_channel("r1", "ai")
    result = await kit.process_inbound(msg(), room_id="r1")
    assert bodies(b) == ["hello"]
    stored = await kit.get_event(result.event.id)
    assert stored is not None
    assert list(stored.delivery_results) == ["ai"]
    assert stored.status == EventStatus.DELIVERED


async def test_message_waiting_for_the_lock_when_the_room_closes_is_refused(
    setup: Any,
) -> None:
    kit, _, b = setup
    entered, release = asyncio.Event(), asyncio.Event()

    @kit.hook(HookTrigger.BEFORE_BROADCAST, name="hold_first")
    async def hold_first(event: RoomEvent, ctx: Any) -> None:
        if getattr(event.content, "body", "") == "first":
            entered.set()
            await release.wait()

    first = asyncio.create_task(kit.process_inbound(msg("first"), room_id="r1"))
    await asyncio.wait_for(entered.wait(), 10)
    resolver = kit.identity_resolver = MockIdentityResolver({})
    second = asyncio.create_task(kit.process_inbound(msg("second", sender="u2"), room_id="r1"))
    # u2's identity is resolved after the room check and right before the lock
    for _ in range(1_000):
        if any(m.sender_id == "u2" for m in resolver.calls):
            break
        await asyncio.sleep(0)
    else:
        pytest.fail("the second message never got past the room check")
    await kit.close_room("r1")
    release.set()
    assert (await asyncio.wait_for(first, 10)).accepted
    with pytest.raises(RoomClosedError, match="'r1'"):
        await asyncio.wait_for(second, 10)
    assert bodies(b) == ["first"]
    assert await kit.store.count_events("r1") == 1


async def test_injected_event_that_cannot_be_stored_is_reported_not_raised(setup: Any) -> None:
    kit, _, b = setup
    errors = collect_errors(kit)

    @kit.hook(HookTrigger.BEFORE_BROADCAST, name="inject_itself")
    async def inject_itself(event: RoomEvent, ctx: Any) -> HookResult:
        return HookResult.allow(injected_events=[event])  # already stored by then

    result = await kit.process_inbound(msg(), room_id="r1")
    await kit.drain()
    assert result.accepted
    assert bodies(b) == ["hello"]
    assert [(e["stage"], e["error_type"]) for e in errors] == [("injected_event", "StoreError")]
    assert await kit.store.count_events("r1") == 1


class CopyingStore(InMemoryStore):
    """The in-memory store, handing out copies of rooms like a persistent store would."""

    async def get_room(self, room_id: str) -> Any:
        room = await super().get_room(room_id)
        return None if room is None else room.model_copy()

    async def get_room_snapshot(self, room_id: str, *, recent: int = 20) -> Any:
        snapshot = await super().get_room_snapshot(room_id, recent=recent)
        if snapshot is None:
            return None
        return snapshot.model_copy(update={"room": snapshot.room.model_copy()})


async def test_close_seen_under_the_lock_when_the_store_returns_copies() -> None:
    kit = RoomKit(store=CopyingStore())
    b = Sink("b")
    kit.register_channel(Sink("a"))
    kit.register_channel(b)
    await kit.create_room(room_id="r1")
    await kit.attach_channel("r1", "a")
    await kit.attach_channel("r1", "b")
    entered, release = asyncio.Event(), asyncio.Event()

    @kit.hook(HookTrigger.BEFORE_BROADCAST, name="hold_first")
    async def hold_first(event: RoomEvent, ctx: Any) -> None:
        if getattr(event.content, "body", "") == "first":
            entered.set()
            await release.wait()

    first = asyncio.create_task(kit.process_inbound(msg("first"), room_id="r1"))
    await asyncio.wait_for(entered.wait(), 10)
    resolver = kit.identity_resolver = MockIdentityResolver({})
    second = asyncio.create_task(kit.process_inbound(msg("second", sender="u2"), room_id="r1"))
    for _ in range(1_000):
        if any(m.sender_id == "u2" for m in resolver.calls):
            break
        await asyncio.sleep(0)
    else:
        pytest.fail("the second message never got past the room check")
    await kit.close_room("r1")
    release.set()
    assert (await asyncio.wait_for(first, 10)).accepted
    with pytest.raises(RoomClosedError, match="'r1'"):
        await asyncio.wait_for(second, 10)
    assert bodies(b) == ["first"]
    assert await kit.store.count_events("r1") == 1
    await kit.close()


class FlakySink(Sink):
    """A transport whose first ``failures`` sends raise ConnectionError."""

    def __init__(self, channel_id: str, failures: int) -> None:
        super().__init__(channel_id)
        self.failures = failures

    async def send(
        self, event: RoomEvent, binding: ChannelBinding, context: RoomContext
    ) -> str | None:
        if self.failures > 0:
            self.failures -= 1
            raise ConnectionError("try again")
        return await super().send(event, binding, context)


@pytest.mark.parametrize(
    ("failures", "status"),
    [(1, EventStatus.DELIVERED), (5, EventStatus.FAILED)],
    ids=["retry-succeeds", "retries-fail"],
)
async def test_failing_ai_and_a_retried_transport_decide_the_status_together(
    failures: int, status: EventStatus
) -> None:
    kit = RoomKit()
    flaky = FlakySink("f", failures)
    kit.register_channel(Sink("a"))
    kit.register_channel(flaky)
    kit.register_channel(FailingAI("ai"))
    await kit.create_room(room_id="r1")
    await kit.attach_channel("r1", "a")
    await kit.attach_channel(
        "r1", "f", retry_policy=RetryPolicy(max_retries=1, base_delay_seconds=0)
    )
    await kit.attach_channel("r1", "ai")
    result = await kit.process_inbound(msg(), room_id="r1")
    await kit.drain()
    stored = await kit.get_event(result.event.id)
    assert stored is not None
    assert stored.status == status
    assert "ai" in stored.delivery_results
    assert bodies(flaky) == (["hello"] if status == EventStatus.DELIVERED else [])
    await kit.close()


async def test_failing_ai_alone_marks_the_event_failed(setup: Any) -> None:
    kit, _, _ = setup
    await kit.detach_channel("r1", "b")
    kit.register_channel(FailingAI("ai"))
    await kit.attach_channel("r1", "ai")
    result = await kit.process_inbound(msg(), room_id="r1")
    stored = await kit.get_event(result.event.id)
    assert stored is not None
    assert stored.status == EventStatus.FAILED


async def test_wrong_output_failure_names_the_channel_and_the_type(setup: Any) -> None:
    kit, _, _ = setup
    kit.register_channel(WrongOutputChannel("odd"))
    await kit.attach_channel("r1", "odd")
    result = await kit.process_inbound(msg(), room_id="r1")
    stored = await kit.get_event(result.event.id)
    assert stored is not None
    error = stored.delivery_results["odd"].error or ""
    assert "DeliveryError" in error
    assert "'odd'" in error
    assert "str" in error


async def test_a_paused_room_wakes_up_on_a_message(setup: Any) -> None:
    kit, _, b = setup
    await kit.pause_room("r1")
    result = await kit.process_inbound(msg(), room_id="r1")
    assert result.accepted
    assert (await kit.get_room("r1")).status.value == "active"
    assert bodies(b) == ["hello"]
