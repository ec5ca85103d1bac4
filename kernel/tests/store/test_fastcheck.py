"""roomkit.store._fastcheck: the quick plan never accepts what strict validation refuses."""

from __future__ import annotations

from datetime import UTC, datetime
from enum import Enum
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import BaseModel, Field, ValidationError, field_validator

from roomkit.errors import StoreInputError
from roomkit.models.content import MediaContent, TextContent
from roomkit.models.enums import ChannelType, EventStatus
from roomkit.models.event import EventSource, RoomEvent
from roomkit.models.room import ChannelBinding, Room
from roomkit.store import validation
from roomkit.store._fastcheck import passes, plan_for
from roomkit.store.validation import check_storable


def _event(**fields: Any) -> RoomEvent:
    return RoomEvent(
        room_id="r",
        source=EventSource(channel_id="c", channel_type=ChannelType.SMS),
        content=TextContent(body="hi"),
        **fields,
    )


def _strict_ok(cls: type[BaseModel], values: dict[str, Any]) -> bool:
    try:
        cls.__pydantic_validator__.validate_python(values, strict=True)
    except ValidationError:
        return False
    return True


class _Shade(Enum):
    DARK = "dark"


class _Str(str):
    pass


#: Values of many types, some a strict validator refuses for any given field.
_ANY = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-5, max_value=5),
    st.floats(allow_nan=True),
    st.text(max_size=3),
    st.builds(_Str, st.text(max_size=2)),
    st.sampled_from(
        [
            EventStatus.BLOCKED,
            ChannelType.SMS,
            _Shade.DARK,
            "text",
            "media",
            datetime.now(UTC),
            TextContent(body="x"),
            TextContent(body="x").model_copy(update={"type": "media"}),
            MediaContent(url="https://x.test/a.png", mime_type="image/png"),
            EventSource(channel_id="c", channel_type=ChannelType.SMS),
            {},
            {"k": 1},
            {1: "x"},
            [],
            [1],
            (1,),
            b"x",
        ]
    ),
)


@pytest.mark.parametrize(
    "model",
    [
        _event(),
        _event().source,
        _event().content,
        Room(),
        ChannelBinding(room_id="r", channel_id="c", channel_type=ChannelType.SMS),
    ],
    ids=lambda m: type(m).__name__,
)
@settings(max_examples=150, deadline=None)
@given(data=st.data())
def test_the_plan_accepts_only_what_strict_validation_accepts(model: BaseModel, data: Any) -> None:
    cls = type(model)
    plan = plan_for(cls)
    if plan is None:
        return
    values = dict(model.__dict__)
    assert passes(plan, values)  # a model built by validation passes as it is
    name = data.draw(st.sampled_from(sorted(values)))
    values[name] = data.draw(_ANY)
    if passes(plan, values):
        assert _strict_ok(cls, values), f"{cls.__name__}.{name}={values[name]!r}"


def test_refused_values_get_pydantics_error_as_before() -> None:
    cases: list[tuple[dict[str, Any], str]] = [
        ({"chain_depth": -3}, r"RoomEvent is not a valid RoomEvent: chain_depth"),
        ({"index": True}, r"RoomEvent is not a valid RoomEvent: index"),
        ({"status": "blocked"}, r"RoomEvent is not a valid RoomEvent: status"),
        ({"metadata": None}, r"RoomEvent is not a valid RoomEvent: metadata"),
        ({"id": _Str("x")}, r"RoomEvent.id is a _Str: stores keep JSON values only"),
    ]
    for update, says in cases:
        with pytest.raises(StoreInputError, match=says):
            check_storable(_event().model_copy(update=update))


def test_a_content_whose_tag_names_another_class_is_refused() -> None:
    content = TextContent(body="x").model_copy(update={"type": "media"})
    with pytest.raises(StoreInputError, match="not a valid"):
        check_storable(_event().model_copy(update={"content": content}))


def test_an_extra_key_in_a_forbidding_model_is_refused() -> None:
    content = TextContent(body="x")
    content.__dict__["colour"] = "red"
    with pytest.raises(StoreInputError, match="colour"):
        check_storable(_event().model_copy(update={"content": content}))


def test_classes_it_cannot_decide_get_no_plan() -> None:
    class Checked(BaseModel):
        name: str

        @field_validator("name")
        @classmethod
        def _upper(cls, value: str) -> str:
            return value.upper()

    class Aliased(BaseModel):
        name: str = Field(alias="n")

    class Patterned(BaseModel):
        name: str = Field(pattern="^a")

    class Tupled(BaseModel):
        pair: tuple[int, int]

    for cls in (Checked, Aliased, Patterned, Tupled):
        assert plan_for(cls) is None, cls.__name__
    assert plan_for(RoomEvent) is not None
    assert plan_for(TextContent) is not None


#: Values the compiled check must look inside: text with NUL or a lone surrogate, big ints,
#: non-finite floats, nested data, dicts with odd keys.
_DEEP = st.one_of(
    _ANY,
    st.sampled_from(
        [
            "a\x00b",
            "caf\xe9",
            "\ud800",
            2**63,
            -(2**63) - 1,
            float("inf"),
            {"k": "\x00"},
            {"k": [1, {"x": float("nan")}]},
            {"k": {"deep": b"x"}},
            [{"k": 1}],
            TextContent(body="bad\x00"),
            EventSource(channel_id="c\x00", channel_type=ChannelType.SMS),
        ]
    ),
)


def _full_check_ok(model: BaseModel, monkeypatch: pytest.MonkeyPatch) -> bool:
    """``check_storable`` with every compiled quick check turned off (the rules as written)."""
    with monkeypatch.context() as patch:
        patch.setattr(validation, "_quick_for", lambda cls: None)
        patch.setattr(validation, "_QUICK", {})
        try:
            check_storable(model)
        except StoreInputError:
            return False
    return True


@pytest.mark.parametrize(
    "model",
    [_event(), _event().source, _event().content, Room()],
    ids=lambda m: type(m).__name__,
)
@settings(max_examples=200, deadline=None)
@given(data=st.data())
def test_the_compiled_check_accepts_only_what_the_full_check_accepts(
    model: BaseModel, data: Any
) -> None:
    cls = type(model)
    quick = validation._quick_for(cls)
    assert quick is not None
    values = dict(model.__dict__)
    check_storable(model)  # compiles the nested classes' checks too
    assert quick(values, 0)  # a model built by validation passes as it is
    for _ in range(data.draw(st.integers(min_value=1, max_value=2))):
        values[data.draw(st.sampled_from(sorted(values)))] = data.draw(_DEEP)
    changed = cls.model_construct(**values)
    changed.__dict__.clear()
    changed.__dict__.update(values)
    if quick(values, 0):
        with pytest.MonkeyPatch.context() as monkeypatch:
            assert _full_check_ok(changed, monkeypatch), values


def test_refusals_read_the_same_with_the_compiled_check() -> None:
    bad = _event(metadata={"k": [1, {"x": float("nan")}]})
    with pytest.raises(StoreInputError, match=r"RoomEvent.metadata\['k'\]\[1\]\['x'\] is nan"):
        check_storable(bad)
    bad = _event(idempotency_key="k\x00")
    with pytest.raises(StoreInputError, match=r"RoomEvent.idempotency_key contains a NUL"):
        check_storable(bad)
    source = EventSource(channel_id="c", channel_type=ChannelType.SMS, provider="\ud800")
    bad = _event().model_copy(update={"source": source})
    with pytest.raises(StoreInputError, match=r"RoomEvent.source.provider contains a lone"):
        check_storable(bad)
