"""``roomkit.lazy.lazy_exports``: names resolve on first use, once, with a clear miss."""

from __future__ import annotations

import sys
from typing import Any

import pytest

from roomkit.lazy import lazy_exports


def test_resolves_on_first_use_and_caches() -> None:
    namespace: dict[str, Any] = {}
    getattr_, dir_ = lazy_exports("pkg", {"dumps": "json"}, namespace)
    assert "dumps" in dir_()
    dumps = getattr_("dumps")
    assert dumps is sys.modules["json"].dumps
    assert namespace["dumps"] is dumps


def test_unknown_name_is_an_attribute_error_naming_the_package() -> None:
    getattr_, _ = lazy_exports("pkg", {}, {})
    with pytest.raises(AttributeError, match="module 'pkg' has no attribute 'nope'"):
        getattr_("nope")


def test_fallback_answers_unknown_names_but_never_dunders() -> None:
    asked: list[str] = []

    def fallback(name: str) -> str:
        asked.append(name)
        return f"from-plugin:{name}"

    getattr_, _ = lazy_exports("pkg", {}, {}, fallback=fallback)
    assert getattr_("OpenAIAIProvider") == "from-plugin:OpenAIAIProvider"
    with pytest.raises(AttributeError):
        getattr_("__path__")
    assert asked == ["OpenAIAIProvider"]


def test_packages_use_it() -> None:
    import roomkit
    import roomkit.testing

    assert roomkit.testing.MockAIProvider.__name__ == "MockAIProvider"
    # attribute access: the AttributeError flavour of PluginNotInstalledError (hasattr is False)
    with pytest.raises(AttributeError, match="roomkit-deepgram"):
        roomkit.DeepgramSTTProvider  # noqa: B018 - the lookup is the test


LAZY_PACKAGES = [
    "roomkit",
    "roomkit.models",
    "roomkit.testing",
    "roomkit.voice",
    "roomkit.voice.pipeline",
]


@pytest.mark.parametrize("package", LAZY_PACKAGES)
def test_the_line_scanner_reads_every_block_as_the_parser_does(package: str) -> None:
    import importlib

    from roomkit.lazy import (
        _scan_type_checking_exports,
        _source_of,
        parse_type_checking_exports,
    )

    importlib.import_module(package)
    source = _source_of(package)
    scanned = _scan_type_checking_exports(source)
    assert scanned is not None
    assert scanned == parse_type_checking_exports(source, package)
    assert len(scanned) > 10


@pytest.mark.parametrize(
    "block",
    [
        "    from roomkit.models import Room\n",
        "    from roomkit.models import Room as R\n",
        "    import roomkit.models\n",
        "    from roomkit.models import Room as Room\n    from roomkit.x import Room as Room\n",
        "    from roomkit.models import Room as Room  # a comment\n",
        "    from roomkit.models import (\n        Room as Room,\n",
        "    from roomkit.models import Room as Room\nif TYPE_CHECKING:\n    pass\n",
    ],
)
def test_the_line_scanner_hands_anything_unusual_to_the_parser(block: str) -> None:
    from roomkit.lazy import _scan_type_checking_exports

    source = "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n" + block
    assert _scan_type_checking_exports(source) is None


def test_a_bad_block_still_fails_with_the_parsers_message(tmp_path: Any, monkeypatch: Any) -> None:
    from roomkit.lazy import TypeCheckingExports

    (tmp_path / "badpkg.py").write_text(
        "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from json import dumps\n"
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    import importlib

    importlib.import_module("badpkg")
    try:
        with pytest.raises(ValueError, match="write 'dumps as dumps'"):
            TypeCheckingExports("badpkg").get("dumps")
    finally:
        sys.modules.pop("badpkg", None)


def test_parenthesised_imports_are_scanned() -> None:
    from roomkit.lazy import _scan_type_checking_exports

    source = (
        "from typing import TYPE_CHECKING\n\nif TYPE_CHECKING:\n"
        "    from a.b import X as X\n\n"
        "    from c import (\n        Y as Y,\n    )\n"
        "else:\n    pass\n"
    )
    assert _scan_type_checking_exports(source) == {"X": "a.b", "Y": "c"}


def test_looking_up_a_name_loads_neither_ast_nor_tokenize() -> None:
    """Reading the table is no reason to load them (``inspect`` does, for other modules)."""
    import subprocess

    code = (
        "import sys; from roomkit import RoomKitError; "
        "print(sorted({'ast', 'tokenize'} & set(sys.modules)))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
