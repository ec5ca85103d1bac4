"""A real RoomKit (in-memory store) reporting to OpenTelemetry: the spans the engine emits
today, their parent/child links and attributes, the derived metrics, and webhook trace
context joining the caller's trace."""

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


@pytest.fixture
async def kit(otel: InMemoryOpenTelemetry, sockets: Sockets) -> AsyncIterator[RoomKit]:
    kit = RoomKit(store=InMemoryStore(), telemetry=TelemetryConfig(provider=otel.provider))
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


async def test_process_inbound_is_one_trace(
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
    assert result.room_id == "r1"
    assert sockets.received == {"ws-other-conn": 1}

    spans = otel.finished_spans()
    (inbound,) = [s for s in spans if s.name == "roomkit.process_inbound"]
    assert inbound.parent is None
    assert inbound.kind is OtelSpanKind.CONSUMER
    assert _attrs(inbound) == {
        "roomkit.span_kind": "framework.inbound",
        "roomkit.channel_id": "ws-user",
        "roomkit.room_id": "r1",
    }
    children = _children(spans, inbound)
    assert sorted(s.name for s in children) == ["roomkit.delivery", "roomkit.hook", "roomkit.hook"]
    assert {s.context.trace_id for s in spans} == {inbound.context.trace_id}
    hooks = {_attrs(s)["roomkit.hook.name"]: s for s in children if s.name == "roomkit.hook"}
    assert _attrs(hooks["guard"]) == {
        "roomkit.span_kind": "hook.sync",
        "roomkit.hook.name": "guard",
        "roomkit.hook.trigger": "before_broadcast",
    }
    assert _attrs(hooks["audit"])["roomkit.hook.trigger"] == "after_broadcast"
    (delivery,) = [s for s in children if s.name == "roomkit.delivery"]
    assert delivery.kind is OtelSpanKind.PRODUCER
    assert _attrs(delivery) == {
        "roomkit.span_kind": "framework.delivery",
        "roomkit.channel_id": "ws-other",
        "roomkit.room_id": "r1",
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


async def test_failures_are_error_spans_and_metrics(
    kit: RoomKit, otel: InMemoryOpenTelemetry, sockets: Sockets
) -> None:
    sockets.broken.add("ws-other-conn")

    @kit.hook(HookTrigger.BEFORE_BROADCAST, name="flaky")
    async def flaky(event: object, ctx: object) -> HookResult:
        raise RuntimeError("hook bug")

    await kit.process_inbound(_message("hi"))
    spans = {s.name: s for s in otel.finished_spans()}
    hook = spans["roomkit.hook"]
    assert hook.status.status_code is StatusCode.ERROR
    assert hook.status.description == "hook bug"
    (event,) = hook.events
    assert event.attributes is not None
    assert event.attributes["exception.type"] == "RuntimeError"
    assert "in flaky" in str(event.attributes["exception.stacktrace"])
    delivery = spans["roomkit.delivery"]
    assert delivery.status.status_code is StatusCode.ERROR
    assert "ws-other" in str(_attrs(delivery)["roomkit.error"])
    inbound = spans["roomkit.process_inbound"]
    assert inbound.status.status_code is StatusCode.UNSET  # the message itself was processed
    for child in (hook, delivery):
        assert child.parent is not None
        assert child.parent.span_id == inbound.context.span_id

    assert otel.metric_total(Metric.DELIVERIES, channel_id="ws-other", status="error") == 1
    assert otel.metric_total(Metric.DELIVERIES, status="ok") == 0
    assert (
        otel.metric_total(Metric.HOOK_FAILURES, hook__name="flaky", error__type="RuntimeError") == 1
    )
    assert otel.metric_total(Metric.ERRORS, stage="delivery", type="DeliveryError") == 1


async def test_ai_turn_and_reply_stay_in_the_message_trace(
    kit: RoomKit, otel: InMemoryOpenTelemetry, sockets: Sockets
) -> None:
    kit.register_channel(AIChannel("ai", provider=MockAIProvider(responses=["Hi there"])))
    await kit.attach_channel("r1", "ai", category=ChannelCategory.INTELLIGENCE)
    await kit.process_inbound(_message("hello AI"))
    assert sockets.received == {"ws-other-conn": 2, "ws-user-conn": 1}  # message + reply

    spans = otel.finished_spans()
    (inbound,) = [s for s in spans if s.name == "roomkit.process_inbound"]
    deliveries = [s for s in spans if s.name == "roomkit.delivery"]
    by_channel = sorted(_attrs(s)["roomkit.channel_id"] for s in deliveries)
    assert by_channel == ["ai", "ws-other", "ws-other", "ws-user"]
    (ai_turn,) = [s for s in deliveries if _attrs(s)["roomkit.channel_id"] == "ai"]
    assert ai_turn.parent is not None
    assert ai_turn.parent.span_id == inbound.context.span_id
    assert {s.context.trace_id for s in spans} == {inbound.context.trace_id}
    assert otel.metric_total(Metric.DELIVERIES, channel_id="ai", status="ok") == 1


async def test_webhook_headers_join_the_callers_trace(
    kit: RoomKit, otel: InMemoryOpenTelemetry
) -> None:
    with kit.telemetry.continue_trace(WEBHOOK_HEADERS):
        await kit.process_inbound(_message("from a webhook"))
    await kit.process_inbound(_message("from nowhere"))

    spans = otel.finished_spans()
    traced, untraced = [s for s in spans if s.name == "roomkit.process_inbound"]
    assert traced.parent is not None
    assert traced.parent.is_remote
    assert _hex(traced.parent.span_id) == CALLER_SPAN
    assert format(traced.context.trace_id, "032x") == CALLER_TRACE
    assert traced.context.trace_state.to_header() == "twilio=abc"
    (delivery,) = _children(spans, traced)
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
