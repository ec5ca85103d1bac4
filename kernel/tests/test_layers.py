"""The kernel's layers: no package imports a higher one, and no modules import each other.

The import graph is read from the source with ``ast`` (nothing is imported). Every
``import roomkit...`` counts: module level, inside functions, and type-only imports under
``if TYPE_CHECKING:`` (for the layer rule; they never run, so they are left out of the cycle
check). A package not listed in ``LAYERS`` fails the test until it is given a place.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

import pytest

import roomkit
import roomkit.plugins

SRC = Path(roomkit.__file__).parent

LAYERS: tuple[frozenset[str], ...] = (
    frozenset({"errors", "lazy", "deferred"}),  # leaf helpers (deferred: the models' base)
    # data (and the keys, ids and hook types); discovery; telemetry (imports errors only, so
    # the contracts above it, such as AI providers, can record spans)
    frozenset({"models", "plugins", "telemetry"}),
    frozenset({"messaging"}),  # vendor-neutral messaging helpers: webhooks, signing, phones
    frozenset({"store", "realtime", "identity", "providers", "tools", "sources"}),  # contracts
    frozenset({"memory", "skills", "voice"}),
    frozenset({"channels"}),  # the Channel contract, RoomEngine, AI channels and agents
    frozenset({"orchestration", "tasks"}),  # tasks: delegation to agents in child rooms
    frozenset({"core"}),  # the engine: RoomKit and the message path
    frozenset({"testing", "ai_docs", "cli"}),
)
"""Bottom to top. A package imports only from lower layers (and within itself)."""

RANK = {package: rank for rank, layer in enumerate(LAYERS) for package in layer}
TOP = len(LAYERS)  # the tables of contents below: above everything

TABLES = {"roomkit": roomkit._EXPORTS, "roomkit.plugins": roomkit.plugins._EXPORTS}
"""Modules that only list lazily re-exported names: the public API and the plugin-author SDK.
They sit above every layer; importing a name from one depends on the module defining it."""


@dataclass(frozen=True)
class Import:
    source: str  # importing module
    target: str  # imported module
    line: int
    type_only: bool
    in_function: bool
    lazy_comment: bool


def module_name(path: Path) -> str:
    parts = path.relative_to(SRC.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def package_of(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else ""


def rank_of(module: str) -> int:
    package = package_of(module)
    if not package or module in TABLES:
        return TOP
    if package not in RANK:
        pytest.fail(f"package roomkit.{package} has no place in LAYERS ({__file__}); add it")
    return RANK[package]


def resolve(module: str, name: str) -> str:
    """The module ``from module import name`` really depends on."""
    if module not in TABLES:
        return module
    if module == "roomkit" and name == "__version__":  # a constant, no dependency on the table
        return "roomkit.errors"
    return TABLES[module].get(name, module)


def _type_checking_nodes(tree: ast.AST) -> set[int]:
    ids: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            ids.update(id(child) for stmt in node.body for child in ast.walk(stmt))
    return ids


def _function_nodes(tree: ast.AST) -> set[int]:
    ids: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            ids.update(id(child) for stmt in node.body for child in ast.walk(stmt))
    return ids


def imports_of(path: Path) -> list[Import]:
    source = path.read_text()
    lines = source.splitlines()
    tree = ast.parse(source)
    type_only, in_function = _type_checking_nodes(tree), _function_nodes(tree)
    me = module_name(path)
    found: list[Import] = []
    for node in ast.walk(tree):
        targets: list[str] = []
        if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            if node.module.split(".")[0] == "roomkit":
                targets = [resolve(node.module, alias.name) for alias in node.names]
        elif isinstance(node, ast.Import):
            targets = [a.name for a in node.names if a.name.split(".")[0] == "roomkit"]
        near = " ".join(lines[max(node.lineno - 2, 0) : node.lineno]) if targets else ""
        for target in targets:
            found.append(
                Import(
                    me,
                    target,
                    node.lineno,
                    id(node) in type_only,
                    id(node) in in_function,
                    "# lazy" in near,
                )
            )
    return found


ALL_IMPORTS = [imp for path in sorted(SRC.rglob("*.py")) for imp in imports_of(path)]


def test_the_graph_is_read() -> None:
    assert any(i.source == "roomkit.core.framework" for i in ALL_IMPORTS)
    assert any(i.type_only for i in ALL_IMPORTS)


def test_no_package_imports_a_higher_layer() -> None:
    wrong = [
        f"{i.source}:{i.line} imports {i.target} (layer {rank_of(i.target)} >= {rank_of(i.source)})"
        for i in ALL_IMPORTS
        if package_of(i.source) != package_of(i.target) and rank_of(i.target) >= rank_of(i.source)
    ]
    assert wrong == []


def test_function_level_imports_are_only_documented_lazy_ones() -> None:
    """An import inside a function is for something heavy or optional, said so in a
    ``# lazy: why`` comment on or above it, never to dodge an import cycle."""
    hidden = [
        f"{i.source}:{i.line} imports {i.target} inside a function"
        for i in ALL_IMPORTS
        if i.in_function and not i.type_only and not i.lazy_comment
    ]
    assert hidden == []


def _runtime_graph() -> dict[str, set[str]]:
    graph: dict[str, set[str]] = {}
    for i in ALL_IMPORTS:
        if i.type_only:
            continue
        if i.target != i.source:
            graph.setdefault(i.source, set()).add(i.target)
    return graph


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in graph.get(node, ()):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_no_import_cycles_between_modules() -> None:
    assert _cycles(_runtime_graph()) == []


def test_the_checks_catch_what_they_are_meant_to() -> None:
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert rank_of("roomkit.core.framework") > rank_of("roomkit.channels.base")
    assert resolve("roomkit", "RoomKit") == "roomkit.core.framework"
    assert resolve("roomkit.plugins", "hookimpl") == "roomkit.plugins.markers"
    assert rank_of("roomkit.plugins") == TOP > rank_of("roomkit.plugins.markers")
    with pytest.raises(pytest.fail.Exception, match="no place in LAYERS"):
        rank_of("roomkit.somewhere_new.module")
