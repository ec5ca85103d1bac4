"""The plugin API version is a PEP 440 version the builtin plugin accepts."""

from __future__ import annotations

from packaging.specifiers import SpecifierSet
from packaging.version import Version

from roomkit.plugins.api import ENTRY_POINT_GROUP, PLUGIN_API_VERSION


def test_api_version_is_pep440() -> None:
    assert Version(PLUGIN_API_VERSION).major >= 1
    assert Version(PLUGIN_API_VERSION) in SpecifierSet(">=1,<2")


def test_entry_point_group() -> None:
    assert ENTRY_POINT_GROUP == "roomkit.plugins"
