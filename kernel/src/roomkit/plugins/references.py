"""Check the lazy ``"module:attr"`` references of every installed component.

Listing plugins never imports a component's module, so a descriptor naming a module or class
that does not exist lists as healthy. :func:`check_references` finds those: by default it only
locates each referenced module (``importlib.util.find_spec``: the plugin's package is imported,
the component module and its vendor SDK are not); with ``deep=True`` it imports each factory
and config model and checks what it finds (a callable, a pydantic model).
"""

from __future__ import annotations

import importlib.util
from dataclasses import dataclass

from pydantic import BaseModel

from roomkit.plugins.catalogue import Catalogue
from roomkit.plugins.descriptors import ComponentDescriptor, load_ref

__all__ = ["BrokenReference", "check_references"]


@dataclass(frozen=True)
class BrokenReference:
    """A descriptor field whose reference cannot be resolved."""

    plugin: str
    kind: str
    name: str
    field: str
    ref: str
    error: str

    def __str__(self) -> str:
        return (
            f"plugin {self.plugin!r}: {self.kind} {self.name!r} has a broken {self.field} "
            f"{self.ref!r}: {self.error}"
        )


def check_references(catalogue: Catalogue, *, deep: bool = False) -> list[BrokenReference]:
    """Every broken factory, config model and conformance reference of healthy plugins.

    Conformance references are only located, never imported (they need the test extras).
    """
    broken: list[BrokenReference] = []
    for record in catalogue.plugins:
        if not record.ok:
            continue
        for descriptor in record.components:
            for field, ref, importing in _references(descriptor, deep):
                error = _import_error(ref, field) if importing else _locate_error(ref)
                if error is not None:
                    broken.append(
                        BrokenReference(
                            record.name, descriptor.kind, descriptor.name, field, ref, error
                        )
                    )
    return broken


def _references(descriptor: ComponentDescriptor, deep: bool) -> list[tuple[str, str, bool]]:
    found = [("factory", descriptor.factory, deep)]
    if descriptor.config_model is not None:
        found.append(("config_model", descriptor.config_model, deep))
    if descriptor.conformance is not None:
        found.append(("conformance", descriptor.conformance, False))
    return found


def _describe(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}"


def _locate_error(ref: str) -> str | None:
    module = ref.partition(":")[0]
    try:
        found = importlib.util.find_spec(module)
    except (Exception, SystemExit) as exc:  # a parent package that fails to import
        return _describe(exc)
    return None if found is not None else f"no module named {module!r}"


def _import_error(ref: str, field: str) -> str | None:
    try:
        value = load_ref(ref)
    except (Exception, SystemExit) as exc:
        return _describe(exc)
    if field == "config_model" and not (isinstance(value, type) and issubclass(value, BaseModel)):
        return "not a pydantic model"
    if field == "factory" and not callable(value):
        return "not callable"
    return None
