"""The RoomKit conformance suite: mixin test classes per component kind, plus wire fakes."""

from roomkit_conformance.base import SuiteBase, requires

__all__ = ["SuiteBase", "requires"]
