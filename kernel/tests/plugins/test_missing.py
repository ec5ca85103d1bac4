"""A known plugin name whose plugin is missing: ImportError under ``from``, else AttributeError."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

import roomkit
from roomkit.errors import PluginError, RoomKitError
from roomkit.plugins import (
    MissingPluginAttributeError,
    MissingPluginImportError,
    PluginNotInstalledError,
)
from roomkit.plugins.catalogue import Catalogue, reset_catalogue
from roomkit.plugins.known import KNOWN_EXPORTS


@pytest.fixture
def nothing_installed(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """A process catalogue with no plugin at all, and no plugin name already cached on
    ``roomkit`` by an earlier test that resolved it."""
    for name in KNOWN_EXPORTS:
        monkeypatch.delitem(vars(roomkit), name, raising=False)
    reset_catalogue(Catalogue([]))
    yield
    reset_catalogue()


def test_from_import_raises_an_import_error_naming_the_distribution(
    nothing_installed: None,
) -> None:
    with pytest.raises(ImportError) as info:
        from roomkit import OpenAIAIProvider  # noqa: F401
    error = info.value
    assert isinstance(error, MissingPluginImportError)
    assert isinstance(error, PluginNotInstalledError)
    assert isinstance(error, PluginError)
    assert isinstance(error, RoomKitError)
    assert error.distribution == "roomkit-openai"
    assert error.export == "OpenAIAIProvider"
    assert "pip install ./plugins/roomkit-openai" in str(error)


def test_hasattr_is_false_and_getattr_default_works(nothing_installed: None) -> None:
    assert not hasattr(roomkit, "TwilioSMSProvider")
    assert not hasattr(roomkit, "PostgresStore")
    assert getattr(roomkit, "SQLiteStore", None) is None


def test_attribute_access_raises_an_attribute_error_naming_the_distribution(
    nothing_installed: None,
) -> None:
    with pytest.raises(AttributeError) as info:
        _ = roomkit.PostgresStore  # type: ignore[attr-defined]
    assert isinstance(info.value, MissingPluginAttributeError)
    assert info.value.distribution == "roomkit-postgres"
    assert "roomkit-postgres" in str(info.value)


def test_planned_plugin_says_it_is_not_built_yet(nothing_installed: None) -> None:
    with pytest.raises(ImportError, match="roomkit-deepgram is planned but not built yet"):
        from roomkit import DeepgramSTTProvider  # noqa: F401


def test_unknown_name_stays_a_plain_attribute_error(nothing_installed: None) -> None:
    with pytest.raises(AttributeError) as info:
        _ = roomkit.NoSuchRoomKitNameAtAll  # type: ignore[attr-defined]
    assert not isinstance(info.value, PluginNotInstalledError)
    with pytest.raises(ImportError, match="cannot import name"):
        from roomkit import NoSuchRoomKitNameAtAll  # type: ignore[attr-defined] # noqa: F401
