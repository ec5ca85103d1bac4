"""Registers the Redis lock manager and realtime backend (imports nothing heavy)."""

from __future__ import annotations

from collections.abc import Callable

from roomkit.plugins import ComponentDescriptor, PluginInfo, hookimpl
from roomkit_redis.version import __version__

__all__ = ["roomkit_plugin_info", "roomkit_register_stores"]


@hookimpl
def roomkit_plugin_info() -> PluginInfo:
    """Plugin metadata."""
    return PluginInfo(
        name="redis",
        distribution="roomkit-redis",
        version=__version__,
        kernel_api=">=1,<2",
        description="Redis room locks (leases) and pub/sub realtime events",
    )


@hookimpl
def roomkit_register_stores(register: Callable[[ComponentDescriptor], None]) -> None:
    """``redis`` as a lock manager and a realtime backend."""
    register(
        ComponentDescriptor(
            kind="lock_manager",
            name="redis",
            factory="roomkit_redis.locks:RedisLockManager.from_config",
            config_model="roomkit_redis.config:RedisLockManagerConfig",
            pass_config=True,
            capabilities=frozenset(
                {"cross_process", "network_backend", "lease_expiry", "fencing", "backend_outage"}
            ),
            exports=("RedisLockManager",),
            conformance="roomkit_redis.testing:LockManagerFixtures",
            description="Per-room leases with fencing tokens: SET NX PX + INCR, renewal, "
            "compare-and-delete release",
        )
    )
    register(
        ComponentDescriptor(
            kind="realtime",
            name="redis",
            factory="roomkit_redis.realtime:RedisRealtime.from_config",
            config_model="roomkit_redis.config:RedisRealtimeConfig",
            pass_config=True,
            capabilities=frozenset({"cross_process"}),
            exports=("RedisRealtime",),
            conformance="roomkit_redis.testing:RealtimeFixtures",
            description="Ephemeral events over Redis pub/sub",
        )
    )
