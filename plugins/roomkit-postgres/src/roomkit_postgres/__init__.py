"""roomkit-postgres: conversation store, room locks and realtime events on PostgreSQL.

Importing this package is cheap: the classes (and the asyncpg driver they need) are imported
on first use, so listing plugins never pays for the SDK.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from roomkit.lazy import lazy_exports
from roomkit_postgres.version import __version__

_EXPORTS: dict[str, str] = {
    "MIGRATIONS": "roomkit_postgres.migrations",
    "PostgresLockManager": "roomkit_postgres.locks",
    "PostgresLockManagerConfig": "roomkit_postgres.config",
    "PostgresRealtime": "roomkit_postgres.realtime",
    "PostgresRealtimeConfig": "roomkit_postgres.config",
    "PostgresStore": "roomkit_postgres.store",
    "PostgresStoreConfig": "roomkit_postgres.config",
    "apply_migrations": "roomkit_postgres.migrations",
}

__all__ = [
    "MIGRATIONS",
    "PostgresLockManager",
    "PostgresLockManagerConfig",
    "PostgresRealtime",
    "PostgresRealtimeConfig",
    "PostgresStore",
    "PostgresStoreConfig",
    "__version__",
    "apply_migrations",
]


__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS, globals())


if TYPE_CHECKING:
    from roomkit_postgres.config import (
        PostgresLockManagerConfig,
        PostgresRealtimeConfig,
        PostgresStoreConfig,
    )
    from roomkit_postgres.locks import PostgresLockManager
    from roomkit_postgres.migrations import MIGRATIONS, apply_migrations
    from roomkit_postgres.realtime import PostgresRealtime
    from roomkit_postgres.store import PostgresStore
