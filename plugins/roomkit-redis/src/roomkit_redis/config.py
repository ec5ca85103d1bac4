"""Configuration models used when the components are created by name.

``RoomKit(lock_manager="redis", lock_manager_config={"url": "redis://cache:6379/0"})`` builds
``RedisLockManager.from_config(RedisLockManagerConfig(...))``. URLs are ``SecretStr`` (they may
carry a password) so they never show in reprs or logs.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, SecretStr

__all__ = ["RedisLockManagerConfig", "RedisRealtimeConfig"]

_URL = SecretStr("redis://127.0.0.1:6379/0")


class RedisLockManagerConfig(BaseModel):
    """Options of :class:`~roomkit_redis.locks.RedisLockManager`."""

    model_config = ConfigDict(extra="forbid")

    url: SecretStr = Field(default=_URL, description="redis:// or rediss:// URL")
    prefix: str = Field(
        default="roomkit:",
        min_length=1,
        description=(
            "key prefix: <prefix>lock:<room> (locks), <prefix>fence:<room> (tokens), "
            "<prefix>wait:<room> and <prefix>wake:<room> (waiters)"
        ),
    )
    lease: float = Field(default=10.0, ge=0.1, description="seconds a dead holder keeps a lock")
    retry_interval: float = Field(
        default=0.02, gt=0, description="seconds to pause after a wait failed on a Redis error"
    )
    socket_timeout: float = Field(default=5.0, gt=0, description="seconds to wait for a reply")
    connect_timeout: float = Field(default=2.0, gt=0, description="seconds to open a connection")
    default_timeout: float = Field(
        default=300.0, gt=0, description="seconds to wait for a busy room when no timeout is given"
    )
    max_connections: int = Field(default=50, ge=1)
    client_name: str = Field(default="roomkit-locks", min_length=1, pattern=r"^[!-~]+$")


class RedisRealtimeConfig(BaseModel):
    """Options of :class:`~roomkit_redis.realtime.RedisRealtime`."""

    model_config = ConfigDict(extra="forbid")

    url: SecretStr = Field(default=_URL, description="redis:// or rediss:// URL")
    prefix: str = Field(default="roomkit:rt:", min_length=1)
    max_queue: int = Field(default=1000, ge=1)
    max_event_bytes: int = Field(default=1_000_000, ge=1)
    socket_timeout: float = Field(default=5.0, gt=0)
    subscribe_timeout: float = Field(default=5.0, gt=0)
    max_connections: int = Field(default=20, ge=1)
    client_name: str = Field(default="roomkit-realtime", min_length=1, pattern=r"^[!-~]+$")
