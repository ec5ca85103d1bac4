"""The public name table: ``roomkit.__all__`` matches ``_EXPORTS`` and every name imports."""

from __future__ import annotations

import importlib

import pytest

import roomkit


def test_all_matches_exports() -> None:
    assert sorted(roomkit.__all__) == roomkit.__all__
    assert set(roomkit.__all__) == set(roomkit._EXPORTS) | {"__version__"}


@pytest.mark.parametrize("name", sorted(roomkit._EXPORTS))
def test_every_name_imports_from_its_module(name: str) -> None:
    module = importlib.import_module(roomkit._EXPORTS[name])
    assert getattr(module, name) is getattr(roomkit, name)
    assert name in getattr(module, "__all__", [name])


def test_unknown_name_raises_attribute_or_import_error() -> None:
    with pytest.raises((AttributeError, ImportError)):
        roomkit.DefinitelyNotARoomKitName  # noqa: B018
