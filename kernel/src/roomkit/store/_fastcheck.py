"""A quick test that a model's field values pass pydantic's strict validation.

:func:`~roomkit.store.validation.check_storable` validates every model strictly before a store
writes it. Asking pydantic costs a few microseconds per model (an event is three: itself, its
source and its content), the largest part of storing an event in memory. Most models hold
exactly the types they declare, which a per-class plan of ``type(value) is ...`` tests decides
faster.

The plan only ever answers "certainly valid": every test is a subset of what strict
validation accepts (exact types, the declared constraints, the discriminator of a tagged
union). Anything else - a subclass, a missing field, a value it cannot decide - answers "ask
pydantic", and the caller validates as before, with pydantic's error. A class the planner does
not fully understand (validators, aliases, a custom ``__init__``, constraints or annotations
other than those below) gets no plan: pydantic decides every time.

:func:`compile_plan` turns a plan, with the store's per-value rules (text without NUL or lone
surrogates, 64-bit integers, JSON data), into one straight-line function per class: the
interpreter's cost is per bytecode, and walking the plan in a loop spent most of it on the
loop. It too only answers "certainly storable" or "not sure".
"""

from __future__ import annotations

import operator
import types
import typing
from collections.abc import Callable
from datetime import datetime
from enum import Enum
from typing import Any

import annotated_types
from pydantic import BaseModel

__all__ = ["Plan", "compile_plan", "passes", "plan_for"]

#: One field: its name, the exact types its value may have (``None``: any), a further test
#: of the value (``None``: none needed), and whether an empty value needs no test (a
#: container whose test looks at its items).
Field = tuple[str, frozenset[type] | None, Callable[[Any], bool] | None, bool]
#: A class's fields, and whether extra keys in ``__dict__`` are refused (``extra="forbid"``).
Plan = tuple[tuple[Field, ...], bool]


class _Unsupported(Exception):
    """The planner cannot decide this annotation: the class gets no plan."""


_SIMPLE: frozenset[type] = frozenset({str, int, float, bool, datetime, type(None)})
_CONTAINERS: frozenset[type] = frozenset({dict, list, type(None)})
_Check = tuple[frozenset[type] | None, Callable[[Any], bool] | None]


def plan_for(cls: type[BaseModel]) -> Plan | None:
    """The plan of ``cls``, or ``None`` when pydantic must decide every time."""
    decorators = cls.__pydantic_decorators__
    if (
        decorators.validators
        or decorators.field_validators
        or decorators.root_validators
        or decorators.model_validators
        or cls.__init__ is not BaseModel.__init__
        or cls.model_config.get("extra") not in (None, "ignore", "forbid")
        or cls.model_config.get("populate_by_name")
    ):
        return None
    fields: list[Field] = []
    try:
        for name, info in cls.model_fields.items():
            if info.alias is not None or info.validation_alias is not None:
                return None
            allowed, test = _compile(info.annotation, info.discriminator)
            items_only = test is not None and allowed is not None and allowed <= _CONTAINERS
            if info.metadata:
                test = _constrained(allowed, test, info.metadata)
                items_only = False  # a length bound tests empty containers too
            fields.append((name, allowed, test, items_only))
    except _Unsupported:
        return None
    return tuple(fields), cls.model_config.get("extra") == "forbid"


def passes(plan: Plan, values: dict[str, Any]) -> bool:
    """Whether ``values`` (a model's ``__dict__``) certainly pass strict validation."""
    fields, forbid = plan
    if forbid and len(values) != len(fields):
        return False
    for name, allowed, test, items_only in fields:
        try:
            value = values[name]
        except KeyError:
            return False
        if allowed is not None and type(value) not in allowed:
            return False
        if test is not None and (value or not items_only) and not test(value):
            return False
    return True


#: What :func:`compile_plan` returns: ``check(fields, depth)`` answers whether a model's
#: ``__dict__`` certainly passes :func:`~roomkit.store.validation.check_storable` entirely.
Compiled = Callable[[dict[str, Any], int], bool]
_NONE = type(None)
_TEXT_OK = 'v.isascii() and "\\x00" not in v'


def compile_plan(
    plan: Plan,
    typed: frozenset[str],
    *,
    quick: Callable[[type], Compiled | None],
    json_ok: Callable[[Any, int], bool],
    shared: object,
    int_range: tuple[int, int],
) -> Compiled:
    """One function doing :func:`passes` and the per-value rules of ``check_storable`` for a
    class, straight-line: no loop over the plan, few bytecodes per field.

    It only answers: ``True`` means the plan passes and every value is one the store accepts
    as it is; ``False`` means "not sure" (the caller runs the full check, with its errors).
    ``typed`` are the fields strict validation checks completely, ``quick(cls)`` gives the
    compiled check of a nested model's class (``None``: not sure, or not made yet),
    ``json_ok(value, depth)`` answers for free-form data, ``shared`` is an immutable default
    that needs no check, ``int_range`` the integers a store keeps.
    """
    fields, _ = plan
    names: dict[str, Any] = {
        "quick": quick,
        "json_ok": json_ok,
        "SHARED": shared,
        "LOW": int_range[0],
        "HIGH": int_range[1],
        "BaseModel": BaseModel,
    }
    body: list[str] = [f"if len(d) != {len(fields)}:", "    return False"]
    for i, (name, allowed, test, items_only) in enumerate(fields):
        body.append(f"v = d[{name!r}]")
        body += _field_lines(i, name in typed, allowed, test, items_only, shared, names)
    body.append("return True")
    source = "def check(d, depth):\n    try:\n"
    source += "".join(f"        {line}\n" for line in body)
    source += "    except KeyError:\n        return False\n"
    exec(source, names)  # the code is built above from the class's own plan
    check: Compiled = names["check"]
    return check


def _field_lines(
    i: int,
    typed: bool,
    allowed: frozenset[type] | None,
    test: Callable[[Any], bool] | None,
    items_only: bool,
    shared: object,
    names: dict[str, Any],
) -> list[str]:
    """The lines checking one field's value ``v`` (see :func:`compile_plan`)."""
    if allowed is None:  # ``Any``: every rule of the full check, by the value's type
        return [
            "t = type(v)",
            "if t is str:",
            f"    if not ({_TEXT_OK}):",
            "        return False",
            "elif not (v is None or (t is dict and not v) or v is SHARED",
            "         or (t is int and LOW <= v <= HIGH)):",
            "    if isinstance(v, BaseModel):",
            "        q = quick(t)",
            "        if q is None or not q(v.__dict__, depth + 1):",
            "            return False",
            "    elif not json_ok(v, depth):",
            "        return False",
        ]
    names[f"A{i}"] = allowed
    kinds = allowed - {_NONE}
    if allowed == {str, _NONE} and test is None:  # an optional text, often None: one test
        return [
            "if v is not None:",
            f"    if type(v) is not str or not ({_TEXT_OK}):",
            "        return False",
        ]
    lines: list[str] = []
    if len(allowed) == 1:
        names[f"T{i}"] = next(iter(allowed))
        lines += [f"if type(v) is not T{i}:", "    return False"]
    else:
        lines += [f"if type(v) not in A{i}:", "    return False"]
    if test is not None:
        lines += _test_lines(i, test, items_only, names)
    if typed:  # enums, datetimes, bools: the type is the whole check
        return lines
    if not kinds:
        return lines
    guard = "v is not None and " if _NONE in allowed else ""
    if kinds == {str}:
        return [*lines, f"if {guard}not ({_TEXT_OK}):", "    return False"]
    if kinds == {int}:
        return [*lines, f"if {guard}not LOW <= v <= HIGH:", "    return False"]
    if kinds <= {dict, list}:
        return [*lines, "if v and not json_ok(v, depth):", "    return False"]
    if all(issubclass(kind, BaseModel) for kind in kinds):
        skip = "v is not SHARED" if type(shared) in kinds else ""
        return [
            *lines,
            f"if {guard}{skip or 'True'}:",
            "    q = quick(type(v))",
            "    if q is None or not q(v.__dict__, depth + 1):",
            "        return False",
        ]
    return _generic(lines)


def _generic(lines: list[str]) -> list[str]:
    return [*lines, *_field_lines(-1, False, None, None, False, None, {})]


def _test_lines(
    i: int, test: Callable[[Any], bool], items_only: bool, names: dict[str, Any]
) -> list[str]:
    literals = getattr(test, "__self__", None)
    if type(literals) is frozenset and getattr(test, "__name__", "") == "__contains__":
        names[f"L{i}"] = literals  # a Literal: the membership test inline
        return [f"if v not in L{i}:", "    return False"]
    minimum = getattr(test, "minimum", None)
    if minimum is not None:  # ``Field(ge=...)``, inline
        names[f"M{i}"] = minimum
        return [f"if v is not None and v < M{i}:", "    return False"]
    names[f"F{i}"] = test
    guard = f"v and not F{i}(v)" if items_only else f"not F{i}(v)"
    return [f"if {guard}:", "    return False"]


def _compile(annotation: Any, discriminator: Any = None) -> _Check:
    if annotation is Any:
        return None, None
    if annotation is None or annotation is type(None):
        return frozenset({type(None)}), None
    if isinstance(annotation, type):
        if annotation in _SIMPLE:
            return frozenset({annotation}), None
        if issubclass(annotation, Enum) or issubclass(annotation, BaseModel):
            # A nested model is checked on its own by the caller (validated as a model).
            return frozenset({annotation}), None
        raise _Unsupported(annotation)
    origin = typing.get_origin(annotation)
    args = typing.get_args(annotation)
    if origin is typing.Literal:
        if not all(type(value) is str for value in args):
            raise _Unsupported(annotation)
        literals = frozenset(args)
        return frozenset({str}), literals.__contains__
    if origin is typing.Union or origin is types.UnionType:
        return _union(args, discriminator)
    if origin is dict and len(args) == 2 and args[0] is str:
        return frozenset({dict}), _items(args[1], keys=True)
    if origin is list and len(args) == 1:
        return frozenset({list}), _items(args[0], keys=False)
    raise _Unsupported(annotation)


def _union(members: tuple[Any, ...], discriminator: Any) -> _Check:
    if discriminator is not None:
        if not isinstance(discriminator, str):
            raise _Unsupported(discriminator)
        return _tagged(members, discriminator)
    allowed: set[type] = set()
    tests: dict[type, Callable[[Any], bool]] = {}
    for member in members:
        member_types, test = _compile(member)
        if member_types is None:
            return None, None  # ``Any`` in the union: anything goes
        if allowed & member_types:  # two members claim a type: strict unions try both
            raise _Unsupported(members)
        allowed |= member_types
        if test is not None:
            tests.update(dict.fromkeys(member_types, test))
    if not tests:
        return frozenset(allowed), None

    def by_type(value: Any) -> bool:
        test = tests.get(type(value))
        return test is None or test(value)

    return frozenset(allowed), by_type


def _tagged(members: tuple[Any, ...], key: str) -> _Check:
    """A tagged union of models: the value's class must be the member its tag names."""
    tags: dict[type, frozenset[str]] = {}
    for member in members:
        if not (isinstance(member, type) and issubclass(member, BaseModel)):
            raise _Unsupported(member)
        info = member.model_fields.get(key)
        if info is None or typing.get_origin(info.annotation) is not typing.Literal:
            raise _Unsupported(member)
        values = typing.get_args(info.annotation)
        if not all(type(value) is str for value in values):
            raise _Unsupported(member)
        tags[member] = frozenset(values)

    def tagged(value: Any) -> bool:
        tag = value.__dict__.get(key)
        return type(tag) is str and tag in tags[type(value)]

    return frozenset(tags), tagged


def _items(annotation: Any, *, keys: bool) -> Callable[[Any], bool] | None:
    """The test of a ``dict[str, X]`` (``keys``) or ``list[X]`` value."""
    allowed, test = _compile(annotation)
    if keys:
        if allowed is None:
            return _str_keys

        def mapping(value: dict[Any, Any]) -> bool:
            for key, item in value.items():
                if type(key) is not str or type(item) not in allowed:
                    return False
                if test is not None and not test(item):
                    return False
            return True

        return mapping
    if allowed is None:
        return None

    def sequence(value: list[Any]) -> bool:
        for item in value:
            if type(item) not in allowed:
                return False
            if test is not None and not test(item):
                return False
        return True

    return sequence


def _str_keys(value: dict[Any, Any]) -> bool:
    return all(type(key) is str for key in value)


_NUMBERS = frozenset({int, float, type(None)})
_SIZED = frozenset({str, list, dict, type(None)})


def _constrained(
    allowed: frozenset[type] | None, test: Callable[[Any], bool] | None, metadata: list[Any]
) -> Callable[[Any], bool] | None:
    """``test`` plus the field's ``ge`` / ``gt`` / ``le`` / ``lt`` / length constraints."""
    bounds: list[Callable[[Any], bool]] = []
    for item in metadata:
        numeric = isinstance(item, annotated_types.Ge | annotated_types.Gt)
        numeric = numeric or isinstance(item, annotated_types.Le | annotated_types.Lt)
        if numeric and (allowed is None or not allowed <= _NUMBERS):
            raise _Unsupported(item)
        sized = isinstance(item, annotated_types.MinLen | annotated_types.MaxLen)
        if sized and (allowed is None or not allowed <= _SIZED):
            raise _Unsupported(item)
        if isinstance(item, annotated_types.Ge):
            bounds.append(_bound(operator.ge, item.ge, sized=False))
        elif isinstance(item, annotated_types.Gt):
            bounds.append(_bound(operator.gt, item.gt, sized=False))
        elif isinstance(item, annotated_types.Le):
            bounds.append(_bound(operator.le, item.le, sized=False))
        elif isinstance(item, annotated_types.Lt):
            bounds.append(_bound(operator.lt, item.lt, sized=False))
        elif isinstance(item, annotated_types.MinLen):
            bounds.append(_bound(operator.ge, item.min_length, sized=True))
        elif isinstance(item, annotated_types.MaxLen):
            bounds.append(_bound(operator.le, item.max_length, sized=True))
        else:
            raise _Unsupported(item)
    if not bounds:
        return test
    if test is None and len(bounds) == 1:
        return bounds[0]
    checks = ([test] if test is not None else []) + bounds

    def constrained(value: Any) -> bool:
        return all(check(value) for check in checks)

    return constrained


def _bound(
    compare: Callable[[Any, Any], bool], limit: Any, *, sized: bool
) -> Callable[[Any], bool]:
    if compare is operator.ge and not sized:  # the common one (``Field(ge=0)``), direct

        def at_least(value: Any) -> bool:
            return value is None or value >= limit

        at_least.minimum = limit  # type: ignore[attr-defined]  # compile_plan inlines it
        return at_least

    def check(value: Any) -> bool:
        return value is None or compare(len(value) if sized else value, limit)

    return check
