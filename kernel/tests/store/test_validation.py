"""roomkit.store.validation: the rules every store applies, and the messages they give."""

from __future__ import annotations

import pytest

from roomkit.errors import StoreError, StoreInputError
from roomkit.models.content import TextContent
from roomkit.models.enums import ChannelType
from roomkit.models.event import EventSource, RoomEvent
from roomkit.models.room import Room
from roomkit.store.validation import (
    INT64_MAX,
    check_index,
    check_page,
    check_recent,
    check_storable,
    readable_key,
)


def _event(**fields: object) -> RoomEvent:
    return RoomEvent(
        room_id="r",
        source=EventSource(channel_id="c", channel_type=ChannelType.SMS),
        content=TextContent(body="hi"),
        **fields,
    )


def test_the_error_is_a_store_error_and_a_value_error() -> None:
    assert issubclass(StoreInputError, StoreError)
    assert issubclass(StoreInputError, ValueError)


@pytest.mark.parametrize(
    ("metadata", "says"),
    [
        ({"score": float("nan")}, "RoomEvent.metadata['score'] is nan"),
        ({"blob": b"x"}, "bytes to base64"),
        ({"pair": (1, 2)}, "tuples and sets to lists"),
        ({"big": 2**64}, "64 bits"),
        ({"k": {1: 2}}, "JSON keys are str"),
        ({"k": "\ud800"}, "lone surrogate"),
        ({"k": "a\x00"}, "NUL"),
    ],
)
def test_each_refusal_names_the_field_and_the_fix(metadata: dict[str, object], says: str) -> None:
    with pytest.raises(StoreInputError, match=says.replace("(", r"\(").replace("[", r"\[")):
        check_storable(_event(metadata=metadata))


def test_a_models_own_rules_are_checked_strictly() -> None:
    broken = _event().model_copy(update={"chain_depth": -3})
    with pytest.raises(StoreInputError, match=r"chain_depth.*model_copy"):
        check_storable(broken)
    check_storable(_event(metadata={"ok": [1, 2.5, None, True, {"x": "y"}]}))
    check_storable(Room(metadata={"n": INT64_MAX}))


def test_bounds() -> None:
    assert check_page(0, INT64_MAX) == (0, INT64_MAX)
    assert check_recent(-5) == 0
    assert check_index(None, "after_index") is None
    assert check_index(-(2**63), "after_index") == -(2**63)
    for offset, limit in ((0, 2**63), (-1, 1), (0, True), (0, 1.0)):
        with pytest.raises(StoreInputError):
            check_page(offset, limit)


def test_readable_keys() -> None:
    assert readable_key("room-1")
    assert readable_key("héllo 🙂")
    for key in ("a\x00", "\udc00", 5, None):
        assert not readable_key(key)
