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
    assert not result.blocked
    await asyncio.wait_for(done.wait(), timeout=30)
    await kit.close()

    (inbound,) = mock.get_spans(SpanKind.INBOUND_PIPELINE)
    assert inbound.parent_id is None
    assert inbound.attributes == {"channel_id": "ws-user", "room_id": "r1"}
    hooks = {s.attributes[Attr.HOOK_NAME]: s for s in mock.get_spans(SpanKind.HOOK_SYNC)}
    assert hooks["guard"].attributes[Attr.HOOK_TRIGGER] == "before_broadcast"
    assert hooks["audit"].attributes[Attr.HOOK_TRIGGER] == "after_broadcast"
    (delivery,) = mock.get_spans(SpanKind.DELIVERY)
    assert delivery.attributes == {"channel_id": "ws-other", "room_id": "r1"}
    for span in (hooks["guard"], hooks["audit"], delivery):
        assert span.parent_id == inbound.id
        assert span.trace_id == inbound.trace_id
        assert span.status == "ok"
    assert mock.get_active_spans() == []


async def _one_channel_kit(mock: MockTelemetryProvider) -> RoomKit:
    kit = RoomKit(telemetry=mock)
    kit.register_channel(WebSocketChannel("ws-user"))
    await kit.create_room(room_id="r1")
    await kit.attach_channel("r1", "ws-user")
    return kit


async def test_a_failing_hook_is_an_error_span() -> None:
    mock = MockTelemetryProvider()
    kit = await _one_channel_kit(mock)

    @kit.hook(HookTrigger.BEFORE_BROADCAST, name="broken")
    async def broken(event: object, ctx: object) -> HookResult:
        raise RuntimeError("hook bug")

    await kit.process_inbound(_message("hi"))
    await kit.close()
    (hook,) = mock.get_spans(SpanKind.HOOK_SYNC)
    assert hook.status == "error"
    assert hook.error_message == "hook bug"
    assert hook.attributes[Attr.ERROR_TYPE] == "RuntimeError"
    (inbound,) = mock.get_spans(SpanKind.INBOUND_PIPELINE)
    assert hook.parent_id == inbound.id
    errors = mock.get_metrics("roomkit.errors")
    assert errors
    assert errors[0]["attributes"]["type"] == "RuntimeError"


async def test_webhook_trace_context_reaches_the_room() -> None:
    mock = MockTelemetryProvider()
    kit = await _one_channel_kit(mock)
    headers = {"traceparent": "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"}
    with kit.telemetry.continue_trace(headers):
        await kit.process_inbound(_message("traced"))
    await kit.process_inbound(_message("untraced"))
    await kit.close()
    traced, untraced = mock.get_spans(SpanKind.INBOUND_PIPELINE)
    assert traced.trace_id == "4bf92f3577b34da6a3ce929d0e0e4736"
    assert traced.parent_id == "00f067aa0ba902b7"
    assert untraced.trace_id != traced.trace_id
    assert untraced.parent_id is None
