"""``roomkit.plugins`` publishes the plugin-author SDK from one place, lazily."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import roomkit.plugins
from roomkit.providers.ai import support

INIT = Path(roomkit.plugins.__file__)


def _type_checking_names() -> set[str]:
    tree = ast.parse(INIT.read_text())
    names: set[str] = set()
    for node in tree.body:
        if isinstance(node, ast.If) and ast.unparse(node.test) == "TYPE_CHECKING":
            for stmt in ast.walk(node):
                if isinstance(stmt, ast.ImportFrom):
                    names.update(alias.asname or alias.name for alias in stmt.names)
    return names


def test_every_name_resolves_and_all_is_the_table() -> None:
    table = roomkit.plugins._EXPORTS
    assert sorted(roomkit.plugins.__all__) == sorted(table), "__all__ must list exactly _EXPORTS"
    for name, module in table.items():
        value = getattr(roomkit.plugins, name)
        assert value is getattr(sys.modules[module], name), name


def test_type_checking_block_lists_the_same_names() -> None:
    assert _type_checking_names() | {"lazy_exports"} == set(roomkit.plugins._EXPORTS)


def test_all_ai_support_helpers_are_published() -> None:
    published = {n for n, m in roomkit.plugins._EXPORTS.items() if m == support.__name__}
    assert published == set(support.__all__), (
        "add the new helpers of roomkit.providers.ai.support to roomkit.plugins._EXPORTS"
    )


def test_sdk_helpers_are_the_kernel_classes() -> None:
    from roomkit.core.locks import SharedRoomLockManager
    from roomkit.lazy import lazy_exports
    from roomkit.plugins import Fanout, Register
    from roomkit.plugins import SharedRoomLockManager as Published
    from roomkit.plugins import lazy_exports as published_lazy
    from roomkit.plugins.hookspecs import Register as HookRegister
    from roomkit.realtime.fanout import Fanout as KernelFanout

    assert Published is SharedRoomLockManager
    assert Fanout is KernelFanout
    assert published_lazy is lazy_exports
    assert Register is HookRegister


def test_importing_the_package_and_the_kinds_is_light() -> None:
    code = (
        "import sys; import roomkit.plugins.kinds; from roomkit.plugins import hookimpl; "
        "print(','.join(sorted(m for m in sys.modules if m.split('.')[0] in "
        "('roomkit', 'pydantic', 'packaging'))))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout.strip()
    assert out.split(",") == [
        "roomkit",
        "roomkit.lazy",
        "roomkit.plugins",
        "roomkit.plugins.kinds",
        "roomkit.plugins.markers",
    ]
