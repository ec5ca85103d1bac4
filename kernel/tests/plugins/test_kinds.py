"""One list of component kinds; everything else is derived from it."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from roomkit.core import components
from roomkit.plugins import hookspecs
from roomkit.plugins.descriptors import ComponentDescriptor
from roomkit.plugins.kinds import COMPONENT_KINDS, KINDS, KIT_KINDS


def test_names_are_unique_and_hooks_exist() -> None:
    assert len(COMPONENT_KINDS) == len(set(COMPONENT_KINDS))
    for spec in KINDS:
        assert callable(getattr(hookspecs, spec.hook)), spec.hook
        assert spec.description


def test_derived_lists_follow_the_one_list() -> None:
    assert set(hookspecs.FAMILY_KINDS) == {spec.hook for spec in KINDS}
    assert sorted(k for family in hookspecs.FAMILY_KINDS.values() for k in family) == sorted(
        COMPONENT_KINDS
    )
    assert components.COMPONENT_KINDS is KIT_KINDS
    assert set(KIT_KINDS) == {"store", "lock_manager", "realtime", "identity_resolver", "telemetry"}


def test_descriptor_kind_is_checked_against_the_list() -> None:
    with pytest.raises(ValidationError, match="unknown component kind 'stores'"):
        ComponentDescriptor(kind="stores", name="x", factory="a:b")
    schema = ComponentDescriptor.model_json_schema()
    assert schema["properties"]["kind"]["enum"] == list(COMPONENT_KINDS)


def test_every_conformance_suite_is_for_a_known_kind() -> None:
    suites = pytest.importorskip("roomkit_conformance.suites")
    assert set(suites.SUITES) <= set(COMPONENT_KINDS)
