"""Steps a provider only counts (``TelemetryProvider.counted_kinds``) in messages whose root is
not traced: the engine counts them through ``step_counter``, with no span call, and the counts
stay exact; traced messages keep their spans; providers without the hooks are unchanged."""

from __future__ import annotations

from typing import Any

import pytest

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
from roomkit.telemetry import (
    Attributes,
    MockTelemetryProvider,
    SpanKind,
    StepCount,
    TelemetryConfig,
)
from roomkit.telemetry.base import COUNTED_ROOT
from roomkit.telemetry.metrics import METRIC_ATTRIBUTES
from roomkit.telemetry.tracer import Tracer, message_kinds

_COUNTED = frozenset({SpanKind.DELIVERY, SpanKind.HOOK_SYNC, SpanKind.HOOK_ASYNC})


class Counts(MockTelemetryProvider):
    """Traces every other message; below a dropped root, deliveries and hook runs are
    counted by label set (``counts``)."""

    counted_kinds = _COUNTED

    def __init__(self, *, counting: bool = True) -> None:
        super().__init__()
        self.counting = counting
        self.roots = 0
        self.keep: dict[str, bool] = {}
        self.asked = 0
        self.cells: dict[tuple[Any, ...], StepCount] = {}

    @property
    def counts(self) -> dict[tuple[Any, ...], float]:
        return {key: cell.value for key, cell in self.cells.items()}

    def start_span(self, kind: SpanKind | str, name: str | None = None, **options: Any) -> str:
        span_id = super().start_span(kind, name, **options)
        if kind is SpanKind.INBOUND_PIPELINE:
            self.keep[span_id] = self.roots % 2 == 1
            self.roots += 1
        return span_id

    def recorded_kinds(self, span_id: str) -> frozenset[SpanKind] | None:
        return None if self.keep.get(span_id, True) else _COUNTED

    def step_counter(
        self, kind: SpanKind, attributes: Attributes, channel_id: str | None, status: str
    ) -> StepCount | None:
        self.asked += 1
        if not self.counting:
            return None
        labels = tuple(sorted((k, v) for k, v in attributes.items() if k in METRIC_ATTRIBUTES))
        return self.cells.setdefault((kind, channel_id, status, labels), StepCount())


async def _messages(provider: Counts, n: int) -> None:
    kit = RoomKit(telemetry=provider)
    for channel_id in ("ws", "other"):
        kit.register_channel(WebSocketChannel(channel_id))
    await kit.create_room("r1")
    await kit.attach_channel("r1", "ws")
    await kit.attach_channel("r1", "other")

    @kit.hook(HookTrigger.BEFORE_BROADCAST, name="guard")
    async def guard(event: object, ctx: object) -> HookResult:
        return HookResult.allow()

    @kit.hook(HookTrigger.AFTER_BROADCAST, execution=HookExecution.ASYNC, name="audit")
    async def audit(event: object, ctx: object) -> None:
        raise ValueError("audit down")

    for i in range(n):
        message = InboundMessage(channel_id="ws", sender_id="u1", content=TextContent(body=f"{i}"))
        await kit.process_inbound(message, room_id="r1")
    await kit.close()


async def test_untraced_steps_are_counted_exactly_without_spans() -> None:
    provider = Counts()
    await _messages(provider, 6)
    assert len(provider.get_spans(SpanKind.INBOUND_PIPELINE)) == 6  # every root is a span
    # the traced half keeps its step spans; the dropped half has none
    assert len(provider.get_spans(SpanKind.DELIVERY)) == 3
    assert len(provider.get_spans(SpanKind.HOOK_SYNC)) == 3
    assert len(provider.get_spans(SpanKind.HOOK_ASYNC)) == 3
    sync = ("hook.name", "guard"), ("hook.result", "allow"), ("hook.trigger", "before_broadcast")
    failed = (
        ("error.type", "ValueError"),
        ("hook.name", "audit"),
        ("hook.result", "error"),
        ("hook.trigger", "after_broadcast"),
    )
    delivered = (
        ("channel_id", "other"),
        ("delivery.channel_type", "websocket"),
        ("delivery.status", "sent"),
    )
    assert provider.counts == {
        (SpanKind.HOOK_SYNC, None, "ok", sync): 3,
        (SpanKind.HOOK_ASYNC, None, "error", failed): 3,
        (SpanKind.DELIVERY, "other", "ok", delivered): 3,
    }
    assert provider.asked == 3  # once per label set (and thread), not per step


async def test_without_a_counting_function_steps_are_spans() -> None:
    provider = Counts(counting=False)
    await _messages(provider, 4)
    assert provider.counts == {}
    assert len(provider.get_spans(SpanKind.DELIVERY)) == 4  # every message: as spans
    assert len(provider.get_spans(SpanKind.HOOK_SYNC)) == 4
    (failed, *_) = provider.get_spans(SpanKind.HOOK_ASYNC)
    assert failed.status == "error"


def test_providers_without_counted_kinds_are_not_asked() -> None:
    tracer = Tracer(MockTelemetryProvider())
    span = tracer.start(SpanKind.DELIVERY, "roomkit.delivery", {"channel_id": "c"})
    assert span
    tracer.end(span)
    (recorded,) = tracer.provider.spans  # type: ignore[attr-defined]
    assert recorded.kind is SpanKind.DELIVERY


class CountedRoots(Counts):
    """Drops every message's trace and lets the engine count it (``COUNTED_ROOT``)."""

    def __init__(self) -> None:
        super().__init__()
        self.kinds_in_hooks: list[frozenset[SpanKind] | None] = []

    def start_root(
        self, attributes: Attributes | None, channel_id: str | None
    ) -> tuple[str, frozenset[SpanKind] | None]:
        self.roots += 1
        return COUNTED_ROOT, _COUNTED


async def test_a_counted_root_is_counted_by_the_engine_with_its_outcome() -> None:
    provider = CountedRoots()
    kit = RoomKit(telemetry=provider)
    for channel_id in ("ws", "other"):
        kit.register_channel(WebSocketChannel(channel_id))
    await kit.create_room("r1")
    await kit.attach_channel("r1", "ws")
    await kit.attach_channel("r1", "other")

    @kit.hook(HookTrigger.BEFORE_BROADCAST, name="guard")
    async def guard(event: Any, ctx: object) -> HookResult:
        provider.kinds_in_hooks.append(message_kinds())
        if event.content.body.startswith("no"):
            return HookResult.block("not here")
        return HookResult.allow()

    for body in ("a", "no", "b", "c"):
        message = InboundMessage(channel_id="ws", sender_id="u1", content=TextContent(body=body))
        await kit.process_inbound(message, room_id="r1")
    lost = InboundMessage(channel_id="ws", sender_id="u1", content=TextContent(body="?"))
    with pytest.raises(RoomNotFoundError):
        await kit.process_inbound(lost, room_id="nowhere")
    await kit.close()

    assert provider.roots == 5
    assert provider.spans == []  # not one span: roots, hook runs and deliveries are counts
    assert provider.kinds_in_hooks == [_COUNTED] * 4  # what the message records, in its hooks
    assert message_kinds() is None  # and nothing once it is done
    ws = (("channel_id", "ws"),)
    assert (
        provider.counts[
            (SpanKind.INBOUND_PIPELINE, "ws", "ok", (*ws, ("inbound.outcome", "processed")))
        ]
        == 3
    )
    assert (
        provider.counts[
            (SpanKind.INBOUND_PIPELINE, "ws", "ok", (*ws, ("inbound.outcome", "blocked")))
        ]
        == 1
    )
    failed = (("error.type", "RoomNotFoundError"), ("inbound.outcome", "failed"))
    assert provider.counts[(SpanKind.INBOUND_PIPELINE, "ws", "error", (*ws, *failed))] == 1
    # asked once per label set: 3 for the roots, 2 for the hook runs, 1 for the delivery
    assert provider.asked == 6


async def test_suppressed_and_disabled_kinds_are_not_counted() -> None:
    provider = Counts()
    config = TelemetryConfig(
        provider=provider,
        suppressed_hook_triggers=[HookTrigger.BEFORE_BROADCAST],
        enabled_spans=[SpanKind.INBOUND_PIPELINE, SpanKind.HOOK_ASYNC],
    )
    kit = RoomKit(telemetry=config)
    for channel_id in ("ws", "other"):
        kit.register_channel(WebSocketChannel(channel_id))
    await kit.create_room("r1")
    await kit.attach_channel("r1", "ws")
    await kit.attach_channel("r1", "other")

    @kit.hook(HookTrigger.BEFORE_BROADCAST, name="guard")
    async def guard(event: object, ctx: object) -> HookResult:
        return HookResult.allow()

    @kit.hook(HookTrigger.AFTER_BROADCAST, execution=HookExecution.ASYNC, name="audit")
    async def audit(event: object, ctx: object) -> None:
        return None

    for i in range(4):
        message = InboundMessage(channel_id="ws", sender_id="u1", content=TextContent(body=f"{i}"))
        await kit.process_inbound(message, room_id="r1")
    await kit.close()
    # the dropped half counts its async hook runs only (deliveries disabled, guard suppressed)
    audit_ok = (
        ("hook.name", "audit"),
        ("hook.result", "none"),
        ("hook.trigger", "after_broadcast"),
    )
    assert provider.counts == {(SpanKind.HOOK_ASYNC, None, "ok", audit_ok): 2}
    assert len(provider.get_spans(SpanKind.HOOK_ASYNC)) == 2  # the traced half
    assert provider.get_spans(SpanKind.HOOK_SYNC) == []
    assert provider.get_spans(SpanKind.DELIVERY) == []
