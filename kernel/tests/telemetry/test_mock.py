"""MockTelemetryProvider: the conformance suite, its 0.6.7 API, and the spans a real RoomKit
emits into it."""

from __future__ import annotations

import asyncio

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
from roomkit.telemetry import Attr, MockTelemetryProvider, SpanKind, TelemetryConfig
from roomkit.testing import MockTelemetryProvider as ExportedMock
from roomkit_conformance.suites.telemetry import TelemetryHarness, TelemetryProviderSuite


class TestMockTelemetryConformance(TelemetryProviderSuite):
    capabilities = frozenset({"records", "traces"})

    @pytest.fixture
    def component(self) -> TelemetryHarness:
        mock = MockTelemetryProvider()
        return TelemetryHarness(mock, exported=lambda: mock.spans, spans=lambda: mock.spans)


def test_exported_from_roomkit_testing() -> None:
    assert ExportedMock is MockTelemetryProvider


def test_records_spans_and_metrics_as_067_does() -> None:
    mock = MockTelemetryProvider()
    assert mock.name == "mock"
    gen = mock.start_span(
        SpanKind.LLM_GENERATE, "gen", attributes={"a": 1}, room_id="r1", channel_id="c1"
    )
    assert [s.id for s in mock.get_active_spans()] == [gen]
    mock.set_attribute(gen, "b", 2)
    tool = mock.start_span(SpanKind.LLM_TOOL_CALL, "tool", parent_id=gen)
    mock.end_span(tool, status="error", error_message="bad", attributes={"c": 3})
    mock.end_span(gen)
    mock.record_metric("x", 1.5, unit="ms", attributes={"k": "v"})
    assert [s.name for s in mock.spans] == ["tool", "gen"]
    assert mock.completed_spans == mock.spans
    (tool_span,) = mock.get_spans(SpanKind.LLM_TOOL_CALL)
    assert (tool_span.parent_id, tool_span.status, tool_span.error_message) == (gen, "error", "bad")
    assert tool_span.attributes == {"c": 3}
    (gen_span,) = mock.get_spans(SpanKind.LLM_GENERATE)
    assert gen_span.attributes == {"a": 1, "b": 2}
    assert (gen_span.room_id, gen_span.channel_id) == ("r1", "c1")
    assert mock.get_children(gen_span) == [tool_span]
    assert mock.get_spans(name="gen") == [gen_span]
    assert mock.metrics == [{"name": "x", "value": 1.5, "unit": "ms", "attributes": {"k": "v"}}]
    assert mock.get_metrics("x") == mock.metrics
    assert mock.get_metrics("y") == []
    mock.reset()
    assert mock.spans == []
    assert mock.metrics == []
    assert mock.get_active_spans() == []


def test_span_context_manager_records_the_error() -> None:
    mock = MockTelemetryProvider()
    with pytest.raises(ValueError, match="oops"), mock.span(SpanKind.CUSTOM, "cm", room_id="r"):
        raise ValueError("oops")
    (span,) = mock.spans
    assert (span.status, span.error_message, span.room_id) == ("error", "oops", "r")
    assert span.attributes[Attr.ERROR_TYPE] == "ValueError"


def test_spans_ended_out_of_order_leave_no_dead_parent() -> None:
    mock = MockTelemetryProvider()
    first = mock.start_span(SpanKind.CUSTOM, "first")
    second = mock.start_span(SpanKind.CUSTOM, "second")
    mock.end_span(first)
    mock.end_span(second)
    after = mock.start_span(SpanKind.CUSTOM, "after")
    mock.end_span(after)
    assert mock.get_spans(name="after")[0].parent_id is None


def test_open_spans_are_bounded() -> None:
    mock = MockTelemetryProvider()
    mock.max_open_spans = 3
    ids = [mock.start_span(SpanKind.CUSTOM, f"s{i}") for i in range(5)]
    assert [s.id for s in mock.get_active_spans()] == ids[2:]
    mock.end_span(ids[0])  # forgotten: ignored
    assert mock.spans == []


def _message(body: str) -> InboundMessage:
    return InboundMessage(channel_id="ws-user", sender_id="u1", content=TextContent(body=body))


async def test_a_room_emits_one_trace_per_inbound_message() -> None:
    mock = MockTelemetryProvider()
    kit = RoomKit(telemetry=TelemetryConfig(provider=mock))
    assert kit.telemetry is mock
    for channel_id in ("ws-user", "ws-other"):
        channel = kit.register_channel(WebSocketChannel(channel_id))

        async def send(connection_id: str, event: object) -> None:
            return None

        channel.register_connection(f"{channel_id}-conn", send)
    await kit.create_room(room_id="r1")
    await kit.attach_channel("r1", "ws-user")
    await kit.attach_channel("r1", "ws-other")
    done = asyncio.Event()

    @kit.hook(HookTrigger.BEFORE_BROADCAST, name="guard")
    async def guard(event: object, ctx: object) -> HookResult:
        return HookResult.allow()

    @kit.hook(HookTrigger.AFTER_BROADCAST, execution=HookExecution.ASYNC, name="audit")
    async def audit(event: object, ctx: object) -> None:
        done.set()

    result = await kit.process_inbound(_message("hello"))
    assert result.event is not None
    await asyncio.wait_for(done.wait(), timeout=30)
    await kit.close()

    (inbound,) = mock.get_spans(SpanKind.INBOUND_PIPELINE)
    assert inbound.name == "roomkit.inbound"
    assert inbound.parent_id is None
    assert inbound.attributes == {
        "channel_id": "ws-user",
        "room_id": "r1",
        "event_id": result.event.id,
        "inbound.outcome": "processed",
    }
    (guard_span,) = mock.get_spans(SpanKind.HOOK_SYNC)
    assert guard_span.attributes == {
        Attr.HOOK_NAME: "guard",
        Attr.HOOK_TRIGGER: "before_broadcast",
        Attr.HOOK_RESULT: "allow",
    }
    (audit_span,) = mock.get_spans(SpanKind.HOOK_ASYNC)
    assert audit_span.attributes[Attr.HOOK_NAME] == "audit"
    (broadcast,) = mock.get_spans(SpanKind.BROADCAST)
    (delivery,) = mock.get_spans(SpanKind.DELIVERY)
    assert delivery.attributes[Attr.CHANNEL_ID] == "ws-other"
    assert delivery.attributes[Attr.DELIVERY_SUCCESS] is True
    # AFTER_BROADCAST fires within the broadcast: its async hooks are that span's children
    assert delivery.parent_id == audit_span.parent_id == broadcast.id
    assert guard_span.parent_id == broadcast.parent_id == inbound.id
    assert {s.trace_id for s in mock.spans} == {inbound.trace_id}
    assert mock.get_active_spans() == []
