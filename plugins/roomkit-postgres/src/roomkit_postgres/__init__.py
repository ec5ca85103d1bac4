"""roomkit-postgres: conversation store, room locks and realtime events on PostgreSQL."""

from roomkit_postgres.config import (
    PostgresLockManagerConfig,
    PostgresRealtimeConfig,
    PostgresStoreConfig,
)
from roomkit_postgres.locks import PostgresLockManager
from roomkit_postgres.migrations import MIGRATIONS, apply_migrations
from roomkit_postgres.realtime import PostgresRealtime
from roomkit_postgres.store import PostgresStore
from roomkit_postgres.version import __version__

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
