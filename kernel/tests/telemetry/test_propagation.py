"""TraceParent: the W3C traceparent / tracestate rules."""

from __future__ import annotations

import pytest

from roomkit.telemetry.propagation import MAX_TRACESTATE, TraceParent

VALID = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"


def test_parses_a_valid_header() -> None:
    parsed = TraceParent.parse(VALID, "rojo=00f067aa0ba902b7,congo=t61rcWkgMzE")
    assert parsed is not None
    assert parsed.trace_id == "4bf92f3577b34da6a3ce929d0e0e4736"
    assert parsed.span_id == "00f067aa0ba902b7"
    assert parsed.sampled
    assert parsed.traceparent == VALID
    assert parsed.to_headers() == {
        "traceparent": VALID,
        "tracestate": "rojo=00f067aa0ba902b7,congo=t61rcWkgMzE",
    }


def test_unsampled_flag_and_no_tracestate() -> None:
    parsed = TraceParent.parse(VALID[:-2] + "00")
    assert parsed is not None
    assert not parsed.sampled
    assert parsed.to_headers() == {"traceparent": VALID[:-2] + "00"}


@pytest.mark.parametrize(
    "value",
    [
        "",
        "garbage",
        VALID.upper(),  # uppercase hex is invalid
        "ff" + VALID[2:],  # version ff is forbidden
        "00-" + "0" * 32 + "-00f067aa0ba902b7-01",  # all-zero trace id
        "00-4bf92f3577b34da6a3ce929d0e0e4736-" + "0" * 16 + "-01",  # all-zero span id
        VALID + "-extra",  # version 00 has exactly four fields
        VALID[:-1],  # short flags
        "00-4bf92f3577b34da6a3ce929d0e0e473-00f067aa0ba902b7-01",  # short trace id
    ],
)
def test_rejects_malformed_values(value: str) -> None:
    assert TraceParent.parse(value) is None


def test_future_versions_may_append_fields() -> None:
    parsed = TraceParent.parse("cc" + VALID[2:] + "-what-comes-next")
    assert parsed is not None
    assert parsed.traceparent == VALID  # re-emitted as version 00


def test_from_headers_ignores_case_and_bad_types() -> None:
    assert TraceParent.from_headers({"TraceParent": VALID, "TRACESTATE": "a=1"}) == TraceParent(
        "4bf92f3577b34da6a3ce929d0e0e4736", "00f067aa0ba902b7", 1, "a=1"
    )
    assert TraceParent.from_headers({}) is None
    assert TraceParent.from_headers({"traceparent": ""}) is None
    assert TraceParent.from_headers({"traceparent": 42}) is None  # type: ignore[dict-item]


def test_tracestate_is_trimmed_by_whole_members() -> None:
    members = [f"k{i}=" + "v" * 40 for i in range(40)]
    parsed = TraceParent.parse(VALID, " , ".join(members))
    assert parsed is not None
    assert len(parsed.tracestate) <= MAX_TRACESTATE
    kept = parsed.tracestate.split(",")
    assert kept == members[: len(kept)]
    assert len(kept) < 32
