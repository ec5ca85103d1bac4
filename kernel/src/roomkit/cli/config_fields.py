"""A component's config model as rows a person reads: name, type, default, description.

Descriptions come from ``Field(description=...)`` or, failing that, from the ``#:`` comment
above the field (the Sphinx convention the plugins use); reStructuredText and Markdown markup
(``:class:`~a.B```, double backquotes, ``**bold**``, links) is reduced to plain text. Secret
defaults are never shown.
"""

from __future__ import annotations

import inspect
import re
import types
import typing
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, SecretBytes, SecretStr
from pydantic.fields import FieldInfo
from pydantic_core import PydanticUndefined

__all__ = ["ConfigField", "config_fields", "plain_text"]


@dataclass(frozen=True)
class ConfigField:
    """One row of the config table."""

    name: str
    type: str
    default: str
    description: str

    def to_dict(self) -> dict[str, str]:
        """JSON-ready form."""
        return {
            "name": self.name,
            "type": self.type,
            "default": self.default,
            "description": self.description,
        }


_ROLE = re.compile(r":[\w:]+:`~?(?:[^`<]*<)?([^`>]+)>?`")
_LINK = re.compile(r"\[([^\]]+)\]\([^)]+\)")


def plain_text(text: str) -> str:
    """``text`` without Sphinx roles, backquotes, emphasis and Markdown links, on one line."""
    text = _ROLE.sub(lambda m: m.group(1).rsplit(".", 1)[-1].removesuffix("()"), text)
    text = _LINK.sub(r"\1", text)
    text = text.replace("``", "").replace("`", "")
    text = re.sub(r"\*\*([^*]+)\*\*", r"\1", text)
    text = re.sub(r"(?<!\w)\*([^*]+)\*(?!\w)", r"\1", text)
    return " ".join(text.split())


def config_fields(model: type[BaseModel]) -> list[ConfigField]:
    """The fields of ``model``, in declaration order."""
    comments = _field_comments(model)
    rows = []
    for name, info in model.model_fields.items():
        description = info.description or comments.get(name, "")
        rows.append(
            ConfigField(
                name=info.alias or name,
                type=type_name(info.annotation),
                default=_default(info),
                description=plain_text(description),
            )
        )
    return rows


def type_name(annotation: Any) -> str:
    """A short, readable name of a type annotation (``str | None``, ``Literal['a', 'b']``)."""
    if annotation is None or annotation is type(None):
        return "None"
    origin = typing.get_origin(annotation)
    args = typing.get_args(annotation)
    if origin in (typing.Union, types.UnionType):
        return " | ".join(type_name(arg) for arg in args)
    if origin is typing.Literal:
        return " | ".join(repr(arg) for arg in args)
    if origin is typing.Annotated:
        return type_name(args[0])
    if origin is not None:
        name = getattr(origin, "__name__", str(origin))
        return f"{name}[{', '.join(type_name(arg) for arg in args)}]" if args else name
    if isinstance(annotation, type):
        return annotation.__name__
    return re.sub(r"(?:\w+\.)+(\w+)", r"\1", str(annotation))


def _default(info: FieldInfo) -> str:
    if info.default_factory is not None:
        try:
            value = info.default_factory()  # type: ignore[call-arg]
        except Exception:
            return "(computed)"
        return repr(value)
    if info.default is PydanticUndefined:
        return "required"
    if isinstance(info.default, SecretStr | SecretBytes):
        return "(secret)"
    return repr(info.default)


def _field_comments(model: type[BaseModel]) -> dict[str, str]:
    """``#:`` comments above field annotations, from the model and its bases."""
    found: dict[str, str] = {}
    for cls in reversed(model.__mro__):
        if not (isinstance(cls, type) and issubclass(cls, BaseModel)) or cls is BaseModel:
            continue
        try:
            lines = inspect.getsource(cls).splitlines()
        except (OSError, TypeError):
            continue
        pending: list[str] = []
        for line in lines:
            stripped = line.strip()
            if stripped.startswith("#:"):
                pending.append(stripped[2:].strip())
                continue
            match = re.match(r"(\w+)\s*:", stripped)
            if match and pending:
                found[match.group(1)] = " ".join(pending)
            pending = []
    return found
