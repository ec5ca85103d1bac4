"""Registers the PostgreSQL store, lock manager and realtime backend (imports nothing heavy)."""

from __future__ import annotations

from collections.abc import Callable

from roomkit.plugins import ComponentDescriptor, PluginInfo, hookimpl
from roomkit_postgres.version import __version__

__all__ = ["roomkit_plugin_info", "roomkit_register_stores"]


@hookimpl
def roomkit_plugin_info() -> PluginInfo:
    """Plugin metadata."""
    return PluginInfo(
        name="postgres",
        distribution="roomkit-postgres",
        version=__version__,
        kernel_api=">=1,<2",
        description="PostgreSQL store, advisory-lock manager and LISTEN/NOTIFY realtime backend",
    )


@hookimpl
def roomkit_register_stores(register: Callable[[ComponentDescriptor], None]) -> None:
    """``postgres`` as a store, a lock manager and a realtime backend."""
    register(
        ComponentDescriptor(
            kind="store",
            name="postgres",
            factory="roomkit_postgres.store:PostgresStore.from_config",
            config_model="roomkit_postgres.config:PostgresStoreConfig",
            pass_config=True,
            capabilities=frozenset({"persistent", "cross_process", "single_read", "fencing"}),
            exports=("PostgresStore",),
            conformance="roomkit_postgres.testing:StoreFixtures",
            description="Conversation store shared by many processes (migrations on start)",
        )
    )
    register(
        ComponentDescriptor(
            kind="lock_manager",
            name="postgres",
            factory="roomkit_postgres.locks:PostgresLockManager.from_config",
            config_model="roomkit_postgres.config:PostgresLockManagerConfig",
            pass_config=True,
            capabilities=frozenset({"cross_process", "network_backend", "lease_expiry", "fencing"}),
            exports=("PostgresLockManager",),
            conformance="roomkit_postgres.testing:LockManagerFixtures",
            description="Per-room locks on session advisory locks, fenced by a sequence",
        )
    )
    register(
        ComponentDescriptor(
            kind="realtime",
            name="postgres",
            factory="roomkit_postgres.realtime:PostgresRealtime.from_config",
            config_model="roomkit_postgres.config:PostgresRealtimeConfig",
            pass_config=True,
            capabilities=frozenset({"cross_process"}),
            exports=("PostgresRealtime",),
            conformance="roomkit_postgres.testing:RealtimeFixtures",
            description="Ephemeral events over LISTEN/NOTIFY",
        )
    )
