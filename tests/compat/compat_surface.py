"""Describe a Python API surface as plain, comparable facts (standard library only).

Used twice: by ``snapshot_067.py`` under RoomKit 0.6.7's interpreter to write the committed
snapshot, and by ``test_parity.py`` to describe our own objects the same way before comparing.
Only introspection is used (``inspect.signature``, ``dir``, ``model_fields``, enum members);
no source text and no docstring is ever read or stored.
"""

from __future__ import annotations

import dataclasses
import enum
import inspect
import re
import types
from typing import Any

__all__ = [
    "describe_class_members",
    "describe_name",
    "describe_signature",
    "instance_attributes",
    "kind_of",
    "module_public_names",
    "render_default",
]

_ADDRESS = re.compile(r" at 0x[0-9a-fA-F]+")
_FOUNDATION_MODULES = ("builtins", "abc", "enum", "typing", "typing_extensions", "pydantic")


def render_default(value: Any) -> str:
    """A default value as stable text (memory addresses removed)."""
    if isinstance(value, enum.Enum):
        return f"{type(value).__name__}.{value.name}"
    if inspect.isclass(value) or inspect.isfunction(value):
        return f"<{getattr(value, '__qualname__', repr(value))}>"
    return _ADDRESS.sub("", repr(value))


def kind_of(obj: Any) -> str:
    """``enum``, ``class``, ``function``, ``module``, ``alias`` (typing) or ``constant``."""
    if inspect.isclass(obj) and issubclass(obj, enum.Enum):
        return "enum"
    if inspect.isclass(obj):
        return "class"
    if inspect.ismodule(obj):
        return "module"
    if inspect.isroutine(obj):
        return "function"
    origin = getattr(obj, "__origin__", None)
    if origin is not None or isinstance(obj, types.UnionType) or type(obj).__module__ == "typing":
        return "alias"
    return "constant"


def describe_signature(obj: Any) -> list[dict[str, Any]] | None:
    """Parameters of a callable: name, kind and default (as text); ``None`` if unavailable."""
    try:
        signature = inspect.signature(obj)
    except (TypeError, ValueError):
        return None
    params: list[dict[str, Any]] = []
    for param in signature.parameters.values():
        entry: dict[str, Any] = {"name": param.name, "kind": param.kind.name}
        if param.default is not inspect.Parameter.empty:
            entry["default"] = render_default(param.default)
        params.append(entry)
    return params


def _is_foundation(cls: type) -> bool:
    module = cls.__module__.split(".")[0]
    return module in _FOUNDATION_MODULES or cls.__module__.startswith("pydantic")


def _inherited_from_foundation(cls: type) -> set[str]:
    names: set[str] = set()
    for base in cls.__mro__[1:]:
        if _is_foundation(base):
            names.update(dir(base))
    if issubclass(cls, BaseException):
        names.update(dir(BaseException))
    return names


def _member_kind(cls: type, name: str) -> str:
    try:
        raw = inspect.getattr_static(cls, name)
    except AttributeError:
        return "attribute"
    if isinstance(raw, staticmethod):
        return "staticmethod"
    if isinstance(raw, classmethod):
        return "classmethod"
    if isinstance(raw, property) or type(raw).__name__ in {"cached_property", "deprecated"}:
        return "property"
    if inspect.iscoroutinefunction(raw):
        return "async method"
    if inspect.isfunction(raw):
        return "method"
    return "attribute"


def _model_fields(cls: type) -> dict[str, dict[str, Any]]:
    fields = getattr(cls, "model_fields", None)
    out: dict[str, dict[str, Any]] = {}
    if isinstance(fields, dict):
        for name, info in fields.items():
            required = bool(info.is_required())
            entry: dict[str, Any] = {"kind": "field", "required": required}
            if not required and info.default_factory is None:
                entry["default"] = render_default(info.default)
            out[name] = entry
    elif dataclasses.is_dataclass(cls):
        for f in dataclasses.fields(cls):
            required = f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING
            entry = {"kind": "field", "required": required}
            if f.default is not dataclasses.MISSING:
                entry["default"] = render_default(f.default)
            out[f.name] = entry
    return out


def describe_class_members(cls: type) -> dict[str, dict[str, Any]]:
    """Public members a class adds over its foundation bases (BaseModel, Enum, object ...).

    Model and dataclass fields have kind ``field``; enum members have kind ``enum member``
    and their value; methods carry their signature (``self``/``cls`` dropped).
    """
    members: dict[str, dict[str, Any]] = {}
    if issubclass(cls, enum.Enum):
        for name, member in cls.__members__.items():
            members[name] = {"kind": "enum member", "value": render_default(member.value)}
    members.update(_model_fields(cls))
    inherited = _inherited_from_foundation(cls)
    for name in dir(cls):
        if name.startswith("_") or name in members or name in inherited:
            continue
        kind = _member_kind(cls, name)
        entry: dict[str, Any] = {"kind": kind}
        if kind in {"method", "async method", "classmethod", "staticmethod"}:
            params = describe_signature(getattr(cls, name))
            if params is not None:
                bound = kind in {"method", "async method"}
                if bound and params and params[0]["name"] in {"self", "cls"}:
                    params = params[1:]
                entry["params"] = params
        members[name] = entry
    return dict(sorted(members.items()))


def describe_name(obj: Any) -> dict[str, Any]:
    """Kind, constructor/function signature and (for classes) public members of ``obj``."""
    kind = kind_of(obj)
    entry: dict[str, Any] = {"kind": kind}
    if kind in {"class", "function"}:
        params = describe_signature(obj)
        if params is not None:
            entry["params"] = params
    if kind in {"class", "enum"}:
        entry["members"] = describe_class_members(obj)
    return entry


def module_public_names(module: types.ModuleType) -> list[str]:
    """``__all__`` when the module declares one, otherwise the names it defines itself."""
    declared = getattr(module, "__all__", None)
    if declared is not None:
        return sorted(declared)
    names = []
    for name, value in vars(module).items():
        if name.startswith("_") or inspect.ismodule(value):
            continue
        if getattr(value, "__module__", None) == module.__name__:
            names.append(name)
    return sorted(names)


class _ModuleNamespace(dict[str, Any]):
    """A namespace for ``eval`` that looks names up on a module (lazy exports included)."""

    def __init__(self, module: types.ModuleType) -> None:
        super().__init__()
        self._module = module

    def __missing__(self, key: str) -> Any:
        try:
            return getattr(self._module, key)
        except AttributeError:
            raise KeyError(key) from None


def instance_attributes(module: types.ModuleType, call: str) -> list[str]:
    """Public attributes an instance built by ``call`` (an expression over ``module``'s names)
    sets on itself in ``__init__``."""
    instance = eval(call, {"__builtins__": {}}, _ModuleNamespace(module))
    return sorted(name for name in vars(instance) if not name.startswith("_"))
