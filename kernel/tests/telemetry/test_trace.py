"""ProtocolTrace: 0.6.7's call shape, validated."""

from __future__ import annotations

import dataclasses

import pytest

from roomkit.errors import InvalidContentError
from roomkit.telemetry import ProtocolTrace


def test_positional_call_shape_and_defaults() -> None:
    trace = ProtocolTrace("sip-1", "inbound", "sip", "INVITE sip:+1555@pbx", raw=b"INVITE")
    assert trace.channel_id == "sip-1"
    assert trace.summary == "INVITE sip:+1555@pbx"
    assert trace.raw == b"INVITE"
    assert trace.metadata == {}
    assert trace.timestamp.tzinfo is not None
    assert trace.session_id is None
    assert trace.room_id is None
    with pytest.raises(dataclasses.FrozenInstanceError):
        trace.room_id = "r"  # type: ignore[misc]


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"direction": "sideways"}, "direction"),
        ({"channel_id": ""}, "channel_id"),
        ({"protocol": ""}, "protocol"),
    ],
)
def test_bad_fields_are_typed_errors(kwargs: dict[str, str], match: str) -> None:
    fields = {"channel_id": "c", "direction": "outbound", "protocol": "ws", "summary": "s"}
    with pytest.raises(InvalidContentError, match=match):
        ProtocolTrace(**{**fields, **kwargs})  # type: ignore[arg-type]
