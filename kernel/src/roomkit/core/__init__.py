"""The engine: RoomKit, hooks, the inbound pipeline, delivery and resilience.

Import from the submodules (``roomkit.core.framework`` ...) or from ``roomkit``; this package
imports nothing eagerly so that ``roomkit.core.locks`` stays cheap for other components.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from roomkit.lazy import lazy_exports

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


__getattr__, __dir__ = lazy_exports(__name__, _LAZY, globals())
