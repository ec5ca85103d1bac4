"""A provider that says a message's root span records nothing below it
(``TelemetryProvider.is_recording``) gets no step span for that message, and the decision is
per message."""

from __future__ import annotations

from roomkit import (
    HookExecution,
    HookTrigger,
    InboundMessage,
    RoomKit,
    TextContent,
    WebSocketChannel,
)
from roomkit.telemetry import MockTelemetryProvider, SpanKind
from roomkit.telemetry.spans import Attr
from roomkit.telemetry.tracer import Tracer


class RootSampled(MockTelemetryProvider):
    """Records every other message's steps: its roots decide, in turn."""

    def __init__(self) -> None:
        super().__init__()
        self.roots = 0
        self.keep: dict[str, bool] = {}

    def start_span(self, kind: SpanKind | str, name: str | None = None, **options: object) -> str:
        span_id = super().start_span(kind, name, **options)  # type: ignore[arg-type]
        if kind is SpanKind.INBOUND_PIPELINE:
            self.keep[span_id] = self.roots % 2 == 1
            self.roots += 1
        return span_id

    def is_recording(self, span_id: str) -> bool:
        return self.keep.get(span_id, True)


async def _four_messages(provider: RootSampled) -> None:
    """Four messages from ``ws`` to ``other`` in room r1, with one async hook, traced by
    ``provider`` (which keeps every second root)."""
    kit = RoomKit(telemetry=provider)
    for channel_id in ("ws", "other"):
        kit.register_channel(WebSocketChannel(channel_id))
    await kit.create_room("r1")
    await kit.attach_channel("r1", "ws")
    await kit.attach_channel("r1", "other")

    @kit.hook(HookTrigger.AFTER_BROADCAST, execution=HookExecution.ASYNC, name="audit")
    async def audit(event: object, ctx: object) -> None:
        return None

    for i in range(4):
        message = InboundMessage(channel_id="ws", sender_id="u1", content=TextContent(body=f"{i}"))
        await kit.process_inbound(message, room_id="r1")
    await kit.close()


async def test_steps_follow_the_root_decision_per_message() -> None:
    provider = RootSampled()
    await _four_messages(provider)
    roots = provider.get_spans(SpanKind.INBOUND_PIPELINE)
    assert len(roots) == 4
    for root in roots:
        children = provider.get_children(root)
        if provider.keep[root.id]:
            assert SpanKind.BROADCAST in {c.kind for c in children}
        else:
            assert children == []
    assert len(provider.get_spans(SpanKind.BROADCAST)) == 2
    assert len(provider.get_spans(SpanKind.HOOK_ASYNC)) == 2  # async hook tasks follow it too
    assert len(provider.get_spans(SpanKind.DELIVERY)) == 2


def test_default_providers_are_not_asked() -> None:
    tracer = Tracer(MockTelemetryProvider())
    assert tracer.sample() is None  # nothing to undo: every message records its steps
    assert tracer.records(SpanKind.DELIVERY)


class KindsBelowDropped(RootSampled):
    """Below a dropped root, only deliveries and async hook runs are recorded."""

    def recorded_kinds(self, span_id: str) -> frozenset[SpanKind] | None:
        if self.keep.get(span_id, True):
            return None
        return frozenset({SpanKind.DELIVERY, SpanKind.HOOK_ASYNC})


async def test_a_dropped_root_may_keep_some_kinds_below_it() -> None:
    provider = KindsBelowDropped()
    await _four_messages(provider)
    assert len(provider.get_spans(SpanKind.INBOUND_PIPELINE)) == 4
    assert len(provider.get_spans(SpanKind.BROADCAST)) == 2  # the kept messages only
    assert len(provider.get_spans(SpanKind.CUSTOM, name="roomkit.route")) == 2
    assert len(provider.get_spans(SpanKind.DELIVERY)) == 4  # every message: the kinds kept
    assert len(provider.get_spans(SpanKind.HOOK_ASYNC)) == 4


def test_the_default_recorded_kinds_follow_is_recording() -> None:
    provider = RootSampled()
    root = provider.start_span(SpanKind.INBOUND_PIPELINE, "roomkit.inbound")  # dropped (1st)
    kept = provider.start_span(SpanKind.INBOUND_PIPELINE, "roomkit.inbound")
    assert provider.recorded_kinds(root) == frozenset()
    assert provider.recorded_kinds(kept) is None
    provider.end_span(kept)
    provider.end_span(root)


class OwnRoots(KindsBelowDropped):
    """Starts its roots in one call (``start_root``) and counts the calls."""

    def __init__(self) -> None:
        super().__init__()
        self.root_calls = 0

    def start_root(
        self, attributes: dict[str, object] | None, channel_id: str | None
    ) -> tuple[str, frozenset[SpanKind] | None]:
        self.root_calls += 1
        span = self.start_span(
            SpanKind.INBOUND_PIPELINE,
            "roomkit.inbound",
            attributes=attributes,  # type: ignore[arg-type]
            channel_id=channel_id,
        )
        return span, self.recorded_kinds(span)


async def test_a_provider_own_start_root_decides_the_message() -> None:
    provider = OwnRoots()
    await _four_messages(provider)
    assert provider.root_calls == 4  # every root through the one call
    roots = provider.get_spans(SpanKind.INBOUND_PIPELINE)
    assert [r.attributes.get(Attr.CHANNEL_ID) for r in roots] == ["ws"] * 4
    assert len(provider.get_spans(SpanKind.BROADCAST)) == 2  # the kept messages only
    assert len(provider.get_spans(SpanKind.DELIVERY)) == 4  # the kinds kept below every root


def test_the_default_start_root_is_start_span_and_recorded_kinds() -> None:
    provider = RootSampled()
    dropped, below = provider.start_root({Attr.CHANNEL_ID: "ws"}, "ws")
    kept, everything = provider.start_root(None, "ws")
    assert below == frozenset()
    assert everything is None
    provider.end_span(kept)
    provider.end_span(dropped)
    spans = {s.id: s for s in provider.get_spans(SpanKind.INBOUND_PIPELINE)}
    assert spans[dropped].attributes[Attr.CHANNEL_ID] == "ws"
    assert spans[dropped].channel_id == "ws"
    assert Tracer(provider)._start_root is None  # not overridden: the tracer's own two calls
    assert Tracer(OwnRoots())._start_root is not None
