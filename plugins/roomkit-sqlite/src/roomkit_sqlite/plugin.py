"""Registers the SQLite store with RoomKit (imports nothing heavy)."""

from __future__ import annotations

from collections.abc import Callable

from roomkit.plugins import ComponentDescriptor, PluginInfo, hookimpl
from roomkit_sqlite.version import __version__

__all__ = ["roomkit_plugin_info", "roomkit_register_stores"]


@hookimpl
def roomkit_plugin_info() -> PluginInfo:
    """Plugin metadata."""
    return PluginInfo(
        name="sqlite",
        distribution="roomkit-sqlite",
        version=__version__,
        kernel_api=">=1,<2",
        description="Persistent conversation store in a SQLite file (one machine)",
    )


@hookimpl
def roomkit_register_stores(register: Callable[[ComponentDescriptor], None]) -> None:
    """The ``sqlite`` conversation store."""
    register(
        ComponentDescriptor(
            kind="store",
            name="sqlite",
            factory="roomkit_sqlite.store:SQLiteStore",
            config_model="roomkit_sqlite.config:SQLiteStoreConfig",
            capabilities=frozenset({"persistent", "cross_process", "single_read"}),
            exports=("SQLiteStore",),
            conformance="roomkit_sqlite.testing:StoreFixtures",
            description="Embedded persistent store; a file path is all it needs",
        )
    )
