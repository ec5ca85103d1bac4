"""SpanKind, Attr and Span: the 0.6.7 vocabulary and the span record."""

from __future__ import annotations

from datetime import timedelta

from roomkit.telemetry import Attr, Span, SpanKind

# RoomKit 0.6.7's members and values, learned by introspection.
KINDS_067 = {
    "PIPELINE_INBOUND": "pipeline.inbound",
    "PIPELINE_OUTBOUND": "pipeline.outbound",
    "STT_TRANSCRIBE": "stt.transcribe",
    "STT_STREAM": "stt.stream",
    "TTS_SYNTHESIZE": "tts.synthesize",
    "LLM_GENERATE": "llm.generate",
    "LLM_TOOL_CALL": "llm.tool_call",
    "REALTIME_SESSION": "realtime.session",
    "REALTIME_TURN": "realtime.turn",
    "REALTIME_TOOL_CALL": "realtime.tool_call",
    "HOOK_SYNC": "hook.sync",
    "HOOK_ASYNC": "hook.async",
    "INBOUND_PIPELINE": "framework.inbound",
    "BROADCAST": "framework.broadcast",
    "DELIVERY": "framework.delivery",
    "VOICE_SESSION": "voice.session",
    "PIPELINE_SPEECH_SEGMENT": "pipeline.speech_segment",
    "STORE_QUERY": "store.query",
    "BACKEND_CONNECT": "backend.connect",
    "CUSTOM": "custom",
}


def test_span_kinds_are_those_of_067() -> None:
    assert {k.name: k.value for k in SpanKind} == KINDS_067
    assert SpanKind("llm.generate") is SpanKind.LLM_GENERATE
    assert SpanKind.DELIVERY == "framework.delivery"  # a str, usable as a label


def test_attr_constants_are_plain_strings_with_067_values() -> None:
    assert Attr.ROOM_ID == "room_id"
    assert Attr.HOOK_NAME == "hook.name"
    assert Attr.LLM_INPUT_TOKENS == "llm.input_tokens"
    assert Attr.DELIVERY_SUCCESS == "delivery.success"
    names = [n for n in vars(Attr) if n.isupper()]
    values = [getattr(Attr, n) for n in names]
    assert all(isinstance(v, str) and v for v in values)
    assert len(set(values)) == len(values), "two Attr names share a value"


def test_span_defaults_and_duration() -> None:
    span = Span()
    assert len(span.id) == 16
    assert int(span.id, 16) >= 0
    assert span.kind is SpanKind.CUSTOM
    assert span.name == ""
    assert span.parent_id is None
    assert span.attributes == {}
    assert span.status == "ok"
    assert span.end_time is None
    assert span.duration_ms is None
    span.end_time = span.start_time + timedelta(milliseconds=250)
    assert span.duration_ms == 250.0
    assert Span().id != Span().id
    assert Span().attributes is not Span().attributes


def test_span_positional_order_is_067s() -> None:
    span = Span("abc", SpanKind.LLM_GENERATE, "gen", "parent", {"k": 1})
    assert (span.id, span.kind, span.name, span.parent_id, span.attributes) == (
        "abc",
        SpanKind.LLM_GENERATE,
        "gen",
        "parent",
        {"k": 1},
    )
