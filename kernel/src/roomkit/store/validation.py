"""What a conversation store accepts: the one check every store runs before it writes.

A store must never hold what it cannot read back, and every store must keep the same things:
what one store would change on the way through (NaN to ``null``, bytes to text, tuples and sets
to lists, a big float to an integer) or cannot hold at all (a NUL character in PostgreSQL, a
lone surrogate in UTF-8) is refused by all of them, with :class:`~roomkit.errors.StoreInputError`.

The rules (also in the contract's docstring, :class:`~roomkit.store.base.ConversationStore`):

* every model is valid for its class, strictly (``model_copy(update=...)`` skips validation,
  so a hook can hand back ``metadata=None`` or ``chain_depth=-3``; such a model is refused);
* strings hold no NUL character and no lone surrogate;
* free-form data (``metadata``, ``data``, ``parameters``) is JSON: ``dict`` with ``str`` keys,
  ``list``, ``str``, ``bool``, ``None``, ``int`` within 64 bits and finite ``float``; nesting
  at most :data:`MAX_DEPTH` levels;
* page bounds (``offset``, ``limit``, ``recent``) are ``int`` in ``0 .. 2**63-1``; index bounds
  are ``int`` within 64 bits.

Keys used only to *read* (an id containing a NUL character, say) are not errors: nothing can
be stored under them, so reads answer "missing" (see :func:`readable_key`).
"""

from __future__ import annotations

import math
import typing
from datetime import datetime
from enum import Enum
from typing import Any

from pydantic import BaseModel, ValidationError

from roomkit.errors import StoreInputError
from roomkit.models.event import NO_CHANNEL_DATA
from roomkit.store._fastcheck import Compiled, Plan, compile_plan, passes, plan_for

__all__ = [
    "INT64_MAX",
    "INT64_MIN",
    "MAX_DEPTH",
    "check_index",
    "check_page",
    "check_recent",
    "check_storable",
    "check_text",
    "readable_key",
    "vouch",
]

INT64_MIN = -(2**63)
INT64_MAX = 2**63 - 1
MAX_DEPTH = 64
"""Deepest nesting of dicts and lists accepted in free-form data."""


def check_storable(model: BaseModel, what: str | None = None) -> None:
    """Raise :class:`StoreInputError` unless ``model`` can be stored and read back equal by
    every store (see the module docstring for the rules).

    A model the engine vouched for (:func:`vouch`) passes once without being looked at.
    """
    global _vouched
    if model is _vouched:
        _vouched = None
        return
    _model(model, what or type(model).__name__, 0)


#: The one model the engine vouched for, see :func:`vouch`.
_vouched: object = None


def vouch(model: BaseModel | None) -> None:
    """The engine's promise that ``model`` passes :func:`check_storable` (``None``: none).

    For an event the engine has just built from values it checked itself, that no other code
    has seen yet, so that the store it is handed to does not check it again. The next
    :func:`check_storable` of that very object passes and ends the promise; the engine ends it
    after the store call in any case (``vouch(None)``), so any later check of the object (it
    may have changed by then) is a full one. Only one model is vouched for at a time: another
    task's promise replaces it, and the replaced one is then simply checked in full.
    """
    global _vouched
    _vouched = model


def check_text(value: Any, what: str) -> str:
    """``value`` if it is a ``str`` a store can keep; :class:`StoreInputError` otherwise."""
    if type(value) is not str and not isinstance(value, str):
        raise StoreInputError(f"{what} must be a str, not {type(value).__name__}")
    _text(value, what)
    return value


def readable_key(value: object) -> bool:
    """Whether anything can be stored under ``value`` (a ``str`` without NUL or surrogates).

    Reads with another key answer "missing" (``None``, ``[]``, ``0``, ``False``) without
    asking the backend, which would fail on it.
    """
    if not isinstance(value, str):
        return False
    if value.isascii():
        return "\x00" not in value
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return "\x00" not in value


def check_page(offset: Any, limit: Any) -> tuple[int, int]:
    """Validated ``(offset, limit)``: ints in ``0 .. 2**63-1``."""
    return _bound(offset, "offset", 0), _bound(limit, "limit", 0)


def check_recent(recent: Any) -> int:
    """A validated ``recent`` count of a snapshot: an int up to 2**63-1; below 0 means 0."""
    return max(_bound(recent, "recent", INT64_MIN), 0)


def check_index(value: Any, what: str) -> int | None:
    """A validated index bound (``after_index`` / ``before_index``): ``None`` or a 64-bit int."""
    if value is None:
        return None
    return _bound(value, what, INT64_MIN)


def _bound(value: Any, what: str, low: int) -> int:
    if type(value) is bool or not isinstance(value, int):
        raise StoreInputError(f"{what} must be an int, not {type(value).__name__}")
    if not low <= value <= INT64_MAX:
        raise StoreInputError(f"{what} must be between {low} and 2**63-1, got {value}")
    return int(value)


def _text(value: str, where: _Path) -> None:
    if value.isascii():
        if "\x00" in value:
            raise StoreInputError(f"{_render(where)} contains a NUL character; remove it")
        return
    if "\x00" in value:
        raise StoreInputError(f"{_render(where)} contains a NUL character; remove it")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise StoreInputError(
            f"{_render(where)} contains a lone surrogate (not valid Unicode text); decode the text "
            "properly before storing it"
        ) from None


#: Where a value sits, for error messages: a str, or (the parent's path, a suffix) built only
#: when an error names it (paths are never formatted on the way through valid data).
_Path = str | tuple[Any, str]


def _render(where: _Path) -> str:
    parts: list[str] = []
    while type(where) is tuple:
        where, suffix = where
        parts.append(suffix)
    parts.append(where)  # type: ignore[arg-type]
    return "".join(reversed(parts))


def _model(model: BaseModel, where: _Path, depth: int) -> None:
    cls = type(model)
    fields = model.__dict__
    quick = _QUICK.get(cls, _NO_PLAN)
    if quick is _NO_PLAN:
        quick = _quick_for(cls)
    if quick is not None and quick(fields, depth):
        return  # certainly storable; otherwise the checks below decide, with their errors
    plan = _PLANS.get(cls, _NO_PLAN)
    if plan is _NO_PLAN:
        plan = _PLANS[cls] = plan_for(cls)
    if plan is None or not passes(plan, fields):
        _strict(cls, fields, where)
    skip = _TYPED.get(cls)
    if skip is None:
        skip = _TYPED[cls] = _typed_fields(cls)
    for name, value in fields.items():
        kind = type(value)
        # the common cases inline, without building the path (this runs for every event)
        if kind is str:
            if value.isascii() and "\x00" not in value:
                continue
        elif (
            value is None
            or name in skip  # strict validation has checked it completely
            or (kind is dict and not value)
            or (kind is int and INT64_MIN <= value <= INT64_MAX)
            or value is NO_CHANNEL_DATA  # the shared, immutable default of events
        ):
            continue
        elif isinstance(value, BaseModel):  # a nested model: no detour through _value
            _model(value, (where, f".{name}"), depth + 1)
            continue
        _value(value, (where, f".{name}"), depth)


def _strict(cls: type[BaseModel], fields: dict[str, Any], where: _Path) -> None:
    """Pydantic's strict validation of a model's values (what the plan could not decide)."""
    try:
        cls.__pydantic_validator__.validate_python(fields, strict=True)
    except ValidationError as exc:
        first = exc.errors(include_url=False)[0]
        location = ".".join(str(part) for part in first["loc"])
        raise StoreInputError(
            f"{_render(where)} is not a valid {cls.__name__}: {location}: {first['msg']} "
            "(a model changed with model_copy(update=...) is not validated; build it with "
            f"{cls.__name__}(...) or model_validate)"
        ) from None


def _quick_for(cls: type[BaseModel]) -> Compiled | None:
    """The compiled quick check of ``cls`` (``None`` without a plan), made once."""
    plan = _PLANS.get(cls, _NO_PLAN)
    if plan is _NO_PLAN:
        plan = _PLANS[cls] = plan_for(cls)
    skip = _TYPED.get(cls)
    if skip is None:
        skip = _TYPED[cls] = _typed_fields(cls)
    quick = None
    if plan is not None:
        quick = compile_plan(
            plan,
            skip,
            quick=_QUICK.get,  # a nested class not seen yet: the full check compiles it
            json_ok=_json_ok,
            shared=NO_CHANNEL_DATA,
            int_range=(INT64_MIN, INT64_MAX),
        )
    _QUICK[cls] = quick
    return quick


def _json_ok(value: Any, depth: int) -> bool:
    """Whether :func:`_value` accepts ``value`` (its errors are raised by the full check)."""
    try:
        _value(value, "", depth)
    except StoreInputError:
        return False
    return True


_TYPED: dict[type[BaseModel], frozenset[str]] = {}
#: Each class's compiled quick check (``None``: no plan); see ``_fastcheck.compile_plan``.
_QUICK: dict[type[BaseModel], Compiled | None] = {}
#: Each class's quick plan (``None``: pydantic decides every time); see ``_fastcheck``.
_PLANS: dict[type[BaseModel], Plan | None] = {}
_NO_PLAN: Any = object()


def _typed_fields(cls: type[BaseModel]) -> frozenset[str]:
    """Fields whose type strict validation checks in full: enums, datetimes, bools."""
    names = set()
    for name, info in cls.model_fields.items():
        options = typing.get_args(info.annotation) or (info.annotation,)
        if all(
            option is type(None)
            or option is bool
            or option is datetime
            or (isinstance(option, type) and issubclass(option, Enum))
            for option in options
        ):
            names.add(name)
    return frozenset(names)


def _value(value: Any, where: _Path, depth: int) -> None:
    kind = type(value)
    if kind is str:
        _text(value, where)
    elif value is None or kind is bool:
        return
    elif kind is int:
        if not INT64_MIN <= value <= INT64_MAX:
            raise StoreInputError(f"{_render(where)} is {value}: integers must fit in 64 bits")
    elif kind is float:
        if not math.isfinite(value):
            raise StoreInputError(f"{_render(where)} is {value}: JSON has no NaN or infinity")
    elif kind is dict or isinstance(value, dict):  # a dict subclass is stored as a dict
        if depth >= MAX_DEPTH:
            raise StoreInputError(f"{_render(where)} nests deeper than {MAX_DEPTH} levels")
        for key, item in value.items():
            if type(key) is not str:
                raise StoreInputError(
                    f"{_render(where)} has a {type(key).__name__} key {key!r}: JSON keys are str"
                )
            _text(key, (where, " key"))
            _value(item, (where, f"[{key!r}]"), depth + 1)
    elif kind is list:
        if depth >= MAX_DEPTH:
            raise StoreInputError(f"{_render(where)} nests deeper than {MAX_DEPTH} levels")
        for i, item in enumerate(value):
            _value(item, (where, f"[{i}]"), depth + 1)
    elif isinstance(value, BaseModel):
        _model(value, where, depth + 1)
    elif isinstance(value, Enum):
        _value(value.value, where, depth)
    elif isinstance(value, datetime):
        return
    else:
        raise StoreInputError(
            f"{_render(where)} is a {kind.__name__}: stores keep JSON values only (dict, list, "
            "str, int, finite float, bool, None); convert it (bytes to base64 text, tuples and "
            "sets to lists, datetimes to ISO text)"
        )
