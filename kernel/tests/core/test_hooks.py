"""The hook engine: ordering, verdicts, filters, timeouts, error isolation, async tasks."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from roomkit import (
    ChannelDirection,
    ChannelType,
    EventSource,
    EventStatus,
    HookEngine,
    HookExecution,
    HookResult,
    HookTrigger,
    InboundMessage,
    Observation,
    RoomEvent,
    RoomKit,
    SyncOutcome,
    Task,
    TextContent,
)


def msg(body: str = "hello", channel: str = "a") -> InboundMessage:
    return InboundMessage(channel_id=channel, sender_id="u1", content=TextContent(body=body))


async def test_sync_hooks_run_in_priority_then_registration_order(room_kit: Any) -> None:
    kit, _, _ = room_kit
    order: list[str] = []
    for name, priority in (("late", 10), ("first", -1), ("second", 0), ("third", 0)):

        async def hook(event: Any, ctx: Any, name: str = name) -> HookResult:
            order.append(name)
            return HookResult.allow()

        kit.add_hook(HookTrigger.BEFORE_BROADCAST, hook, name=name, priority=priority)
    await kit.process_inbound(msg())
    assert order == ["first", "second", "third", "late"]


async def test_block_stores_the_event_as_blocked_and_stops_delivery(room_kit: Any) -> None:
    kit, _, b = room_kit
    after: list[str] = []

    @kit.hook(HookTrigger.BEFORE_BROADCAST, name="compliance")
    async def compliance(event: RoomEvent, ctx: Any) -> HookResult:
        if "card" in event.content.body:
            return HookResult.block("no card numbers")
        return HookResult.allow()

    @kit.hook(HookTrigger.BEFORE_BROADCAST, name="never", priority=5)
    async def never(event: RoomEvent, ctx: Any) -> None:
        after.append(event.content.body)

    result = await kit.process_inbound(msg("my card is 4242"))
    assert result.blocked
    assert result.reason == "no card numbers"
    assert result.event.status == EventStatus.BLOCKED
    assert result.event.blocked_by == "compliance"
    assert b.sent == []
    assert after == []
    stored = await kit.store.get_event(result.event.id)
    assert stored is not None
    assert stored.status == EventStatus.BLOCKED


async def test_modify_replaces_the_event(room_kit: Any) -> None:
    kit, _, b = room_kit

    @kit.hook(HookTrigger.BEFORE_BROADCAST)
    async def redact(event: RoomEvent, ctx: Any) -> HookResult:
        return HookResult.modify(event.model_copy(update={"content": TextContent(body="[x]")}))

    result = await kit.process_inbound(msg("secret"))
    assert b.bodies == ["[x]"]
    assert result.event.content.body == "[x]"


async def test_injected_events_tasks_and_observations(room_kit: Any) -> None:
    kit, _, b = room_kit
    created: list[str] = []
    observed: list[str] = []

    @kit.hook(HookTrigger.BEFORE_BROADCAST)
    async def side_effects(event: RoomEvent, ctx: Any) -> HookResult:
        notice = RoomEvent(
            room_id=event.room_id,
            source=EventSource(channel_id="system", channel_type=ChannelType.SYSTEM),
            content=TextContent(body="a notice"),
        )
        return HookResult.allow(
            injected_events=[notice],
            tasks=[Task(room_id=event.room_id, title="call back")],
            observations=[Observation(room_id=event.room_id, type="sentiment")],
        )

    @kit.hook(HookTrigger.ON_TASK_CREATED)
    async def on_task(event: Any, ctx: Any) -> None:
        created.append(ctx.metadata["task"].title)

    @kit.hook(HookTrigger.ON_OBSERVATION)
    async def on_obs(event: Any, ctx: Any) -> None:
        observed.append(ctx.metadata["observation"].type)

    result = await kit.process_inbound(msg("hi"))
    await kit.drain()
    assert b.bodies == ["hi", "a notice"]
    assert [r.content.body for r in result.responses] == ["a notice"]
    assert [e.index for e in await kit.get_timeline("r1")] == [0, 1]
    assert [t.title for t in await kit.store.list_tasks("r1")] == ["call back"]
    assert len(await kit.store.list_observations("r1")) == 1
    assert created == ["call back"]
    assert observed == ["sentiment"]


async def test_raising_hook_is_reported_and_the_room_keeps_working(room_kit: Any) -> None:
    kit, _, b = room_kit
    errors: list[dict[str, Any]] = []

    @kit.hook(HookTrigger.BEFORE_BROADCAST, name="broken")
    async def broken(event: Any, ctx: Any) -> None:
        raise RuntimeError("boom")

    @kit.hook(HookTrigger.ON_ERROR)
    async def on_error(event: Any, ctx: Any) -> None:
        errors.append(dict(ctx.metadata))
        raise ValueError("the error hook fails too")  # must not recurse

    result = await kit.process_inbound(msg())
    await kit.drain()
    assert result.accepted
    assert b.bodies == ["hello"]
    assert len(errors) == 1
    assert errors[0]["stage"] == "hook"
    assert errors[0]["details"]["hook"] == "broken"
    assert errors[0]["error_type"] == "RuntimeError"


async def test_hanging_hook_times_out(room_kit: Any) -> None:
    kit, _, b = room_kit
    errors: list[str] = []

    @kit.hook(HookTrigger.BEFORE_BROADCAST, name="slow", timeout=0.05)
    async def slow(event: Any, ctx: Any) -> HookResult:
        await asyncio.sleep(10)
        return HookResult.block("too late")

    @kit.hook(HookTrigger.ON_ERROR)
    async def on_error(event: Any, ctx: Any) -> None:
        errors.append(ctx.metadata["error_type"])

    result = await asyncio.wait_for(kit.process_inbound(msg()), 2)
    await kit.drain()
    assert result.accepted
    assert b.bodies == ["hello"]
    assert errors == ["HookTimeoutError"]
    # the timeout left no cancellation behind: the next message flows too
    await kit.process_inbound(msg("again"))
    assert b.bodies == ["hello", "again"]


async def test_a_timed_out_hook_leaves_the_next_hooks_their_own_deadline(room_kit: Any) -> None:
    kit, _, b = room_kit
    errors: list[str] = []
    ran: list[str] = []

    @kit.hook(HookTrigger.BEFORE_BROADCAST, name="hangs", timeout=0.05)
    async def hangs(event: Any, ctx: Any) -> HookResult:
        await asyncio.sleep(10)
        return HookResult.block("too late")

    @kit.hook(HookTrigger.BEFORE_BROADCAST, name="waits", priority=1, timeout=1)
    async def waits(event: Any, ctx: Any) -> HookResult:
        await asyncio.sleep(0.1)  # longer than the first hook's timeout, within its own
        ran.append("waits")
        return HookResult.block("checked")

    @kit.hook(HookTrigger.AFTER_BROADCAST, name="async-hangs", timeout=0.05)
    async def async_hangs(event: Any, ctx: Any) -> None:
        await asyncio.sleep(10)

    @kit.hook(HookTrigger.AFTER_BROADCAST, name="async-waits", priority=1, timeout=1)
    async def async_waits(event: Any, ctx: Any) -> None:
        await asyncio.sleep(0.1)
        ran.append("async-waits")

    @kit.hook(HookTrigger.ON_ERROR)
    async def on_error(event: Any, ctx: Any) -> None:
        errors.append(f"{ctx.metadata['details']['hook']}: {ctx.metadata['error_type']}")

    result = await asyncio.wait_for(kit.process_inbound(msg()), 2)
    assert result.blocked
    assert result.reason == "checked"
    assert b.bodies == []
    kit.remove_hook("waits")  # the next message is delivered, and fires the async hooks
    result = await asyncio.wait_for(kit.process_inbound(msg("again")), 2)
    await asyncio.wait_for(kit.drain(), 2)
    assert result.accepted
    assert b.bodies == ["again"]
    assert ran == ["waits", "async-waits"]
    assert sorted(errors) == [
        "async-hangs: HookTimeoutError",
        "hangs: HookTimeoutError",
        "hangs: HookTimeoutError",
    ]
    assert kit.hooks.watchdog.active == 0


async def test_default_hook_timeout_applies(kit: RoomKit) -> None:
    engine = HookEngine(default_timeout=0.05)
    reg = engine.add(HookTrigger.BEFORE_BROADCAST, _sleeper, name="sleeper")
    assert reg.execution == HookExecution.SYNC
    ctx = await _ctx(kit)
    outcome = await engine.run_sync(HookTrigger.BEFORE_BROADCAST, _event(), ctx)
    assert not outcome.blocked


async def test_an_outcome_holds_every_field_of_a_sync_outcome(kit: RoomKit) -> None:
    # run_sync builds its outcome field by field (no dataclass __init__): none may be missing
    engine = HookEngine()

    async def allow(event: Any, ctx: Any) -> HookResult:
        return HookResult.allow()

    ctx = await _ctx(kit)
    event = _event()
    assert await engine.run_sync(HookTrigger.BEFORE_BROADCAST, event, ctx) == SyncOutcome(event)
    engine.add(HookTrigger.BEFORE_BROADCAST, allow)
    outcome = await engine.run_sync(HookTrigger.BEFORE_BROADCAST, event, ctx)
    assert outcome == SyncOutcome(event)
    outcome.injected_events.append(event)  # fresh lists, not shared between outcomes
    again = await engine.run_sync(HookTrigger.BEFORE_BROADCAST, event, ctx)
    assert again.injected_events == []


async def _sleeper(event: Any, ctx: Any) -> HookResult:
    await asyncio.sleep(5)
    return HookResult.block("never")


async def _ctx(kit: RoomKit) -> Any:
    await kit.create_room(room_id="ctx-room")
    return await kit.build_context("ctx-room")


def _event(channel_type: ChannelType = ChannelType.SMS, direction: Any = None) -> RoomEvent:
    return RoomEvent(
        room_id="ctx-room",
        source=EventSource(
            channel_id="c1",
            channel_type=channel_type,
            direction=direction or ChannelDirection.INBOUND,
        ),
        content=TextContent(body="x"),
    )


async def test_filters_by_channel_type_id_and_direction(kit: RoomKit) -> None:
    engine = HookEngine()
    seen: list[str] = []

    def make(tag: str) -> Any:
        async def hook(event: Any, ctx: Any) -> None:
            seen.append(tag)

        return hook

    engine.add(HookTrigger.BEFORE_BROADCAST, make("sms"), channel_types={ChannelType.SMS})
    engine.add(HookTrigger.BEFORE_BROADCAST, make("email"), channel_types={ChannelType.EMAIL})
    engine.add(HookTrigger.BEFORE_BROADCAST, make("c1"), name="c1", channel_ids={"c1"})
    engine.add(
        HookTrigger.BEFORE_BROADCAST,
        make("out"),
        name="out",
        directions={ChannelDirection.OUTBOUND},
    )
    engine.add(HookTrigger.BEFORE_BROADCAST, make("any"), name="any")
    ctx = await _ctx(kit)
    await engine.run_sync(HookTrigger.BEFORE_BROADCAST, _event(), ctx)
    assert seen == ["sms", "c1", "any"]
    seen.clear()
    # a payload without a source only reaches unfiltered hooks
    await engine.run_sync(HookTrigger.BEFORE_BROADCAST, object(), ctx)
    assert seen == ["any"]


async def test_async_hooks_run_in_background_and_close_drains_them() -> None:
    kit = RoomKit()
    done: list[str] = []

    @kit.hook(HookTrigger.AFTER_BROADCAST)
    async def slow_log(event: RoomEvent, ctx: Any) -> None:
        await asyncio.sleep(0.05)
        done.append(event.content.body)

    from roomkit import WebSocketChannel

    kit.register_channel(WebSocketChannel("ws"))
    await kit.create_room(room_id="r")
    await kit.attach_channel("r", "ws")
    await kit.process_inbound(msg("x", channel="ws"))
    assert done == []
    assert kit.hooks.pending == 1
    await kit.close()
    assert done == ["x"]


async def test_remove_hook_and_replace_by_name(room_kit: Any) -> None:
    kit, _, _ = room_kit
    calls: list[str] = []

    async def v1(event: Any, ctx: Any) -> None:
        calls.append("v1")

    async def v2(event: Any, ctx: Any) -> None:
        calls.append("v2")

    kit.add_hook(HookTrigger.BEFORE_BROADCAST, v1, name="h")
    kit.add_hook(HookTrigger.BEFORE_BROADCAST, v2, name="h")  # replaces v1
    await kit.process_inbound(msg())
    assert calls == ["v2"]
    assert kit.remove_hook("h") is True
    assert kit.remove_hook("h") is False
    await kit.process_inbound(msg())
    assert calls == ["v2"]


async def test_lifecycle_hooks_fire_with_system_payloads(room_kit: Any, echo_factory: Any) -> None:
    kit, _, _ = room_kit
    seen: list[tuple[str, str]] = []
    for trigger in (
        HookTrigger.ON_ROOM_CREATED,
        HookTrigger.ON_ROOM_PAUSED,
        HookTrigger.ON_ROOM_CLOSED,
        HookTrigger.ON_CHANNEL_ATTACHED,
        HookTrigger.ON_CHANNEL_DETACHED,
        HookTrigger.ON_CHANNEL_MUTED,
        HookTrigger.ON_CHANNEL_UNMUTED,
    ):

        async def hook(event: RoomEvent, ctx: Any, t: HookTrigger = trigger) -> None:
            seen.append((t.value, event.source.channel_id))

        kit.add_hook(trigger, hook, name=trigger.value, execution=HookExecution.SYNC)
    kit.register_channel(echo_factory("bot"))
    await kit.create_room(room_id="life")
    await kit.attach_channel("life", "bot")
    await kit.mute("life", "bot")
    await kit.unmute("life", "bot")
    await kit.detach_channel("life", "bot")
    await kit.pause_room("life")
    await kit.close_room("life")
    assert seen == [
        ("on_room_created", "system"),
        ("on_channel_attached", "bot"),
        ("on_channel_muted", "bot"),
        ("on_channel_unmuted", "bot"),
        ("on_channel_detached", "bot"),
        ("on_room_paused", "system"),
        ("on_room_closed", "system"),
    ]


async def test_fire_hook_for_external_triggers(room_kit: Any) -> None:
    kit, _, _ = room_kit
    got: list[Any] = []

    @kit.hook(HookTrigger.ON_HANDOFF, execution=HookExecution.SYNC)
    async def on_handoff(payload: Any, ctx: Any) -> HookResult:
        got.append((payload, ctx.metadata.get("to")))
        return HookResult.block("not now")

    outcome = await kit.fire_hook(
        HookTrigger.ON_HANDOFF, {"from": "a"}, room_id="r1", metadata={"to": "b"}
    )
    assert outcome is not None
    assert outcome.blocked
    assert got == [({"from": "a"}, "b")]
    assert await kit.fire_hook(HookTrigger.ON_DTMF, room_id="r1") is None


async def test_hook_decorator_validates(kit: RoomKit) -> None:
    with pytest.raises(ValueError, match="positive"):
        kit.add_hook(HookTrigger.AFTER_BROADCAST, _sleeper, timeout=0)
    with pytest.raises(ValueError):
        kit.add_hook("not-a-trigger", _sleeper)  # type: ignore[arg-type]


async def test_running_async_hook_tasks_are_bounded(room_kit: Any) -> None:
    kit, _, _ = room_kit
    kit.hooks.soft_pending = 1
    kit.hooks.max_pending = 3
    seen: list[int] = []

    @kit.hook(HookTrigger.AFTER_BROADCAST)
    async def slow(event: Any, ctx: Any) -> None:
        seen.append(kit.hooks.pending)
        await asyncio.sleep(0.005)

    for i in range(20):
        await kit.process_inbound(msg(f"m{i}"))
        assert kit.hooks.pending <= 3
    await kit.drain()
    assert len(seen) == 20
    assert max(seen) <= 3


def _plain_event() -> RoomEvent:
    return RoomEvent(
        room_id="r",
        source=EventSource(channel_id="ws", channel_type=ChannelType.WEBSOCKET),
        content=TextContent(body="hi"),
    )


def test_checked_result_passes_plain_verdicts_through_untouched() -> None:
    from roomkit.core.hooks import checked_result

    allow, block = HookResult.allow(), HookResult.block("spam")
    assert checked_result(allow, "h") is allow
    assert checked_result(block, "h") is block
    event = _plain_event()
    checked = checked_result(HookResult.modify(event), "h")
    assert checked.event == event


@pytest.mark.parametrize(
    ("result", "problem"),
    [
        (lambda e: HookResult.modify(e.model_copy(update={"metadata": None})), "event is invalid"),
        (lambda e: HookResult.modify(e.model_copy(update={"chain_depth": -3})), "chain_depth"),
        (lambda e: HookResult.model_construct(action="modify", event="x"), "not a RoomEvent"),
        (
            lambda e: HookResult.allow(
                tasks=[Task(room_id="r", title="t").model_copy(update={"id": 5})]
            ),
            "task is invalid",
        ),
    ],
)
async def test_an_invalid_hook_result_is_reported_as_that_hooks_failure(
    result: Any, problem: str
) -> None:
    reported: list[tuple[str, BaseException]] = []

    async def on_error(reg: Any, payload: Any, ctx: Any, exc: BaseException) -> None:
        reported.append((reg.name, exc))

    engine = HookEngine(on_error=on_error)
    event = _plain_event()

    async def bad(payload: RoomEvent, ctx: Any) -> HookResult:
        return result(payload)  # type: ignore[no-any-return]

    async def later(payload: RoomEvent, ctx: Any) -> HookResult:
        return HookResult.modify(payload.model_copy(update={"metadata": {"later": True}}))

    engine.add(HookTrigger.BEFORE_BROADCAST, bad, priority=1)
    engine.add(HookTrigger.BEFORE_BROADCAST, later, priority=2)
    outcome = await engine.run_sync(HookTrigger.BEFORE_BROADCAST, event, ctx=None)  # type: ignore[arg-type]
    ((name, exc),) = reported
    assert name == "bad"
    assert type(exc).__name__ == "InvalidContentError"
    assert problem in str(exc)
    assert outcome.event.metadata == {"later": True}  # the next hooks still ran
    assert not outcome.tasks
