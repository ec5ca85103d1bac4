"""Fast construction of models whose field values are already valid.

Pydantic validation is the right default at the edges (user input, JSON from a store), but the
engine builds many objects per message from values that are already typed and checked: a
RoomEvent from a validated InboundMessage, a RoomContext from stored objects, and so on.
:func:`construct` fills a model's ``__dict__`` directly (defaults included) and shares one
``fields_set`` per class, which is both faster than ``model_construct`` and smaller in memory.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from pydantic import BaseModel

__all__ = ["construct", "construct_all", "set_dict", "set_extra", "set_fields", "set_private"]

M = TypeVar("M", bound=BaseModel)

_new = object.__new__  # what BaseModel instances are made with (no __new__ of their own)
# BaseModel's slot setters, called directly: each call costs about 60% of an
# ``object.__setattr__(obj, name, value)`` (no name lookup through the type on the way).
_SLOTS = BaseModel.__dict__
set_dict: Callable[[Any, dict[str, Any]], None] = _SLOTS["__dict__"].__set__
set_fields: Callable[[Any, set[str]], None] = _SLOTS["__pydantic_fields_set__"].__set__
set_extra: Callable[[Any, None], None] = _SLOTS["__pydantic_extra__"].__set__
set_private: Callable[[Any, None], None] = _SLOTS["__pydantic_private__"].__set__
_PLANS: dict[
    type[BaseModel], tuple[dict[str, Any], tuple[tuple[str, Callable[[], Any]], ...], set[str]]
] = {}


def _plan(
    cls: type[BaseModel],
) -> tuple[dict[str, Any], tuple[tuple[str, Callable[[], Any]], ...], set[str]]:
    # Every field has a slot in field order, so ``update`` keeps the declared order.
    static: dict[str, Any] = {}
    factories: list[tuple[str, Callable[[], Any]]] = []
    for name, field in cls.model_fields.items():
        static[name] = None if field.is_required() or field.default_factory else field.default
        if field.default_factory is not None:
            factories.append((name, field.default_factory))  # type: ignore[arg-type]
    plan = (static, tuple(factories), set(cls.model_fields))
    _PLANS[cls] = plan
    return plan


def construct(cls: type[M], values: dict[str, Any]) -> M:
    """An instance of ``cls`` holding ``values`` plus defaults for the missing fields.

    No validation runs: the caller guarantees every value already has the right type. Every
    instance of a class shares one ``fields_set`` holding all field names, so later attribute
    assignment never grows it.
    """
    plan = _PLANS.get(cls) or _plan(cls)
    static, factories, fields_set = plan
    data = {**static, **values}
    for name, factory in factories:
        if name not in values:
            data[name] = factory()
    obj = _new(cls)
    set_dict(obj, data)
    set_fields(obj, fields_set)
    set_extra(obj, None)
    set_private(obj, None)
    return obj


def construct_all(cls: type[M], values: dict[str, Any]) -> M:
    """:func:`construct` for ``values`` holding every field of ``cls`` in declared order: the
    dict itself becomes the instance's ``__dict__`` (no defaults to merge), so the caller hands
    it over and keeps no reference to it."""
    plan = _PLANS.get(cls) or _plan(cls)
    obj = _new(cls)
    set_dict(obj, values)
    set_fields(obj, plan[2])
    set_extra(obj, None)
    set_private(obj, None)
    return obj
