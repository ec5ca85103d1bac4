"""Test doubles that ship with RoomKit, so applications test without patching anything.

``MockAIProvider`` answers from a script and records every request; ``MockIdentityResolver``
resolves senders from a table. Names load lazily on first use.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__all__ = ["MockAIProvider", "MockIdentityResolver"]

_WHERE = {
    "MockAIProvider": "roomkit.providers.ai.mock",
    "MockIdentityResolver": "roomkit.identity.mock",
}


def __getattr__(name: str) -> Any:
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module 'roomkit.testing' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))


if TYPE_CHECKING:
    from roomkit.identity.mock import MockIdentityResolver
    from roomkit.providers.ai.mock import MockAIProvider
