"""The metric table and the metrics derived from finished spans."""

from __future__ import annotations

from roomkit.telemetry import Attr, Metric, SpanKind
from roomkit.telemetry.metrics import (
    METRIC_ATTRIBUTES,
    METRICS,
    SPAN_METRICS,
    Instrument,
    derive_metrics,
    spec_for,
)


def test_every_metric_name_has_one_spec() -> None:
    names = {v for k, v in vars(Metric).items() if k.isupper()}
    assert names == set(METRICS)
    for spec in METRICS.values():
        assert spec.name.startswith("roomkit.")
        assert spec.description
        if spec.instrument is Instrument.HISTOGRAM:
            assert spec.unit == "ms"
    for derived in SPAN_METRICS.values():
        for name in (derived.count, derived.duration, derived.failures):
            assert name is None or name in METRICS


def test_no_identifier_is_a_metric_label() -> None:
    assert not METRIC_ATTRIBUTES & {Attr.ROOM_ID, Attr.SESSION_ID, Attr.DELIVERY_RECIPIENT}


def test_spec_for_unknown_names_follows_the_unit() -> None:
    assert spec_for(Metric.ERRORS, "ms").instrument is Instrument.COUNTER  # the table wins
    assert spec_for("app.latency", "ms").instrument is Instrument.HISTOGRAM
    assert spec_for("app.count").instrument is Instrument.COUNTER


def test_a_delivery_span_yields_duration_and_count_by_status() -> None:
    out = derive_metrics(
        SpanKind.DELIVERY,
        "error",
        12.5,
        {Attr.ROOM_ID: "r1", Attr.DELIVERY_ERROR: "timeout"},
        channel_id="sms",
    )
    labels = {"channel_id": "sms", "status": "error"}
    assert out == [(Metric.DELIVERY_DURATION, 12.5, labels), (Metric.DELIVERIES, 1, labels)]


def test_a_failed_hook_also_counts_a_failure() -> None:
    attrs = {Attr.HOOK_NAME: "guard", Attr.HOOK_TRIGGER: "before_broadcast"}
    names = [m for m, _, _ in derive_metrics(SpanKind.HOOK_SYNC, "error", 1.0, attrs)]
    assert names == [Metric.HOOK_DURATION, Metric.HOOK_CALLS, Metric.HOOK_FAILURES]
    names = [m for m, _, _ in derive_metrics(SpanKind.HOOK_ASYNC, "ok", 1.0, attrs)]
    assert names == [Metric.HOOK_DURATION, Metric.HOOK_CALLS]


def test_an_ai_turn_counts_its_tokens() -> None:
    attrs = {
        Attr.PROVIDER: "openai",
        Attr.MODEL: "gpt",
        Attr.LLM_INPUT_TOKENS: 120,
        Attr.LLM_OUTPUT_TOKENS: 0,
    }
    out = derive_metrics(SpanKind.LLM_GENERATE, "ok", 300.0, attrs)
    tokens = [(v, a["token.type"]) for m, v, a in out if m == Metric.AI_TOKENS]
    assert tokens == [(120, "input")]
    assert out[0][2] == {"provider": "openai", "model": "gpt", "status": "ok"}


def test_kinds_without_metrics_yield_nothing() -> None:
    assert derive_metrics(SpanKind.CUSTOM, "ok", 1.0, {}) == []
    store = derive_metrics(SpanKind.STORE_QUERY, "ok", 1.0, {Attr.STORE_OPERATION: "add"})
    assert store == [(Metric.STORE_DURATION, 1.0, {"store.operation": "add", "status": "ok"})]


def test_label_values_are_primitives() -> None:
    attrs = {Attr.HOOK_NAME: ["a"], Attr.HOOK_TRIGGER: None, Attr.PROVIDER: 3}
    ((_, _, labels), *_) = derive_metrics(SpanKind.HOOK_SYNC, "ok", 1.0, attrs)
    assert labels == {Attr.HOOK_NAME: "['a']", Attr.PROVIDER: 3, "status": "ok"}
