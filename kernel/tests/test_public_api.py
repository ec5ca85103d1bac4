"""The public names of ``roomkit``: one list (the ``TYPE_CHECKING`` block) and all it derives.

The block in ``roomkit/__init__.py`` is the only place a public name is written. These tests
check what is derived from it: ``__all__``, ``dir(roomkit)``, the lazy lookups, the type
checker's view, and that ``import roomkit`` still imports nothing else.
"""

from __future__ import annotations

import importlib
import subprocess
import sys
from pathlib import Path

import pytest

import roomkit
from roomkit.lazy import parse_type_checking_exports

PUBLIC = sorted(roomkit._EXPORTS)


def test_the_block_is_the_table() -> None:
    source = Path(roomkit.__file__).read_text()
    assert parse_type_checking_exports(source) == dict(roomkit._EXPORTS)
    assert len(PUBLIC) > 100
    assert {"RoomKit", "RoomEngine", "Channel", "InboundMessage"} <= set(PUBLIC)


def test_all_and_dir_are_derived_from_it() -> None:
    assert roomkit.__all__ == sorted([*PUBLIC, "__version__"])
    assert set(PUBLIC) <= set(dir(roomkit))
    namespace: dict[str, object] = {}
    exec("from roomkit import *", namespace)
    assert set(namespace) - {"__builtins__"} == set(roomkit.__all__)


@pytest.mark.parametrize("name", PUBLIC)
def test_every_name_imports_from_its_module(name: str) -> None:
    module = importlib.import_module(roomkit._EXPORTS[name])
    assert getattr(module, name) is getattr(roomkit, name)
    assert name in getattr(module, "__all__", [name])


def test_unknown_name_raises_attribute_or_import_error() -> None:
    with pytest.raises((AttributeError, ImportError)):
        roomkit.DefinitelyNotARoomKitName  # noqa: B018


def test_import_roomkit_imports_nothing_else() -> None:
    code = "import roomkit, sys; print(sorted(m for m in sys.modules if 'roomkit' in m))"
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert out.strip() == "['roomkit', 'roomkit.lazy']"


def test_type_checkers_see_every_name(tmp_path: Path) -> None:
    """mypy --strict resolves each public name through the block (explicit re-exports)."""
    api = pytest.importorskip("mypy.api")
    probe = tmp_path / "probe.py"
    probe.write_text(
        "import roomkit\n"
        + "".join(f"roomkit.{name}\n" for name in PUBLIC)
        + "def names(kit: roomkit.RoomKit) -> roomkit.RoomEngine:\n    return kit\n"
    )
    stdout, stderr, status = api.run(
        ["--strict", "--no-error-summary", "--cache-dir", str(tmp_path / "cache"), str(probe)]
    )
    assert (stdout, status) == ("", 0), stdout + stderr


@pytest.mark.parametrize(
    ("block", "problem"),
    [
        ("from roomkit.models import Room\n", "write 'Room as Room'"),
        ("from roomkit.models import Room as R\n", "write 'Room as Room'"),
        ("import roomkit.models\n", "only 'from M import N as N'"),
        (
            "from roomkit.models import Room as Room\nfrom roomkit.x import Room as Room\n",
            "imported twice",
        ),
    ],
)
def test_the_block_accepts_only_explicit_reexports(block: str, problem: str) -> None:
    source = "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n" + "".join(
        f"    {line}\n" for line in block.splitlines()
    )
    with pytest.raises(ValueError, match=problem):
        parse_type_checking_exports(source)
