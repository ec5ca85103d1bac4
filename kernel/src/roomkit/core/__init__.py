"""The engine: RoomKit, hooks, the inbound pipeline, delivery and resilience.

Import from the submodules (``roomkit.core.framework`` ...) or from ``roomkit``; this package
imports nothing eagerly so that ``roomkit.core.locks`` stays cheap for other components.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from roomkit.core.circuit_breaker import CircuitBreaker
    from roomkit.core.framework import RoomKit
    from roomkit.core.hooks import HookEngine, HookRegistration
    from roomkit.core.locks import InMemoryLockManager, RoomLockManager
    from roomkit.core.rate_limiter import TokenBucketRateLimiter

__all__ = [
    "CircuitBreaker",
    "HookEngine",
    "HookRegistration",
    "InMemoryLockManager",
    "RoomKit",
    "RoomLockManager",
    "TokenBucketRateLimiter",
]

_LAZY = {
    "CircuitBreaker": "roomkit.core.circuit_breaker",
    "HookEngine": "roomkit.core.hooks",
    "HookRegistration": "roomkit.core.hooks",
    "InMemoryLockManager": "roomkit.core.locks",
    "RoomKit": "roomkit.core.framework",
    "RoomLockManager": "roomkit.core.locks",
    "TokenBucketRateLimiter": "roomkit.core.rate_limiter",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'roomkit.core' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value
