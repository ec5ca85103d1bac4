"""roomkit-redis: room locks with lease expiry and realtime events on Redis."""

from roomkit_redis.config import RedisLockManagerConfig, RedisRealtimeConfig
from roomkit_redis.locks import RedisLockManager
from roomkit_redis.realtime import RedisRealtime
from roomkit_redis.version import __version__

__all__ = [
    "RedisLockManager",
    "RedisLockManagerConfig",
    "RedisRealtime",
    "RedisRealtimeConfig",
    "__version__",
]
