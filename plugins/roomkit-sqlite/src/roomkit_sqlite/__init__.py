"""roomkit-sqlite: a persistent, embedded conversation store for one machine."""

from roomkit_sqlite.config import SQLiteStoreConfig
from roomkit_sqlite.store import SQLiteStore
from roomkit_sqlite.version import __version__

__all__ = ["SQLiteStore", "SQLiteStoreConfig", "__version__"]
