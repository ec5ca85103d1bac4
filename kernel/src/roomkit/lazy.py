"""Lazy public names for a package: import a module only when one of its names is used.

A package's ``__init__`` keeps a table ``name -> "package.module"`` and installs the two
module-level hooks this builds::

    _EXPORTS = {"PostgresStore": "roomkit_postgres.store"}
    __getattr__, __dir__ = lazy_exports(__name__, _EXPORTS, globals())

so ``import package`` stays cheap (no SDK import) while ``from package import PostgresStore``
works as usual. Plugins use it for the same reason the kernel does.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from typing import Any

__all__ = ["lazy_exports"]


def lazy_exports(
    package: str,
    table: Mapping[str, str],
    namespace: dict[str, Any],
    *,
    fallback: Callable[[str], Any] | None = None,
) -> tuple[Callable[[str], Any], Callable[[], list[str]]]:
    """Build ``(__getattr__, __dir__)`` for ``package`` from ``table``.

    A resolved name is cached in ``namespace`` (the package's ``globals()``), so each module
    is imported once. Names missing from ``table`` go to ``fallback`` when given (dunder names
    never do), otherwise raise :class:`AttributeError` as a plain module would.
    """

    def __getattr__(name: str) -> Any:
        module_name = table.get(name)
        if module_name is not None:
            value = getattr(importlib.import_module(module_name), name)
        elif fallback is not None and not name.startswith("__"):
            value = fallback(name)
        else:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        namespace[name] = value
        return value

    def __dir__() -> list[str]:
        return sorted(set(namespace) | set(table))

    return __getattr__, __dir__
