"""Plain attribute reads on DeferredModel classes (``roomkit.deferred.plain_reads``)."""

from __future__ import annotations

import platform
from typing import Any

import pytest
from pydantic import ConfigDict, PrivateAttr

from roomkit.deferred import DeferredModel, plain_reads
from roomkit.models.event import RoomEvent

CPYTHON = platform.python_implementation() == "CPython"


class _Plain(DeferredModel):
    name: str = "a"
    count: int = 0


class _WithPrivate(DeferredModel):
    name: str = "a"
    _secret: str = PrivateAttr(default="hidden")


class _Extra(DeferredModel):
    model_config = ConfigDict(extra="allow")
    name: str = "a"


class _OwnGetattr(DeferredModel):
    name: str = "a"

    def __getattr__(self, item: str) -> Any:
        return f"computed {item}"


class _PrivateChild(_Plain):
    _note: str = PrivateAttr(default="child note")


def test_fields_read_as_before_and_missing_ones_raise_the_same_error() -> None:
    model = _Plain(name="x", count=3)
    assert (model.name, model.count) == ("x", 3)
    model.count = 4
    assert model.count == 4
    with pytest.raises(AttributeError, match="'_Plain' object has no attribute 'missing'"):
        model.missing  # noqa: B018
    assert model.model_fields_set == {"name", "count"}  # class-level helpers still found


@pytest.mark.skipif(not CPYTHON, reason="the slot is only changed on CPython")
def test_models_without_private_or_extra_attributes_get_plain_reads() -> None:
    assert plain_reads(_Plain) is True
    assert plain_reads(RoomEvent) is True


def test_models_whose_getattr_can_answer_keep_it() -> None:
    assert plain_reads(_WithPrivate) is False
    assert _WithPrivate()._secret == "hidden"
    assert plain_reads(_Extra) is False
    assert _Extra(name="x", colour="blue").colour == "blue"  # type: ignore[attr-defined]
    assert plain_reads(_OwnGetattr) is False
    assert _OwnGetattr().anything == "computed anything"


def test_a_subclass_is_decided_on_its_own() -> None:
    child = _PrivateChild(name="y")
    assert plain_reads(_PrivateChild) is False
    assert (child.name, child._note) == ("y", "child note")
    assert _Plain(name="z").name == "z"  # the parent is unaffected by its child
