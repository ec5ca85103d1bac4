"""A real RoomKit (in-memory store) reporting to OpenTelemetry's in-memory exporters: the span
tree of one message (route, store, hooks, broadcast, deliveries, AI generations, tool calls),
attributes, derived metrics, failures, and webhook trace context joining the caller's trace."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import pytest
from opentelemetry.sdk.trace import ReadableSpan
from opentelemetry.trace import SpanKind as OtelSpanKind
from opentelemetry.trace import StatusCode
from roomkit_opentelemetry.testing import InMemoryOpenTelemetry

from roomkit import (
    AIChannel,
    AITool,
    ChannelCategory,
    HookExecution,
    HookResult,
    HookTrigger,
    InboundMessage,
    MockAIProvider,
    RoomKit,
    TelemetryConfig,
    TextContent,
    WebSocketChannel,
)
from roomkit.errors import RoomNotFoundError
from roomkit.store.memory import InMemoryStore
from roomkit.telemetry import Metric

CALLER_TRACE = "4bf92f3577b34da6a3ce929d0e0e4736"
CALLER_SPAN = "00f067aa0ba902b7"
WEBHOOK_HEADERS = {
    "Traceparent": f"00-{CALLER_TRACE}-{CALLER_SPAN}-01",
    "tracestate": "twilio=abc",
    "Content-Type": "application/x-www-form-urlencoded",
}


class Sockets:
    """WebSocket connections that record what they get; ``broken`` ones raise."""

    def __init__(self) -> None:
        self.received: dict[str, int] = {}
        self.broken: set[str] = set()

    def sender(self, connection_id: str) -> Any:
        async def send(conn: str, event: object) -> None:
            if conn in self.broken:
                raise ConnectionError("socket closed")
            self.received[conn] = self.received.get(conn, 0) + 1

        return send


@pytest.fixture
async def sockets() -> Sockets:
    return Sockets()


class TracedStore(InMemoryStore):
    """The in-memory store with a span per call, as a networked store has."""

    traced_calls = True


@pytest.fixture
async def kit(otel: InMemoryOpenTelemetry, sockets: Sockets) -> AsyncIterator[RoomKit]:
    kit = RoomKit(store=TracedStore(), telemetry=TelemetryConfig(provider=otel.provider))
    for channel_id in ("ws-user", "ws-other"):
        kit.register_channel(WebSocketChannel(channel_id))
        await kit.connect_websocket(channel_id, f"{channel_id}-conn", sockets.sender(channel_id))
    await kit.create_room(room_id="r1")
    await kit.attach_channel("r1", "ws-user")
    await kit.attach_channel("r1", "ws-other")
    yield kit
    await kit.close()


def _message(body: str) -> InboundMessage:
    return InboundMessage(channel_id="ws-user", sender_id="u1", content=TextContent(body=body))


def _attrs(span: ReadableSpan) -> dict[str, Any]:
    return dict(span.attributes or {})


def _hex(value: int) -> str:
    return format(value, "016x")


def _children(spans: list[ReadableSpan], parent: ReadableSpan) -> list[ReadableSpan]:
    return [s for s in spans if s.parent is not None and s.parent.span_id == parent.context.span_id]


def _one(spans: list[ReadableSpan], name: str, **attrs: Any) -> ReadableSpan:
    found = [
        s for s in spans if s.name == name and all(_attrs(s).get(k) == v for k, v in attrs.items())
    ]
    assert len(found) == 1, f"{len(found)} spans {name} {attrs}: {[s.name for s in spans]}"
    return found[0]


def _parent_of(span: ReadableSpan, spans: list[ReadableSpan]) -> ReadableSpan | None:
    if span.parent is None:
        return None
    (parent,) = [s for s in spans if s.context.span_id == span.parent.span_id]
    return parent


def _tree(spans: list[ReadableSpan], root: ReadableSpan, depth: int = 0) -> list[str]:
    """The span tree under ``root`` as indented names (children in start order)."""
    lines = ["  " * depth + root.name]
    for child in sorted(_children(spans, root), key=lambda s: s.start_time or 0):
        lines.extend(_tree(spans, child, depth + 1))
    return lines


async def test_one_message_is_one_span_tree(
    kit: RoomKit, otel: InMemoryOpenTelemetry, sockets: Sockets
) -> None:
    audited = asyncio.Event()

    @kit.hook(HookTrigger.BEFORE_BROADCAST, name="guard")
    async def guard(event: object, ctx: object) -> HookResult:
        return HookResult.allow()

    @kit.hook(HookTrigger.AFTER_BROADCAST, execution=HookExecution.ASYNC, name="audit")
    async def audit(event: object, ctx: object) -> None:
        audited.set()

    result = await kit.process_inbound(_message("hello"))
    await asyncio.wait_for(audited.wait(), timeout=30)
    await kit.close()  # waits for the background hook task
    assert result.event is not None
    assert sockets.received == {"ws-other-conn": 1}

    spans = otel.finished_spans()
    inbound = _one(spans, "roomkit.inbound")
    assert inbound.parent is None
    assert inbound.kind is OtelSpanKind.CONSUMER
    assert _attrs(inbound) == {
        "roomkit.span_kind": "framework.inbound",
        "roomkit.channel_id": "ws-user",
        "roomkit.room_id": "r1",
        "roomkit.event_id": result.event.id,
        "roomkit.inbound.outcome": "processed",
    }
    assert _tree(spans, inbound) == [
        "roomkit.inbound",
        "  roomkit.route",
        "    roomkit.store",
        "  roomkit.hook",
        "  roomkit.store",
        "  roomkit.broadcast",
        "    roomkit.delivery",
        "    roomkit.hook",
    ]
    assert {s.context.trace_id for s in spans} == {inbound.context.trace_id}
    route = _one(spans, "roomkit.route")
    assert _attrs(route)["roomkit.route.source"] == "channel"
    snapshot = _one(spans, "roomkit.store", **{"roomkit.store.operation": "get_message_snapshot"})
    assert snapshot.kind is OtelSpanKind.CLIENT
    stored = _one(spans, "roomkit.store", **{"roomkit.store.operation": "add_event"})
    assert _attrs(stored)["roomkit.event_id"] == result.event.id
    guard_span = _one(spans, "roomkit.hook", **{"roomkit.hook.name": "guard"})
    assert _attrs(guard_span) == {
        "roomkit.span_kind": "hook.sync",
        "roomkit.room_id": "r1",
        "roomkit.hook.name": "guard",
        "roomkit.hook.trigger": "before_broadcast",
        "roomkit.hook.result": "allow",
    }
    audit_span = _one(spans, "roomkit.hook", **{"roomkit.hook.name": "audit"})
    assert _attrs(audit_span)["roomkit.span_kind"] == "hook.async"
    broadcast = _one(spans, "roomkit.broadcast")
    assert _attrs(broadcast)["roomkit.broadcast.targets"] == 1
    assert _attrs(broadcast)["roomkit.broadcast.delivered"] == 1
    assert _attrs(broadcast)["roomkit.broadcast.failed"] == 0
    delivery = _one(spans, "roomkit.delivery")
    assert delivery.kind is OtelSpanKind.PRODUCER
    assert _attrs(delivery) == {
        "roomkit.span_kind": "framework.delivery",
        "roomkit.channel_id": "ws-other",
        "roomkit.room_id": "r1",
        "roomkit.delivery.channel_type": "websocket",
        "roomkit.delivery.status": "sent",
        "roomkit.delivery.success": True,
    }
    for span in spans:
        assert span.status.status_code is StatusCode.UNSET
        assert span.end_time is not None
        assert span.start_time is not None
        assert span.end_time >= span.start_time
    assert delivery.start_time >= inbound.start_time  # type: ignore[operator]
    assert delivery.end_time <= inbound.end_time  # type: ignore[operator]

    assert otel.metric_total(Metric.MESSAGES, channel_id="ws-user", status="ok") == 1
    assert otel.metric_total(Metric.INBOUND_DURATION) == 1
    assert otel.metric_total(Metric.DELIVERIES, channel_id="ws-other", status="ok") == 1
    assert otel.metric_total(Metric.HOOK_CALLS, hook__name="guard", status="ok") == 1
    assert otel.metric_total(Metric.HOOK_DURATION, hook__name="audit") == 1
    assert otel.metric_points(Metric.HOOK_FAILURES) == []
    assert otel.metric_total(Metric.STORE_DURATION, store__operation="add_event") == 1


async def test_failures_are_error_spans_and_metrics(
    kit: RoomKit, otel: InMemoryOpenTelemetry, sockets: Sockets
) -> None:
    sockets.broken.add("ws-other-conn")

    @kit.hook(HookTrigger.BEFORE_BROADCAST, name="flaky")
    async def flaky(event: object, ctx: object) -> HookResult:
        raise RuntimeError("hook bug")

    await kit.process_inbound(_message("hi"))
    spans = otel.finished_spans()
    hook = _one(spans, "roomkit.hook")
    assert hook.status.status_code is StatusCode.ERROR
    assert hook.status.description == "hook bug"
    assert _attrs(hook)["roomkit.hook.result"] == "error"
    (event,) = hook.events
    assert event.attributes is not None
    assert event.attributes["exception.type"] == "RuntimeError"
    assert "in flaky" in str(event.attributes["exception.stacktrace"])
    delivery = _one(spans, "roomkit.delivery")
    assert delivery.status.status_code is StatusCode.ERROR
    assert _attrs(delivery)["roomkit.delivery.success"] is False
    assert _attrs(delivery)["roomkit.delivery.status"] == "failed"
    assert "ws-other-conn" in str(_attrs(delivery)["roomkit.delivery.error"])
    broadcast = _one(spans, "roomkit.broadcast")
    assert _attrs(broadcast)["roomkit.broadcast.failed"] == 1
    inbound = _one(spans, "roomkit.inbound")
    assert inbound.status.status_code is StatusCode.UNSET  # the message itself was processed
    assert _parent_of(hook, spans) is inbound
    assert _parent_of(delivery, spans) is broadcast

    assert otel.metric_total(Metric.DELIVERIES, channel_id="ws-other", status="error") == 1
    assert otel.metric_total(Metric.DELIVERIES, status="ok") == 0
    assert (
        otel.metric_total(Metric.HOOK_FAILURES, hook__name="flaky", error__type="RuntimeError") == 1
    )
    assert otel.metric_total(Metric.ERRORS, stage="delivery", type="DeliveryError") == 1


async def test_a_refused_message_ends_its_span_as_an_error(
    kit: RoomKit, otel: InMemoryOpenTelemetry
) -> None:
    with pytest.raises(RoomNotFoundError):
        await kit.process_inbound(_message("lost"), room_id="no-such-room")
    inbound = _one(otel.finished_spans(), "roomkit.inbound")
    assert inbound.status.status_code is StatusCode.ERROR
    assert _attrs(inbound)["roomkit.inbound.outcome"] == "failed"
    route = _one(otel.finished_spans(), "roomkit.route")
    assert route.status.status_code is StatusCode.ERROR


async def test_ai_turn_tool_call_and_reply_stay_in_the_message_trace(
    kit: RoomKit, otel: InMemoryOpenTelemetry, sockets: Sockets
) -> None:
    async def weather(name: str, arguments: dict[str, Any]) -> str:
        return "sunny"

    provider = MockAIProvider(
        responses=["It is sunny"],
        tool_calls=[{"name": "weather", "arguments": {"city": "Oslo"}, "id": "call-1"}],
    )
    kit.register_channel(
        AIChannel("ai", provider=provider, tools=[AITool(name="weather")], tool_handler=weather)
    )
    await kit.attach_channel("r1", "ai", category=ChannelCategory.INTELLIGENCE)
    await kit.process_inbound(_message("weather in Oslo?"))
    assert sockets.received == {"ws-other-conn": 2, "ws-user-conn": 1}  # message + reply

    spans = otel.finished_spans()
    inbound = _one(spans, "roomkit.inbound")
    ai_turn = _one(spans, "roomkit.delivery", **{"roomkit.channel_id": "ai"})
    assert _parent_of(_parent_of(ai_turn, spans), spans) is inbound  # inbound > broadcast > turn
    generations = [s for s in spans if s.name == "roomkit.ai.generate"]
    assert len(generations) == 2  # the tool call, then the answer
    for generation in generations:
        assert _parent_of(generation, spans) is ai_turn
        assert generation.kind is OtelSpanKind.CLIENT
        attributes = _attrs(generation)
        assert attributes["roomkit.provider"] == "mock"
        assert attributes["roomkit.model"] == "mock-model"
        assert attributes["roomkit.llm.streaming"] is False
    assert _attrs(generations[1])["roomkit.llm.output_tokens"] == len("It is sunny") // 4
    tool = _one(spans, "roomkit.tool")
    assert _parent_of(tool, spans) is ai_turn
    assert _attrs(tool)["roomkit.tool.name"] == "weather"
    assert _attrs(tool)["roomkit.tool.call_id"] == "call-1"
    assert tool.start_time >= generations[0].end_time  # type: ignore[operator]
    assert tool.end_time <= generations[1].start_time  # type: ignore[operator]
    # the reply is admitted after the broadcast span, in the message's own span
    replies = [
        s for s in spans if s.name == "roomkit.broadcast" and s is not _parent_of(ai_turn, spans)
    ]
    assert [_parent_of(s, spans) for s in replies] == [inbound]
    assert {s.context.trace_id for s in spans} == {inbound.context.trace_id}
    assert otel.metric_total(Metric.DELIVERIES, channel_id="ai", status="ok") == 1
    assert otel.metric_total(Metric.AI_TURNS, provider="mock") == 2
    assert otel.metric_total(Metric.TOOL_CALLS, tool__name="weather") == 1


async def test_a_streamed_generation_records_its_first_chunk(
    kit: RoomKit, otel: InMemoryOpenTelemetry, sockets: Sockets
) -> None:
    provider = MockAIProvider(responses=["one two three"], streaming=True)
    kit.register_channel(AIChannel("ai", provider=provider, streaming=True))
    await kit.attach_channel("r1", "ai", category=ChannelCategory.INTELLIGENCE)
    await kit.process_inbound(_message("stream please"))
    generation = _one(otel.finished_spans(), "roomkit.ai.generate")
    attributes = _attrs(generation)
    assert attributes["roomkit.llm.streaming"] is True
    assert attributes["roomkit.ttfb_ms"] >= 0
    assert attributes["roomkit.llm.output_tokens"] == len("one two three") // 4


async def test_webhook_headers_join_the_callers_trace(
    kit: RoomKit, otel: InMemoryOpenTelemetry
) -> None:
    with kit.telemetry.continue_trace(WEBHOOK_HEADERS):
        await kit.process_inbound(_message("from a webhook"))
    await kit.process_inbound(_message("from nowhere"))

    spans = otel.finished_spans()
    traced, untraced = [s for s in spans if s.name == "roomkit.inbound"]
    assert traced.parent is not None
    assert traced.parent.is_remote
    assert _hex(traced.parent.span_id) == CALLER_SPAN
    assert format(traced.context.trace_id, "032x") == CALLER_TRACE
    assert traced.context.trace_state.to_header() == "twilio=abc"
    (delivery,) = [s for s in spans if s.name == "roomkit.delivery"][:1]
    assert format(delivery.context.trace_id, "032x") == CALLER_TRACE
    assert untraced.parent is None
    assert format(untraced.context.trace_id, "032x") != CALLER_TRACE


async def test_outbound_headers_name_the_current_span(
    kit: RoomKit, otel: InMemoryOpenTelemetry
) -> None:
    seen: list[dict[str, str]] = []

    @kit.hook(HookTrigger.BEFORE_BROADCAST, name="calls-out")
    async def calls_out(event: object, ctx: object) -> HookResult:
        headers: dict[str, str] = {}
        kit.telemetry.inject_context(headers)  # as an HTTP call made by the hook would
        seen.append(headers)
        return HookResult.allow()

    await kit.process_inbound(_message("x"))
    (hook,) = [s for s in otel.finished_spans() if s.name == "roomkit.hook"]
    (headers,) = seen
    version, trace_id, span_id, flags = headers["traceparent"].split("-")
    assert version == "00"
    assert int(flags, 16) & 1  # sampled
    assert trace_id == format(hook.context.trace_id, "032x")
    assert span_id == _hex(hook.context.span_id)
