"""Lazy public names for a package: import a module only when one of its names is used.

A package's ``__init__`` keeps a table ``name -> "package.module"`` and installs the two
module-level hooks this builds::

    _EXPORTS = {"PostgresStore": "roomkit_postgres.store"}
    __getattr__, __dir__ = lazy_exports(__name__, _EXPORTS, globals())

so ``import package`` stays cheap (no SDK import) while ``from package import PostgresStore``
works as usual. Plugins use it for the same reason the kernel does.

A package with many names can keep them in one place instead: the ``if TYPE_CHECKING:`` block
of ``from module import Name as Name`` lines that type checkers need anyway, read back at run
time by :class:`TypeCheckingExports` (``roomkit/__init__.py`` does this).
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable, Iterator, Mapping

TYPE_CHECKING = False  # not ``typing.TYPE_CHECKING``: ``import roomkit`` does not load typing
if TYPE_CHECKING:
    from typing import Any as Any  # re-exported for roomkit/__init__.py's annotations

__all__ = ["TypeCheckingExports", "lazy_exports", "parse_type_checking_exports"]


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


class TypeCheckingExports(Mapping[str, str]):
    """``name -> module`` read from a module's own ``if TYPE_CHECKING:`` imports.

    The import block written for type checkers and IDEs (``from roomkit.models import Room as
    Room``, the explicit re-export form) is then the only list of public names: this mapping
    parses it out of the module's source the first time it is used (about a millisecond), so
    importing the package still reads and imports nothing more. Only ``from M import N as N``
    statements count; anything else in the block is rejected, so the list cannot drift.
    """

    def __init__(self, module: str) -> None:
        self._module = module
        self._table: dict[str, str] | None = None

    def _load(self) -> dict[str, str]:
        if self._table is None:
            source = _source_of(self._module)
            table = _scan_type_checking_exports(source)
            # Anything the line scanner does not recognise goes to the full parser, which
            # accepts the same blocks and names what is wrong with any other.
            self._table = (
                table if table is not None else parse_type_checking_exports(source, self._module)
            )
        return self._table

    def __getitem__(self, name: str) -> str:
        return self._load()[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._load())

    def __len__(self) -> int:
        return len(self._load())

    def get(self, name: str, default: Any = None) -> Any:  # no parse for dunder probes
        if name.startswith("__") and self._table is None:
            return default
        return self._load().get(name, default)


def _source_of(module: str) -> str:
    """The module's source: its file read as UTF-8 when possible (no ``tokenize`` import)."""
    mod = sys.modules.get(module)
    loader = getattr(mod, "__loader__", None)
    path = getattr(mod, "__file__", None)
    get_data = getattr(loader, "get_data", None)
    if isinstance(path, str) and path.endswith(".py") and get_data is not None:
        try:
            data = get_data(path)
            if isinstance(data, bytes):
                return data.decode("utf-8")
        except (OSError, UnicodeDecodeError):
            pass  # the loader's own decoding below handles encoding cookies and the rest
    get_source = getattr(loader, "get_source", None)
    source = get_source(module) if get_source is not None else None
    if not isinstance(source, str):
        raise ImportError(f"the source of {module} is needed to list its public names")
    return source


_HEADER = "if TYPE_CHECKING:"


def _scan_type_checking_exports(source: str) -> dict[str, str] | None:
    """The table of :func:`parse_type_checking_exports` read line by line, or ``None``.

    Loading :mod:`ast` and parsing a few hundred lines costs several milliseconds at the first
    lookup of a public name; the block is plain enough to read without them. Only the forms
    the block is written in are accepted (``from M import N as N``, alone or one name per line
    in parentheses); anything else (comments, other statements, a name imported twice, a
    second block) returns ``None`` and the caller falls back to the parser.
    """
    lines = source.splitlines()
    if lines.count(_HEADER) != 1:
        return None
    table: dict[str, str] = {}
    module: str | None = None  # inside ``from M import (`` ... ``)``
    for line in lines[lines.index(_HEADER) + 1 :]:
        text = line.strip()
        if not text:
            continue
        if not line.startswith("    "):
            break  # the end of the block
        if module is not None:
            if text == ")":
                module = None
            elif not _add_name(table, module, text.removesuffix(",")):
                return None
            continue
        head, sep, tail = text.removeprefix("from ").partition(" import ")
        if not text.startswith("from ") or not sep:
            return None
        if tail == "(":
            module = head
        elif not _add_name(table, head, tail):
            return None
    return table if module is None else None


def _add_name(table: dict[str, str], module: str, item: str) -> bool:
    """Record ``N as N`` from ``module``; ``False`` for anything else."""
    name, _, alias = item.partition(" as ")
    if not all(part.isidentifier() for part in module.split(".")):
        return False
    if not name.isidentifier() or alias != name or name in table:
        return False
    table[name] = module
    return True


def parse_type_checking_exports(source: str, module: str = "<module>") -> dict[str, str]:
    """``name -> module`` of every ``from M import N as N`` under ``if TYPE_CHECKING:``.

    Raises :class:`ValueError` for any other statement in that block (a plain ``from M import
    N`` would not be re-exported to type checkers) and for a name imported twice.
    """
    import ast  # lazy: only parsed on the first lookup of a name

    table: dict[str, str] = {}
    for node in ast.parse(source).body:
        if not (isinstance(node, ast.If) and ast.unparse(node.test) == "TYPE_CHECKING"):
            continue
        for stmt in node.body:
            if not isinstance(stmt, ast.ImportFrom) or stmt.module is None or stmt.level:
                raise ValueError(f"{module}:{stmt.lineno}: only 'from M import N as N' here")
            for alias in stmt.names:
                if alias.asname != alias.name:
                    raise ValueError(
                        f"{module}:{stmt.lineno}: write '{alias.name} as {alias.name}' "
                        "(the explicit re-export type checkers read)"
                    )
                if alias.name in table:
                    raise ValueError(f"{module}:{stmt.lineno}: {alias.name} is imported twice")
                table[alias.name] = stmt.module
    return table
