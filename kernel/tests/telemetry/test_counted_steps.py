"""Steps a provider only counts (``TelemetryProvider.counted_kinds``) in messages whose root is
not traced: the engine counts them through ``step_counter``, with no span call, and the counts
stay exact; traced messages keep their spans; providers without the hooks are unchanged."""

from __future__ import annotations

from typing import Any

from roomkit import (
    HookExecution,
    HookResult,
    HookTrigger,
    InboundMessage,
    RoomKit,
    TextContent,
    WebSocketChannel,
)
from roomkit.telemetry import Attributes, MockTelemetryProvider, SpanKind, StepCount
from roomkit.telemetry.metrics import METRIC_ATTRIBUTES
from roomkit.telemetry.tracer import Tracer

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
