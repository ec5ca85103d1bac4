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
