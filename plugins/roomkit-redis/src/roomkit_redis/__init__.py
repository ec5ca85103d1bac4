"""roomkit-redis: room locks with lease expiry and realtime events on Redis.

Importing this package is cheap: the classes (and the redis client they need) are imported on first
use, so listing plugins never pays for the SDK.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from roomkit.lazy import lazy_exports
from roomkit_redis.version import __version__

_EXPORTS: dict[str, str] = {
    "RedisLockManager": "roomkit_redis.locks",
    "RedisLockManagerConfig": "roomkit_redis.config",
    "RedisRealtime": "roomkit_redis.realtime",
    "RedisRealtimeConfig": "roomkit_redis.config",
}

__all__ = [
    "RedisLockManager",
    "RedisLockManagerConfig",
    "RedisRealtime",
    "RedisRealtimeConfig",
    "__version__",
]


__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS, globals())


if TYPE_CHECKING:
    from roomkit_redis.config import RedisLockManagerConfig, RedisRealtimeConfig
    from roomkit_redis.locks import RedisLockManager
    from roomkit_redis.realtime import RedisRealtime
