"""A message whose trace is dropped counts its steps without spans (the engine ends each
hook run and delivery with one count, and the root with one call): every counter must read
exactly what the same messages give when each one is traced, whatever their outcome
(processed, blocked by a hook, a failed delivery, a hook that raised, a hook action)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from opentelemetry.sdk.trace.sampling import ALWAYS_OFF, ALWAYS_ON, ParentBased
from roomkit_opentelemetry.testing import InMemoryOpenTelemetry

from roomkit import (
    HookExecution,
    HookResult,
    HookTrigger,
    InboundMessage,
    RoomKit,
    TextContent,
    WebSocketChannel,
)
from roomkit.errors import RoomNotFoundError
from roomkit.telemetry import Metric

COUNTERS = (
    Metric.MESSAGES,
    Metric.DELIVERIES,
    Metric.HOOK_CALLS,
    Metric.HOOK_FAILURES,
    Metric.ERRORS,
)


@pytest.fixture
def made() -> Iterator[list[InMemoryOpenTelemetry]]:
    setups: list[InMemoryOpenTelemetry] = []
    yield setups
    for setup in setups:
        setup.shutdown()


async def _workload(otel: InMemoryOpenTelemetry) -> None:
    """Fourteen messages: ``block`` ones blocked by a hook, ``fail`` ones with a failing
    delivery, ``raise`` ones with a sync hook that raises, two for a room that does not
    exist (they raise), the others processed."""
    kit = RoomKit(telemetry=otel.provider)
    broken: set[str] = set()

    async def send(conn: str, event: object) -> None:
        if conn in broken:
            raise ConnectionError("socket closed")

    for channel_id in ("ws-user", "ws-other", "ws-third"):
        kit.register_channel(WebSocketChannel(channel_id))
        await kit.connect_websocket(channel_id, f"{channel_id}-conn", send)
    await kit.create_room(room_id="r1")
    for channel_id in ("ws-user", "ws-other", "ws-third"):
        await kit.attach_channel("r1", channel_id)

    def body(event: Any) -> str:
        return str(event.content.body)

    @kit.hook(HookTrigger.BEFORE_BROADCAST, name="guard")
    async def guard(event: Any, ctx: object) -> HookResult:
        if body(event).startswith("block"):
            return HookResult.block("not here")
        return HookResult.allow()

    @kit.hook(HookTrigger.BEFORE_BROADCAST, name="picky", priority=1)
    async def picky(event: Any, ctx: object) -> None:
        if body(event).startswith("raise"):
            raise LookupError("no such thing")

    @kit.hook(HookTrigger.AFTER_BROADCAST, execution=HookExecution.ASYNC, name="audit")
    async def audit(event: Any, ctx: object) -> None:
        if body(event).endswith("3"):
            raise ValueError("audit down")

    @kit.hook(HookTrigger.AFTER_BROADCAST, execution=HookExecution.ASYNC, name="guard")
    async def guard_after(event: Any, ctx: object) -> HookResult:
        return HookResult.allow()  # the name of a sync hook: counted apart, by trigger

    bodies = ["hi0", "block1", "fail2", "hi3", "raise4", "hi5", "fail6", "block7", "hi8"]
    bodies += ["raise9", "hi10", "hi13"]
    for text in bodies:
        broken.clear()
        if text.startswith("fail"):
            broken.add("ws-third-conn")
        message = InboundMessage(
            channel_id="ws-user", sender_id="u1", content=TextContent(body=text)
        )
        await kit.process_inbound(message, room_id="r1")
    for _ in range(2):  # messages that fail: counted with their error
        lost = InboundMessage(channel_id="ws-user", sender_id="u1", content=TextContent(body="?"))
        with pytest.raises(RoomNotFoundError):
            await kit.process_inbound(lost, room_id="no-such-room")
    await kit.close()  # background hook tasks done


def _counters(otel: InMemoryOpenTelemetry) -> dict[tuple[str, frozenset[Any]], float]:
    found: dict[tuple[str, frozenset[Any]], float] = {}
    for name in COUNTERS:
        for point in otel.metric_points(name):
            key = (name, frozenset((point.attributes or {}).items()))
            found[key] = found.get(key, 0) + point.value  # type: ignore[union-attr]
    return {key: value for key, value in found.items() if value}


@pytest.mark.parametrize(
    "options",
    [
        {"step_metrics": "counts", "detail": "compact", "latency_histograms": "traced"},
        {"step_metrics": "counts"},
        {"step_metrics": "all", "latency_histograms": "traced"},
        {},
    ],
)
async def test_dropped_messages_count_what_traced_ones_do(
    made: list[InMemoryOpenTelemetry], options: dict[str, Any]
) -> None:
    traced = InMemoryOpenTelemetry.create(sampler=ALWAYS_ON, **options)
    dropped = InMemoryOpenTelemetry.create(sampler=ParentBased(ALWAYS_OFF), **options)
    made += [traced, dropped]
    await _workload(traced)
    await _workload(dropped)
    assert dropped.finished_spans() == []
    assert len([s for s in traced.finished_spans() if s.name == "roomkit.inbound"]) == 14
    expected = _counters(traced)
    assert _counters(dropped) == expected
    # the workload reached every kind of outcome
    assert traced.metric_total(Metric.MESSAGES) == 14
    failed = {"inbound.outcome": "failed", "error.type": "RoomNotFoundError", "status": "error"}
    assert traced.metric_total(Metric.MESSAGES, **failed) == 2
    assert traced.metric_total(Metric.MESSAGES, **{"inbound.outcome": "blocked"}) == 2
    assert traced.metric_total(Metric.DELIVERIES, status="error") == 2
    assert traced.metric_total(Metric.HOOK_FAILURES, **{"hook.name": "picky"}) == 2
    assert traced.metric_total(Metric.HOOK_FAILURES, **{"hook.name": "audit"}) == 2
    assert traced.metric_total(Metric.HOOK_CALLS, **{"hook.result": "block"}) == 2
    for otel in (traced, dropped):  # one hook name, two triggers: two series
        calls = {
            trigger: otel.metric_total(
                Metric.HOOK_CALLS, **{"hook.name": "guard", "hook.trigger": trigger}
            )
            for trigger in ("before_broadcast", "after_broadcast")
        }
        assert calls == {"before_broadcast": 12, "after_broadcast": 10}
