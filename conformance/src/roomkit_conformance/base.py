"""What every suite shares: the ``component`` fixture contract and capability flags.

A plugin author subclasses a suite and provides a ``component`` fixture that builds (and
afterwards closes) the component under test::

    class TestMyStore(ConversationStoreSuite):
        capabilities = {"cross_process"}

        @pytest.fixture
        async def component(self):
            store = MyStore(...)
            yield store
            await store.close()

Tests that exercise an optional feature are decorated with :func:`requires`; they are skipped
unless the subclass lists the capability in ``capabilities``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar, TypeVar

import pytest

__all__ = ["SuiteBase", "requires"]

F = TypeVar("F", bound=Callable[..., Any])


def requires(*capabilities: str) -> Callable[[F], F]:
    """Mark a suite test as needing every named capability of the component."""

    def mark(func: F) -> F:
        func.__roomkit_requires__ = frozenset(capabilities)  # type: ignore[attr-defined]
        return func

    return mark


class SuiteBase:
    """Base class of every suite: skips tests whose required capabilities are not claimed."""

    #: Capabilities the component under test claims (from its descriptor, or set by hand).
    capabilities: ClassVar[set[str] | frozenset[str]] = frozenset()

    @pytest.fixture(autouse=True)
    def _roomkit_capability_gate(self, request: pytest.FixtureRequest) -> None:
        needed: frozenset[str] = getattr(request.function, "__roomkit_requires__", frozenset())
        missing = needed - set(self.capabilities)
        if missing:
            pytest.skip(f"component does not claim: {', '.join(sorted(missing))}")
