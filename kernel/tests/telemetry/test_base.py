"""The provider contract: call shapes, defaults, the engine's older shape, the configuration."""

from __future__ import annotations

from typing import Any

import pytest

from roomkit.errors import ConfigurationError
from roomkit.telemetry import (
    Attr,
    NoopTelemetryProvider,
    SpanKind,
    TelemetryConfig,
    TelemetryProvider,
)
from roomkit.telemetry.base import describe_error, resolve_span


class Provider067(TelemetryProvider):
    """A provider written against RoomKit 0.6.7's contract (no RoomKit additions)."""

    def __init__(self) -> None:
        self.events: list[tuple[Any, ...]] = []

    @property
    def name(self) -> str:
        return "six-seven"

    def start_span(  # type: ignore[override]
        self,
        kind: SpanKind,
        name: str,
        *,
        parent_id: str | None = None,
        attributes: dict[str, Any] | None = None,
        room_id: str | None = None,
        session_id: str | None = None,
        channel_id: str | None = None,
    ) -> str:
        self.events.append(("start", kind, name, room_id))
        return f"span-{len(self.events)}"

    def end_span(  # type: ignore[override]
        self,
        span_id: str,
        *,
        status: str = "ok",
        error_message: str | None = None,
        attributes: dict[str, Any] | None = None,
    ) -> None:
        self.events.append(("end", span_id, status, error_message))

    def record_metric(
        self, name: str, value: float, *, unit: str = "", attributes: Any = None
    ) -> None:
        self.events.append(("metric", name, value))

    def set_attribute(self, span_id: str, key: str, value: Any) -> None:
        self.events.append(("attr", span_id, key, value))


def test_a_067_provider_works_with_the_defaults() -> None:
    provider = Provider067()
    with provider.span(SpanKind.LLM_GENERATE, "gen", room_id="r") as span_id:
        provider.set_attribute(span_id, Attr.MODEL, "m")
    with pytest.raises(ValueError, match="bad"), provider.span(SpanKind.CUSTOM, "x"):
        raise ValueError("bad")
    assert provider.events == [
        ("start", SpanKind.LLM_GENERATE, "gen", "r"),
        ("attr", "span-1", "model", "m"),
        ("end", "span-1", "ok", None),
        ("start", SpanKind.CUSTOM, "x", None),
        ("end", "span-4", "error", "bad"),
    ]
    assert provider.get_span_context("span-1") is None
    headers: dict[str, str] = {}
    provider.inject_context(headers)
    assert headers == {}
    with provider.continue_trace({"traceparent": "x"}):
        pass
    provider.flush()
    provider.close()
    provider.reset()


def test_default_name_comes_from_the_class() -> None:
    assert NoopTelemetryProvider().name == "noop"
    assert Provider067().name == "six-seven"


def test_noop_records_nothing() -> None:
    noop = NoopTelemetryProvider()
    assert noop.start_span(SpanKind.CUSTOM, "x") == ""
    with noop.span(SpanKind.CUSTOM, "x") as span_id:
        assert span_id == ""
    noop.end_span("", error=RuntimeError())
    noop.record_metric("m", 1.0)


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        ((SpanKind.LLM_GENERATE, "gen", None), (SpanKind.LLM_GENERATE, "gen", {})),
        (
            (SpanKind.LLM_GENERATE, None, {"a": 1}),
            (SpanKind.LLM_GENERATE, "llm.generate", {"a": 1}),
        ),
        (("llm.generate", None, None), (SpanKind.LLM_GENERATE, "llm.generate", {})),
        (("llm.tool_call", "lookup", None), (SpanKind.LLM_TOOL_CALL, "lookup", {})),
        (
            ("roomkit.process_inbound", {"channel_id": "c"}, None),
            (SpanKind.INBOUND_PIPELINE, "roomkit.process_inbound", {"channel_id": "c"}),
        ),
        (
            ("roomkit.hook", {"hook": "h", "trigger": "t"}, None),
            (SpanKind.HOOK_SYNC, "roomkit.hook", {Attr.HOOK_NAME: "h", Attr.HOOK_TRIGGER: "t"}),
        ),
        (
            ("roomkit.delivery", {"x": 1}, {"y": 2}),
            (SpanKind.DELIVERY, "roomkit.delivery", {"x": 1, "y": 2}),
        ),
        (("my.step", None, None), (SpanKind.CUSTOM, "my.step", {})),
        (("my.step", "shown", None), (SpanKind.CUSTOM, "shown", {})),
    ],
)
def test_resolve_span_accepts_every_call_shape(args: Any, expected: Any) -> None:
    assert resolve_span(*args) == expected


def test_resolve_span_copies_attributes() -> None:
    given = {"a": 1}
    _, _, attrs = resolve_span(SpanKind.CUSTOM, "x", given)
    attrs["b"] = 2
    assert given == {"a": 1}


def test_describe_error() -> None:
    assert describe_error(ValueError("bad input")) == "bad input"
    assert describe_error(TimeoutError()) == "TimeoutError"


def test_config_defaults_match_067() -> None:
    config = TelemetryConfig()
    assert config.provider is None
    assert config.sample_rate == 1.0
    assert config.enabled_spans is None
    assert config.metadata == {}
    assert config.suppressed_hook_triggers == {
        "on_vad_audio_level",
        "on_input_audio_level",
        "on_output_audio_level",
    }
    noop = NoopTelemetryProvider()
    assert TelemetryConfig(noop, 0.5).provider is noop  # positional, as in 0.6.7


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"provider": object()}, "TelemetryProvider"),
        ({"sample_rate": 1.5}, "sample_rate"),
        ({"sample_rate": -0.1}, "sample_rate"),
        ({"sample_rate": True}, "sample_rate"),
        ({"sample_rate": "1"}, "sample_rate"),
        ({"enabled_spans": {"no.such.kind"}}, "enabled_spans"),
    ],
)
def test_config_rejects_bad_values(kwargs: dict[str, Any], match: str) -> None:
    with pytest.raises(ConfigurationError, match=match):
        TelemetryConfig(**kwargs)


def test_config_answers_what_is_recorded() -> None:
    config = TelemetryConfig(
        enabled_spans={"llm.generate", SpanKind.DELIVERY},  # type: ignore[arg-type]
        metadata={"env": "prod", "region": "eu"},
    )
    assert config.enabled_spans == {SpanKind.LLM_GENERATE, SpanKind.DELIVERY}
    assert config.records(SpanKind.DELIVERY)
    assert not config.records(SpanKind.HOOK_SYNC)
    assert TelemetryConfig().records(SpanKind.HOOK_SYNC)
    assert not config.records_hook("on_vad_audio_level")
    assert config.records_hook("before_broadcast")
    assert config.span_attributes({"env": "test", "k": 1}) == {
        "env": "test",
        "region": "eu",
        "k": 1,
    }
    assert TelemetryConfig().span_attributes(None) == {}
    assert TelemetryConfig(sample_rate=1.0).sampled()
    assert not TelemetryConfig(sample_rate=0.0).sampled()
    draws = [TelemetryConfig(sample_rate=0.5).sampled() for _ in range(400)]
    assert 0 < sum(draws) < 400
