"""roomkit.testing exports the test doubles lazily."""

from __future__ import annotations

import pytest

import roomkit
import roomkit.testing as testing


def test_exports_are_the_same_objects_as_the_top_level_names() -> None:
    assert testing.MockAIProvider is roomkit.MockAIProvider
    assert testing.MockIdentityResolver is roomkit.MockIdentityResolver
    assert sorted(testing.__all__) == testing.__all__
    assert set(testing.__all__) <= set(dir(testing))


def test_unknown_names_raise_attribute_error() -> None:
    with pytest.raises(AttributeError):
        _ = testing.NoSuchMock  # type: ignore[attr-defined]
